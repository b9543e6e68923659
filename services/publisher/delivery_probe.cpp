#include "publisher/delivery_probe.h"

#include <string>

#include "publisher/network_catalog.h"

namespace herald::publisher {

using herald::common::v1::Network;

const char* DeliveryOutcomeName(DeliveryOutcome outcome) {
  switch (outcome) {
    case DeliveryOutcome::kPublished: return "published";
    case DeliveryOutcome::kFailed: return "failed";
    case DeliveryOutcome::kRetry: return "retry";
    case DeliveryOutcome::kDeferred: return "deferred";
    case DeliveryOutcome::kDuplicate: return "duplicate";
    case DeliveryOutcome::kReconciled: return "reconciled";
  }
  return "unknown";
}

DeliveryProbe::DeliveryProbe(prometheus::Registry& registry)
    : deliveries_(prometheus::BuildCounter()
                      .Name("herald_publisher_deliveries_total")
                      .Help("Deliveries by network and outcome (published, failed, retry, deferred, duplicate, "
                            "reconciled).")
                      .Register(registry)),
      decisions_(prometheus::BuildCounter()
                     .Name("herald_publisher_ratelimit_decisions_total")
                     .Help("Quota decisions taken before calling a network.")
                     .Register(registry)),
      allowed_(decisions_.Add({{"decision", "allowed"}})),
      deferred_(decisions_.Add({{"decision", "deferred"}})) {
  for (int n = 0; n < kNetworks; ++n) {
    if (!herald::common::v1::Network_IsValid(n)) continue;
    std::string name = NetworkName(static_cast<Network>(n));
    if (name.empty()) name = "unknown";  // a channel that is gone: its network is not known
    for (int o = 0; o < kDeliveryOutcomes; ++o) {
      counters_[n][o] =
          &deliveries_.Add({{"network", name}, {"outcome", DeliveryOutcomeName(static_cast<DeliveryOutcome>(o))}});
    }
  }
}

void DeliveryProbe::Delivered(Network network, DeliveryOutcome outcome) {
  int n = herald::common::v1::Network_IsValid(network) ? static_cast<int>(network) : 0;
  counters_[n][static_cast<int>(outcome)]->Increment();
}

}  // namespace herald::publisher
