#pragma once
// What the delivery worker reports, in one place: the metric families it
// owns, every series created up front (bounded: networks × outcomes), and
// outcomes as an enum — a misspelt outcome does not compile.
#include <array>

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "herald/common/v1/common.pb.h"

namespace herald::publisher {

enum class DeliveryOutcome { kPublished, kFailed, kRetry, kDeferred, kDuplicate, kReconciled };
inline constexpr int kDeliveryOutcomes = 6;
const char* DeliveryOutcomeName(DeliveryOutcome outcome);

class DeliveryProbe {
 public:
  explicit DeliveryProbe(prometheus::Registry& registry);
  void Delivered(herald::common::v1::Network network, DeliveryOutcome outcome);
  // A network accepted a post `lag_seconds` after it was due: the end-to-end
  // publish lag (due -> accepted), retries and quota waits included.
  void Accepted(herald::common::v1::Network network, double lag_seconds);
  // Quota decisions taken before calling a network.
  void QuotaAllowed(herald::common::v1::Network network) { allowed_[Row(network)]->Increment(); }
  void QuotaDeferred(herald::common::v1::Network network) { deferred_[Row(network)]->Increment(); }

 private:
  static constexpr int kNetworks = herald::common::v1::Network_ARRAYSIZE;
  prometheus::Family<prometheus::Counter>& deliveries_;
  // [network][outcome]; networks without a name share NETWORK_UNSPECIFIED's row.
  std::array<std::array<prometheus::Counter*, kDeliveryOutcomes>, kNetworks> counters_{};
  prometheus::Family<prometheus::Histogram>& lag_;
  std::array<prometheus::Histogram*, kNetworks> lag_series_{};
  prometheus::Family<prometheus::Counter>& decisions_;
  std::array<prometheus::Counter*, kNetworks> allowed_{};
  std::array<prometheus::Counter*, kNetworks> deferred_{};
  static int Row(herald::common::v1::Network network) {
    return herald::common::v1::Network_IsValid(network) ? static_cast<int>(network) : 0;
  }
};

}  // namespace herald::publisher
