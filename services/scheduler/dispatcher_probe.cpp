#include "scheduler/dispatcher_probe.h"

#include "common/metrics.h"

#include <limits>

namespace herald::scheduler {

DispatcherProbe::DispatcherProbe(prometheus::Registry& registry)
    : dispatched_(prometheus::BuildCounter()
                      .Name("herald_scheduler_posts_dispatched_total")
                      .Help("Due posts handed to Kafka and acknowledged.")
                      .Register(registry)
                      .Add({})),
      produce_failures_(prometheus::BuildCounter()
                            .Name("herald_scheduler_produce_failures_total")
                            .Help("posts.due messages Kafka did not confirm; the post is retried after its lease.")
                            .Register(registry)
                            .Add({})),
      leases_expired_(prometheus::BuildCounter()
                          .Name("herald_scheduler_leases_expired_total")
                          .Help("Claims whose lease ran out and were put back in the due index.")
                          .Register(registry)
                          .Add({})),
      lateness_(prometheus::BuildHistogram()
                    .Name("herald_scheduler_dispatch_lateness_seconds")
                    .Help("Time from a post's due time to its messages being handed to Kafka.")
                    .Register(registry)
                    .Add({}, LatencyBuckets())),
      due_backlog_(prometheus::BuildGauge()
                       .Name("herald_scheduler_due_posts")
                       .Help("Posts waiting in the due index (future and overdue).")
                       .Register(registry)
                       .Add({})),
      inflight_(prometheus::BuildGauge()
                    .Name("herald_scheduler_inflight_posts")
                    .Help("Claimed posts awaiting Kafka acknowledgement.")
                    .Register(registry)
                    .Add({})),
      earliest_due_(prometheus::BuildGauge()
                        .Name("herald_scheduler_earliest_due_timestamp_seconds")
                        .Help("Due time of the earliest post in the due index, Unix seconds (+Inf: none).")
                        .Register(registry)
                        .Add({})) {
  earliest_due_.Set(std::numeric_limits<double>::infinity());
}

}  // namespace herald::scheduler
