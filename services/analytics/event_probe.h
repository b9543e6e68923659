#pragma once
// What the analytics event consumer reports: events applied per counted topic
// (the topics are its configuration, so the series are bounded and made up
// front), batches fenced off, and failed writes to the rollups.
#include <map>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

namespace herald::analytics {

class EventProbe {
 public:
  EventProbe(prometheus::Registry& registry, const std::vector<std::string>& topics);
  // `count` events of `topic` applied (a topic not configured is not counted).
  void Applied(const std::string& topic, int64_t count);
  // A batch refused because its partition's stored offset was ahead.
  void Fenced() { fenced_.Increment(); }
  // Writing a poll's batches to the rollups failed; it is retried.
  void ApplyFailed() { apply_failures_.Increment(); }

 private:
  prometheus::Family<prometheus::Counter>& applied_family_;
  std::map<std::string, prometheus::Counter*> applied_;
  prometheus::Counter& fenced_;
  prometheus::Counter& apply_failures_;
};

}  // namespace herald::analytics
