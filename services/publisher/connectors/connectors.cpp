#include "publisher/connectors/network_connectors.h"
#include "publisher/network_catalog.h"

namespace herald::publisher {

std::unique_ptr<Connector> MakeConnector(herald::common::v1::Network network, const ConnectorOptions& given) {
  using herald::common::v1::Network;
  ConnectorOptions options = given;
  if (options.api_version.empty()) {
    const NetworkCatalog& networks = options.networks ? *options.networks : NetworkCatalog::Embedded();
    if (const NetworkProfile* profile = networks.Find(network)) options.api_version = profile->api.version;
  }
  switch (network) {
    case Network::NETWORK_MASTODON: return MakeMastodonConnector(options);
    case Network::NETWORK_X: return MakeXConnector(options);
    case Network::NETWORK_BLUESKY: return MakeBlueskyConnector(options);
    case Network::NETWORK_LINKEDIN: return MakeLinkedInConnector(options);
    case Network::NETWORK_FACEBOOK: return MakeFacebookConnector(options);
    case Network::NETWORK_INSTAGRAM: return MakeInstagramConnector(options);
    case Network::NETWORK_WEBHOOK: return MakeWebhookConnector(options);
    default: return nullptr;
  }
}

}  // namespace herald::publisher
