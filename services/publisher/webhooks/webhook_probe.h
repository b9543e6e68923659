#pragma once
// What the webhook dispatcher reports: the metric families it owns, every
// series created up front, one call per thing that happened.
#include <array>
#include <cstdint>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "herald/publisher/v1/webhooks.pb.h"

namespace herald::publisher {

class WebhookProbe {
 public:
  explicit WebhookProbe(prometheus::Registry& registry);
  // One delivery per subscribed webhook and event was queued.
  void Queued() { queued_.Increment(); }
  // An attempt ended (delivered, retrying, gave up).
  void Attempted(herald::publisher::v1::WebhookAttemptOutcome outcome);
  // Deliveries waiting to be sent or retried.
  void Backlog(int64_t waiting) { backlog_.Set(static_cast<double>(waiting)); }

 private:
  prometheus::Family<prometheus::Counter>& attempts_;
  // By WebhookAttemptOutcome (unspecified unused).
  std::array<prometheus::Counter*, 4> attempt_counters_{};
  prometheus::Counter& queued_;
  prometheus::Gauge& backlog_;
};

}  // namespace herald::publisher
