#pragma once
// What the analytics consumer tells Prometheus. Labels are bounded: topics
// (its configuration), networks, outcomes and sentiments (fixed sets) —
// never a workspace, channel or post.
//   herald_analytics_events_applied_total{topic}
//   herald_analytics_consumer_lag_messages{topic}      log end − position, over owned partitions
//   herald_analytics_stale_slices_total                writes refused: an older epoch (lost partition)
//   herald_analytics_rebases_total{topic}              positions found ahead of the log, re-based
//   herald_analytics_apply_failures_total              polls whose write failed and was retried
//   herald_analytics_publish_outcomes_total{network, outcome}   success ratio = published / all
//   herald_analytics_publish_lag_seconds{network}      published − scheduled
//   herald_analytics_mentions_total{sentiment}
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "analytics/rollup.h"

namespace herald::analytics {

class EventProbe {
 public:
  EventProbe(prometheus::Registry& registry, const std::vector<std::string>& topics);
  // `count` events of `topic` applied (a topic not configured is not counted).
  void Applied(const std::string& topic, int64_t count);
  // What an applied fact says about publishing and listening.
  void Observed(const Observation& o);
  void Lag(const std::string& topic, int64_t messages);
  void Stale() { stale_.Increment(); }
  void Rebased(const std::string& topic);
  void ApplyFailed() { apply_failures_.Increment(); }

 private:
  prometheus::Family<prometheus::Counter>& applied_family_;
  prometheus::Family<prometheus::Gauge>& lag_family_;
  prometheus::Family<prometheus::Counter>& rebases_family_;
  prometheus::Family<prometheus::Counter>& outcomes_;
  prometheus::Family<prometheus::Histogram>& publish_lag_;
  prometheus::Family<prometheus::Counter>& mentions_;
  std::map<std::string, prometheus::Counter*> applied_;
  std::map<std::string, prometheus::Gauge*> lag_;
  std::map<std::string, prometheus::Counter*> rebases_;
  // Every series of the fixed label sets, made up front: an event finds its
  // counter in a small map, never through the family.
  std::map<std::pair<std::string, std::string>, prometheus::Counter*> outcome_series_;  // network, outcome
  std::map<std::string, prometheus::Histogram*> lag_series_;                            // network
  std::map<std::string, prometheus::Counter*> mention_series_;                          // sentiment
  prometheus::Counter& stale_;
  prometheus::Counter& apply_failures_;
};

}  // namespace herald::analytics
