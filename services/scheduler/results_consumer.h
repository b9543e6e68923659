#pragma once
// Applies the publisher's outcomes (publish.results) to the stored posts:
// published, failed, or back into the due index for a retry or over-quota
// deferral. Offsets are committed after the post is updated (at-least-once;
// applying a result twice changes nothing).
#include <atomic>
#include <memory>
#include <thread>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "common/clock.h"
#include "common/kafka.h"
#include "scheduler/post_store.h"

namespace herald::scheduler {

class ResultsConsumer {
 public:
  ResultsConsumer(PostStore& store, ConsumerOptions options, const Clock& clock, prometheus::Registry& registry);
  ~ResultsConsumer() { Stop(); }
  void Start();
  void Stop();

 private:
  void Loop();
  bool Apply(const KafkaMessage& message);

  PostStore& store_;
  ConsumerOptions options_;
  const Clock& clock_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  prometheus::Family<prometheus::Counter>& outcomes_family_;
  prometheus::Counter& published_;
  prometheus::Counter& failed_;
  prometheus::Counter& requeued_;
};

}  // namespace herald::scheduler
