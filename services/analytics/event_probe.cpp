#include "analytics/event_probe.h"

namespace herald::analytics {

EventProbe::EventProbe(prometheus::Registry& registry, const std::vector<std::string>& topics)
    : applied_family_(prometheus::BuildCounter()
                          .Name("herald_analytics_events_applied_total")
                          .Help("Events applied to the rollups, by topic.")
                          .Register(registry)),
      fenced_(prometheus::BuildCounter()
                  .Name("herald_analytics_fenced_batches_total")
                  .Help("Batches refused because their partition's stored offset was ahead (replay or lost partition).")
                  .Register(registry)
                  .Add({})),
      apply_failures_(prometheus::BuildCounter()
                          .Name("herald_analytics_apply_failures_total")
                          .Help("Polls whose batches could not be written to the rollups and were retried.")
                          .Register(registry)
                          .Add({})) {
  for (const auto& t : topics) applied_[t] = &applied_family_.Add({{"topic", t}});
}

void EventProbe::Applied(const std::string& topic, int64_t count) {
  if (auto it = applied_.find(topic); it != applied_.end()) it->second->Increment(static_cast<double>(count));
}

}  // namespace herald::analytics
