#pragma once
// Consumes every counted topic and applies each poll's facts to the rollups
// (RollupStore), exactly once. A partition resumes at the position stored
// beside the counts, not at Kafka's committed offset (which is kept only for
// lag dashboards). A stored position ahead of the log's end (the topic was
// recreated) is re-based to the log's start with a warning instead of
// waiting forever for offsets that will not come.
#include <map>
#include <memory>

#include <prometheus/registry.h>

#include "analytics/event_probe.h"
#include "analytics/store/rollup_store.h"
#include "common/background_thread.h"
#include "common/clock.h"
#include "common/event_gate.h"
#include "common/kafka.h"

namespace herald::analytics {

class EventConsumer {
 public:
  // A record that is not its topic's event, or states a fact that cannot be
  // counted, goes to `dead_letters` (the partition's position still moves
  // past it, so one poison record never stalls the rest).
  // `read_ages_ms`: when a published post's metrics are read (empty: never;
  // metrics/read_schedule.h).
  EventConsumer(RollupStore& store, ConsumerOptions options, DeadLetters& dead_letters, const Clock& clock,
                prometheus::Registry& registry, size_t max_poll = 5000, std::vector<int64_t> read_ages_ms = {});
  void Start() { thread_.Start([this](const std::atomic<bool>& stopping) { Loop(stopping); }); }
  void Stop() { thread_.Stop(); }

 private:
  using Partition = std::pair<std::string, int32_t>;
  struct Batch;
  void Loop(const std::atomic<bool>& stopping);
  // The three steps of a poll. Build and Finish run on the consumer thread
  // (they read and move the owned positions); Apply only talks to Redis,
  // on its own thread, so the next poll is read and turned into facts while
  // this one is written.
  std::unique_ptr<Batch> Build(std::vector<KafkaMessage> messages);
  // False when stopping before the batch went in.
  bool Apply(Batch& batch, const std::atomic<bool>& stopping);
  void Finish(Batch& batch, KafkaConsumer& consumer);
  // Inside a rebalance: where each assigned partition starts.
  void Assign(std::vector<TopicPartition>& parts);
  void ReportLag();

  RollupStore& store_;
  ConsumerOptions options_;
  DeadLetters& dead_letters_;
  const Clock& clock_;
  size_t max_poll_;
  std::vector<int64_t> read_ages_ms_;
  EventProbe probe_;
  BackgroundThread thread_;
  // The consumer thread's own (rebalance callbacks run on it, inside a poll).
  KafkaConsumer* consumer_ = nullptr;
  const std::atomic<bool>* stopping_ = nullptr;
  std::map<Partition, PartitionPosition> owned_;
  std::map<Partition, KafkaMessage> uncommitted_;
  std::chrono::steady_clock::time_point last_commit_{};
};

}  // namespace herald::analytics
