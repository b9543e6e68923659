#pragma once
// Consumes every counted topic and applies each poll's messages to the rollups
// with their offsets (RollupStore). Partitions start at the offset stored
// beside the counts, not at Kafka's committed offset; a refused batch seeks
// back to the stored offset.
#include <atomic>
#include <map>
#include <thread>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "analytics/rollup_store.h"
#include "common/kafka.h"

namespace herald::analytics {

class EventConsumer {
 public:
  EventConsumer(RollupStore& store, ConsumerOptions options, prometheus::Registry& registry);
  ~EventConsumer() { Stop(); }
  void Start();
  void Stop();

 private:
  void Loop();

  RollupStore& store_;
  ConsumerOptions options_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  prometheus::Family<prometheus::Counter>& applied_family_;
  std::map<std::string, prometheus::Counter*> applied_;
  prometheus::Counter& fenced_;
};

}  // namespace herald::analytics
