#pragma once
// Consumes every counted topic and applies each poll's messages to the rollups
// with their offsets (RollupStore). Partitions start at the offset stored
// beside the counts, not at Kafka's committed offset; a refused batch seeks
// back to the stored offset.
#include <map>

#include <prometheus/registry.h>

#include "analytics/event_probe.h"
#include "analytics/rollup_store.h"
#include "common/background_thread.h"
#include "common/clock.h"
#include "common/event_gate.h"
#include "common/kafka.h"

namespace herald::analytics {

class EventConsumer {
 public:
  // A record that is not its topic's event goes to `dead_letters` (its offset
  // still advances with the batch, so the partition never stalls on it).
  EventConsumer(RollupStore& store, ConsumerOptions options, DeadLetters& dead_letters, const Clock& clock,
                prometheus::Registry& registry);
  void Start() { thread_.Start([this](const std::atomic<bool>& stopping) { Loop(stopping); }); }
  void Stop() { thread_.Stop(); }

 private:
  void Loop(const std::atomic<bool>& stopping);

  RollupStore& store_;
  ConsumerOptions options_;
  DeadLetters& dead_letters_;
  const Clock& clock_;
  EventProbe probe_;
  BackgroundThread thread_;
};

}  // namespace herald::analytics
