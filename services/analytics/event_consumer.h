#pragma once
// Consumes every counted topic and applies each poll's messages to the rollups
// with their offsets (RollupStore). Partitions start at the offset stored
// beside the counts, not at Kafka's committed offset; a refused batch seeks
// back to the stored offset.
#include <map>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "analytics/rollup_store.h"
#include "common/background_thread.h"
#include "common/event_gate.h"
#include "common/kafka.h"

namespace herald::analytics {

class EventConsumer {
 public:
  // A record that is not its topic's event goes to `dead_letters` (its offset
  // still advances with the batch, so the partition never stalls on it).
  EventConsumer(RollupStore& store, ConsumerOptions options, DeadLetters& dead_letters, prometheus::Registry& registry);
  void Start() { thread_.Start([this](const std::atomic<bool>& stopping) { Loop(stopping); }); }
  void Stop() { thread_.Stop(); }

 private:
  void Loop(const std::atomic<bool>& stopping);

  RollupStore& store_;
  ConsumerOptions options_;
  DeadLetters& dead_letters_;
  prometheus::Family<prometheus::Counter>& applied_family_;
  std::map<std::string, prometheus::Counter*> applied_;
  prometheus::Counter& fenced_;
  BackgroundThread thread_;
};

}  // namespace herald::analytics
