#include "publisher/reauth_gauge.h"

#include "common/log.h"
#include "publisher/network_catalog.h"

namespace herald::publisher {

using herald::common::v1::Network;

ReauthGauge::ReauthGauge(ChannelStore& channels, prometheus::Registry& registry, std::chrono::milliseconds interval)
    : channels_(channels), interval_(interval) {
  auto& family = prometheus::BuildGauge()
                     .Name("herald_publisher_channels_needing_reauth")
                     .Help("Channels whose token a network refused: nothing is published to them until someone "
                           "re-authorises them.")
                     .Register(registry);
  for (int n = 0; n <= herald::common::v1::Network_MAX; ++n) {
    if (!herald::common::v1::Network_IsValid(n) || n == herald::common::v1::NETWORK_UNSPECIFIED) continue;
    std::string name = NetworkName(static_cast<Network>(n));
    if (!name.empty()) by_network_[n] = &family.Add({{"network", name}});
  }
}

void ReauthGauge::Start() {
  thread_.StartEvery(interval_, [this] {
    if (auto s = ReadOnce(); !s.ok()) log::Warn("channels needing re-authorisation not read", {{"error", s.ToString()}});
  });
}

absl::Status ReauthGauge::ReadOnce() {
  auto channels = channels_.NeedingReauth();
  if (!channels.ok()) return channels.status();  // keep the last figures
  std::map<int, int> counts;
  for (const auto& c : *channels) ++counts[c.network()];
  for (auto& [network, gauge] : by_network_) gauge->Set(counts[network]);
  return absl::OkStatus();
}

}  // namespace herald::publisher
