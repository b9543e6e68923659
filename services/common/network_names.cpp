#include "common/network_names.h"

namespace herald {
namespace {

using herald::common::v1::Network;

struct NamedNetwork {
  const char* name;
  Network network;
};
constexpr NamedNetwork kNetworks[] = {
    {"mastodon", herald::common::v1::NETWORK_MASTODON}, {"x", herald::common::v1::NETWORK_X},
    {"bluesky", herald::common::v1::NETWORK_BLUESKY},   {"linkedin", herald::common::v1::NETWORK_LINKEDIN},
    {"facebook", herald::common::v1::NETWORK_FACEBOOK}, {"instagram", herald::common::v1::NETWORK_INSTAGRAM},
    {"webhook", herald::common::v1::NETWORK_WEBHOOK},
};

}  // namespace

Network NetworkFromName(const std::string& name) {
  for (const auto& n : kNetworks) {
    if (name == n.name) return n.network;
  }
  return herald::common::v1::NETWORK_UNSPECIFIED;
}

std::string NetworkName(Network network) {
  for (const auto& n : kNetworks) {
    if (network == n.network) return n.name;
  }
  return "";
}

}  // namespace herald
