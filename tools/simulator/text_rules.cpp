#include "simulator/text_rules.h"

#include "publisher/content_rules.h"
#include "publisher/media/media_type.h"
#include "publisher/network_catalog.h"

namespace herald::sim {
namespace {

const publisher::NetworkProfile& Profile(Net net) {
  using herald::common::v1::Network;
  static constexpr Network kNetworks[] = {Network::NETWORK_MASTODON, Network::NETWORK_X,
                                          Network::NETWORK_BLUESKY,  Network::NETWORK_LINKEDIN,
                                          Network::NETWORK_FACEBOOK, Network::NETWORK_INSTAGRAM};
  return *publisher::NetworkCatalog::Embedded().Find(kNetworks[static_cast<int>(net)]);
}

}  // namespace

int CountedLength(Net net, const std::string& text) { return publisher::CountedLength(text, Profile(net).text); }
int MaxLength(Net net) { return Profile(net).text.max_length; }
int CodePoints(const std::string& text) {
  int n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}
std::string ApiVersion(Net net) { return Profile(net).api.version; }
std::string OldestApiVersion(Net net) { return Profile(net).api.oldest_version; }
int MaxMedia(Net net) { return Profile(net).media.max; }
int64_t MaxImageBytes(Net net) { return Profile(net).media.max_image_bytes; }
absl::Status CheckUpload(Net net, std::string_view head, int64_t size, std::string* type) {
  *type = publisher::SniffMediaType(head);
  return publisher::CheckMediaFile(*type, size, Profile(net));
}

}  // namespace herald::sim
