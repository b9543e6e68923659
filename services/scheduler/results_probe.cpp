#include "scheduler/results_probe.h"

namespace herald::scheduler {
ResultsProbe::ResultsProbe(prometheus::Registry& registry)
    : applied_(prometheus::BuildCounter()
                   .Name("herald_scheduler_results_applied_total")
                   .Help("Delivery outcomes applied to posts, by effect.")
                   .Register(registry)),
      published_(applied_.Add({{"effect", "published"}})),
      failed_(applied_.Add({{"effect", "failed"}})),
      requeued_(applied_.Add({{"effect", "requeued"}})),
      store_failures_(prometheus::BuildCounter()
                          .Name("herald_scheduler_results_store_failures_total")
                          .Help("Delivery outcomes that could not be stored and were retried.")
                          .Register(registry)
                          .Add({})) {}

void ResultsProbe::Applied(AppliedOutcome effect) {
  switch (effect) {
    case AppliedOutcome::kPublished: published_.Increment(); break;
    case AppliedOutcome::kFailed: failed_.Increment(); break;
    case AppliedOutcome::kRequeued: requeued_.Increment(); break;
  }
}

}  // namespace herald::scheduler
