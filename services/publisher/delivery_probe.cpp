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
      lag_(prometheus::BuildHistogram()
               .Name("herald_publisher_publish_lag_seconds")
               .Help("From a post's due time to its network accepting it (retries and quota waits included), "
                     "by network.")
               .Register(registry)),
      decisions_(prometheus::BuildCounter()
                     .Name("herald_publisher_ratelimit_decisions_total")
                     .Help("Quota decisions taken before calling a network, by network: allowed, or "
                           "deferred until the quota has room.")
                     .Register(registry)) {
  for (int n = 0; n < kNetworks; ++n) {
    if (!herald::common::v1::Network_IsValid(n)) continue;
    std::string name = NetworkName(static_cast<Network>(n));
    if (name.empty()) name = "unknown";  // a channel that is gone: its network is not known
    for (int o = 0; o < kDeliveryOutcomes; ++o) {
      counters_[n][o] =
          &deliveries_.Add({{"network", name}, {"outcome", DeliveryOutcomeName(static_cast<DeliveryOutcome>(o))}});
    }
    allowed_[n] = &decisions_.Add({{"network", name}, {"decision", "allowed"}});
    deferred_[n] = &decisions_.Add({{"network", name}, {"decision", "deferred"}});
    // Fine at the low end (the goal is tens of milliseconds), up to the hour
    // a post may wait behind a network's quota. The SLO reads le="300".
    lag_series_[n] = &lag_.Add({{"network", name}}, prometheus::Histogram::BucketBoundaries{
                                                      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
                                                      300, 900, 3600});
  }
}

void DeliveryProbe::Accepted(Network network, double lag_seconds) {
  int n = herald::common::v1::Network_IsValid(network) ? static_cast<int>(network) : 0;
  // A post sent early (a clock ahead of the scheduler's) counts as on time.
  lag_series_[n]->Observe(lag_seconds < 0 ? 0 : lag_seconds);
}

void DeliveryProbe::Delivered(Network network, DeliveryOutcome outcome) {
  int n = herald::common::v1::Network_IsValid(network) ? static_cast<int>(network) : 0;
  counters_[n][static_cast<int>(outcome)]->Increment();
}

}  // namespace herald::publisher
