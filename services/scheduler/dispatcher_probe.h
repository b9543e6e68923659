#pragma once
// What the dispatcher reports, in one place: the metric families it owns and
// one call per thing that happened. The dispatcher never touches a family.
#include <cstdint>
#include <limits>
#include <optional>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace herald::scheduler {

class DispatcherProbe {
 public:
  explicit DispatcherProbe(prometheus::Registry& registry);
  // A due post handed to Kafka and acknowledged.
  void Dispatched() { dispatched_.Increment(); }
  // Kafka did not confirm a posts.due message; the post is retried after its lease.
  void ProduceFailed() { produce_failures_.Increment(); }
  // Claims whose lease ran out were put back in the due index.
  void LeasesExpired(int64_t count) { leases_expired_.Increment(static_cast<double>(count)); }
  // From a post's due time to its messages being handed to Kafka.
  void Lateness(int64_t ms) { lateness_.Observe(static_cast<double>(ms) / 1000.0); }
  // Posts in the due index, claimed posts awaiting Kafka, and the earliest
  // due time in the index (+Inf when it is empty). An alert on
  // time() - earliest keeps firing when the loop that sets it is stuck: a
  // stale value only grows older, while future posts alone never fire it.
  void Backlog(int64_t due, int64_t in_flight, std::optional<int64_t> earliest_due_ms) {
    due_backlog_.Set(static_cast<double>(due));
    inflight_.Set(static_cast<double>(in_flight));
    earliest_due_.Set(earliest_due_ms ? static_cast<double>(*earliest_due_ms) / 1000.0
                                      : std::numeric_limits<double>::infinity());
  }

 private:
  prometheus::Counter& dispatched_;
  prometheus::Counter& produce_failures_;
  prometheus::Counter& leases_expired_;
  prometheus::Histogram& lateness_;
  prometheus::Gauge& due_backlog_;
  prometheus::Gauge& inflight_;
  prometheus::Gauge& earliest_due_;
};

}  // namespace herald::scheduler
