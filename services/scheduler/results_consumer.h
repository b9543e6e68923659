#pragma once
// Applies the publisher's outcomes (publish.results) to the stored posts:
// published, failed, or back into the due index for a retry or over-quota
// deferral. Offsets are committed after the post is updated (at-least-once;
// applying a result twice changes nothing). A published delivery of a post
// whose campaign it did not carry (the post joined after it was dispatched)
// is announced on posts.lifecycle, so it counts for the campaign.
#include "common/background_thread.h"
#include "common/clock.h"
#include "common/event_gate.h"
#include "common/kafka.h"
#include "scheduler/post_store.h"
#include "scheduler/results_probe.h"

namespace herald::scheduler {

class ResultsConsumer {
 public:
  // A record that is not a PublishResult goes to `dead_letters`.
  ResultsConsumer(PostStore& store, KafkaProducer& producer, ConsumerOptions options, DeadLetters& dead_letters,
                  const Clock& clock, prometheus::Registry& registry);
  void Start() { thread_.Start([this](const std::atomic<bool>& stopping) { Loop(stopping); }); }
  void Stop() { thread_.Stop(); }

 private:
  void Loop(const std::atomic<bool>& stopping);
  bool Apply(const KafkaMessage& message);

  PostStore& store_;
  KafkaProducer& producer_;
  ConsumerOptions options_;
  DeadLetters& dead_letters_;
  const Clock& clock_;
  ResultsProbe probe_;
  BackgroundThread thread_;
};

}  // namespace herald::scheduler
