#pragma once
// Spike alerts over mention volume, per channel and per listening rule. Every
// accepted mention adds one to its series' current 5-minute bucket in Redis;
// CloseDue judges the buckets that have ended (SpikeDetector) and hands each
// spike to `emit` (the listener puts it on listening.alerts). Series state
// lives in Redis too, so a restart picks up where it stopped; a bucket is
// judged once (the state records the last one).
//   {lst}:workspaces                  SET  workspaces with volume
//   lst:{<ws>}:series                 SET  "channel:<id>", "rule:<id>"
//   lst:{<ws>}:vol:<series>           HASH bucket → count (2 days)
//   lst:{<ws>}:spike                  HASH series → SpikeState
//   lst:{<ws>}:alerts                 LIST the latest 200 spikes, newest first
// Closing is meant for one process at a time (CloseDue takes a lease). Each
// script touches one workspace's keys only (Redis Cluster).
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/redis.h"
#include "herald/events/v1/events.pb.h"
#include "listener/alerts/spike_detector.h"

namespace herald::listener {

class SpikeWatch {
 public:
  using Emit = std::function<absl::Status(const herald::events::v1::ListeningSpike&)>;
  SpikeWatch(RedisClient& redis, const Clock& clock, Emit emit, SpikePolicy policy = {})
      : redis_(redis), clock_(clock), emit_(std::move(emit)), detector_(policy) {}

  // One mention on its channel and for each rule it matched.
  absl::Status Record(const herald::events::v1::MentionReceived& mention);
  // Judges every ended bucket of every series; the spikes emitted. A spike
  // whose emit fails is judged again on the next call (its state is not
  // saved). FAILED_PRECONDITION when another process holds the lease.
  absl::StatusOr<std::vector<herald::events::v1::ListeningSpike>> CloseDue();
  // The workspace's latest spikes, newest first.
  absl::StatusOr<std::vector<herald::events::v1::ListeningSpike>> RecentSpikes(const std::string& workspace_id,
                                                                              int limit);
  static constexpr int kRecentKept = 200;

 private:
  absl::StatusOr<std::vector<herald::events::v1::ListeningSpike>> CloseSeries(const std::string& ws,
                                                                              const std::string& series,
                                                                              int64_t current_bucket);
  RedisClient& redis_;
  const Clock& clock_;
  Emit emit_;
  SpikeDetector detector_;
  std::mutex mu_;
  std::unordered_set<std::string> known_workspaces_;  // already in {lst}:workspaces
};

}  // namespace herald::listener
