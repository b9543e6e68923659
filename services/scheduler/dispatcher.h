#pragma once
// Moves due posts from the due index to Kafka (posts.due), one PostDue per
// target. A claim is acknowledged only after Kafka confirmed every target's
// message; otherwise the lease runs out and the reaper puts the post back —
// so a crash anywhere loses nothing, and the publisher's ledger drops the
// duplicate a re-dispatch can produce.
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/status/statusor.h"
#include "common/background_thread.h"
#include "common/clock.h"
#include "common/kafka.h"
#include "scheduler/post_store.h"

namespace herald::scheduler {

struct DispatcherOptions {
  int64_t lease_ms = 30000;
  int batch = 500;
  // Longest sleep when nothing is due (bounds the delay for new posts).
  int64_t max_idle_ms = 50;
};

class Dispatcher {
 public:
  Dispatcher(PostStore& store, KafkaProducer& producer, const Clock& clock, prometheus::Registry& registry,
             DispatcherOptions options);

  void Start() { thread_.Start([this](const std::atomic<bool>& stopping) { Loop(stopping); }); }
  void Stop() { thread_.Stop(); }
  // One pass over every shard. Returns the number of posts dispatched.
  absl::StatusOr<int> RunOnce();

 private:
  void Loop(const std::atomic<bool>& stopping);

  PostStore& store_;
  KafkaProducer& producer_;
  const Clock& clock_;
  DispatcherOptions options_;
  prometheus::Counter& dispatched_;
  prometheus::Counter& produce_failures_;
  prometheus::Counter& leases_expired_;
  prometheus::Histogram& lateness_;
  prometheus::Gauge& due_backlog_;
  prometheus::Gauge& inflight_;
  BackgroundThread thread_;  // last: stops before the members it uses go
};

}  // namespace herald::scheduler
