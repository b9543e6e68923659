#pragma once
// Moves due posts from the due index to Kafka (posts.due), one PostDue per
// target, without waiting on Kafka in the claiming loop:
//
//   claim loop:  reap expired leases → claim due posts on every shard (one
//                round trip) → produce their messages → claim again
//   completion:  when Kafka confirmed every message of a post, the post is
//                marked DISPATCHED and its claim ended — in batches, one
//                compare-and-set pipeline per batch
//
// A claim is acknowledged only after Kafka confirmed the post's messages;
// otherwise its lease runs out and the reaper puts it back. So a crash
// anywhere loses nothing, and the publisher's ledger drops the duplicate a
// re-dispatch can produce.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>

#include <prometheus/registry.h>

#include "absl/status/statusor.h"
#include "common/background_thread.h"
#include "common/clock.h"
#include "common/kafka.h"
#include "scheduler/dispatcher_probe.h"
#include "scheduler/post_store.h"

namespace herald::scheduler {

struct DispatcherOptions {
  int64_t lease_ms = 30000;
  // Posts claimed per shard per round.
  int batch = 500;
  // Longest sleep when nothing is due (bounds the delay for new posts).
  int64_t max_idle_ms = 50;
  // Claimed posts waiting for Kafka, at most.
  int max_in_flight = 20000;
  // How often pauses are re-read and expired leases reaped.
  int64_t refresh_ms = 200;
};

class Dispatcher {
 public:
  Dispatcher(PostStore& store, KafkaProducer& producer, const Clock& clock, prometheus::Registry& registry,
             DispatcherOptions options);
  ~Dispatcher() { Stop(); }

  void Start();
  void Stop();
  // One claim round over every shard, then waits until Kafka confirmed them
  // and they are marked (tests, benchmarks). Returns posts dispatched.
  absl::StatusOr<int> RunOnce();

 private:
  struct InFlight;

  struct RoundResult {
    int claimed = 0;
    // When to claim again (ms since epoch); 0 = at once.
    int64_t next_round_ms = 0;
  };
  // Claims what is due and produces it.
  absl::StatusOr<RoundResult> ClaimAndProduce();
  // Marks every post whose messages Kafka confirmed. Returns posts dispatched.
  absl::StatusOr<int> Complete(std::deque<std::shared_ptr<InFlight>> done);
  void Finished(std::shared_ptr<InFlight> post);
  void ClaimLoop(const std::atomic<bool>& stopping);
  void CompleteLoop(const std::atomic<bool>& stopping);

  PostStore& store_;
  KafkaProducer& producer_;
  const Clock& clock_;
  DispatcherOptions options_;
  std::atomic<int> in_flight_{0};
  // Holds and lease reaping change rarely: refreshed on a timer, not every round.
  std::map<std::string, std::string> holds_;
  int64_t holds_loaded_ms_ = 0;
  int64_t reaped_ms_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<InFlight>> done_;

  DispatcherProbe probe_;
  BackgroundThread claim_thread_;  // last: they stop before the members they use go
  BackgroundThread complete_thread_;
};

}  // namespace herald::scheduler
