#include "analytics/event_probe.h"

#include "common/network_names.h"

namespace herald::analytics {

EventProbe::EventProbe(prometheus::Registry& registry, const std::vector<std::string>& topics)
    : applied_family_(prometheus::BuildCounter()
                          .Name("herald_analytics_events_applied_total")
                          .Help("Events applied to the rollups, by topic.")
                          .Register(registry)),
      lag_family_(prometheus::BuildGauge()
                      .Name("herald_analytics_consumer_lag_messages")
                      .Help("Messages between the log end and the rollups' position, over the partitions this "
                            "instance owns, by topic.")
                      .Register(registry)),
      rebases_family_(prometheus::BuildCounter()
                          .Name("herald_analytics_rebases_total")
                          .Help("Partitions whose stored position was ahead of the log's end (topic recreated) and "
                                "were re-based to the log's start.")
                          .Register(registry)),
      outcomes_(prometheus::BuildCounter()
                    .Name("herald_analytics_publish_outcomes_total")
                    .Help("Final publish outcomes counted, by network and outcome.")
                    .Register(registry)),
      publish_lag_(prometheus::BuildHistogram()
                       .Name("herald_analytics_publish_lag_seconds")
                       .Help("Published minus scheduled time of published posts, by network.")
                       .Register(registry)),
      mentions_(prometheus::BuildCounter()
                    .Name("herald_analytics_mentions_total")
                    .Help("Mentions counted, by sentiment (positive, neutral, negative, unscored).")
                    .Register(registry)),
      stale_(prometheus::BuildCounter()
                 .Name("herald_analytics_stale_slices_total")
                 .Help("Writes refused because their partition was re-based since (a consumer that lost it).")
                 .Register(registry)
                 .Add({})),
      apply_failures_(prometheus::BuildCounter()
                          .Name("herald_analytics_apply_failures_total")
                          .Help("Polls whose facts could not be written to the rollups and were retried.")
                          .Register(registry)
                          .Add({})) {
  for (const auto& t : topics) {
    applied_[t] = &applied_family_.Add({{"topic", t}});
    lag_[t] = &lag_family_.Add({{"topic", t}});
    rebases_[t] = &rebases_family_.Add({{"topic", t}});
  }
  for (const char* s : {"positive", "neutral", "negative", "unscored"}) {
    mention_series_[s] = &mentions_.Add({{"sentiment", s}});
  }
  static const prometheus::Histogram::BucketBoundaries kBounds{1, 5, 15, 30, 60, 120, 300, 900, 3600};
  for (int n = common::v1::Network_MIN; n <= common::v1::Network_MAX; ++n) {
    std::string network = NetworkName(static_cast<common::v1::Network>(n));
    for (const char* outcome : {"published", "failed"}) {
      outcome_series_[{network, outcome}] = &outcomes_.Add({{"network", network}, {"outcome", outcome}});
    }
    lag_series_[network] = &publish_lag_.Add({{"network", network}}, kBounds);
  }
}

void EventProbe::Applied(const std::string& topic, int64_t count) {
  if (auto it = applied_.find(topic); it != applied_.end()) it->second->Increment(static_cast<double>(count));
}

void EventProbe::Lag(const std::string& topic, int64_t messages) {
  if (auto it = lag_.find(topic); it != lag_.end()) it->second->Set(static_cast<double>(messages));
}

void EventProbe::Rebased(const std::string& topic) {
  if (auto it = rebases_.find(topic); it != rebases_.end()) it->second->Increment();
}

void EventProbe::Observed(const Observation& o) {
  if (!o.outcome.empty()) {
    if (auto it = outcome_series_.find({o.network, o.outcome}); it != outcome_series_.end()) it->second->Increment();
  }
  if (o.publish_lag_seconds) {
    if (auto it = lag_series_.find(o.network); it != lag_series_.end()) it->second->Observe(*o.publish_lag_seconds);
  }
  if (!o.sentiment.empty()) {
    if (auto it = mention_series_.find(o.sentiment); it != mention_series_.end()) it->second->Increment();
  }
}

}  // namespace herald::analytics
