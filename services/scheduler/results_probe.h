#pragma once
// What the results consumer reports: the effect of each delivery outcome it
// applied to a post, as an enum (every series exists from the start).
#include <prometheus/counter.h>
#include <prometheus/registry.h>

namespace herald::scheduler {

enum class AppliedOutcome { kPublished, kFailed, kRequeued };

class ResultsProbe {
 public:
  explicit ResultsProbe(prometheus::Registry& registry);
  void Applied(AppliedOutcome effect);
  // Storing a result failed; the record is retried (not committed).
  void StoreFailed() { store_failures_.Increment(); }

 private:
  prometheus::Family<prometheus::Counter>& applied_;
  prometheus::Counter& published_;
  prometheus::Counter& failed_;
  prometheus::Counter& requeued_;
  prometheus::Counter& store_failures_;
};

}  // namespace herald::scheduler
