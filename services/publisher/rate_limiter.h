#pragma once
// Network quotas enforced before the network says no: GCRA (a leaky bucket
// kept as one "theoretical arrival time" per window) in one Lua script, so
// every replica shares the budget and a decision is one round trip.
// Keys: rl:{<scope>}:<window name> — all windows of one scope share a slot.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis.h"

namespace herald::publisher {

struct QuotaWindow {
  std::string name;  // e.g. "5m"
  int64_t limit = 0;
  int64_t window_ms = 0;
};

struct QuotaDecision {
  bool allowed = false;
  // When denied: how long until the request would fit every window.
  int64_t retry_after_ms = 0;
};

class RateLimiter {
 public:
  explicit RateLimiter(RedisClient& redis) : redis_(redis) {}

  // Takes `cost` from every window of `scope`, or from none if any is full.
  absl::StatusOr<QuotaDecision> Acquire(const std::string& scope, const std::vector<QuotaWindow>& windows,
                                        int64_t now_ms, int64_t cost = 1);
  // Many decisions in one round trip (benchmarks, bulk admission).
  absl::StatusOr<std::vector<QuotaDecision>> AcquireMany(const std::vector<std::string>& scopes,
                                                         const std::vector<QuotaWindow>& windows, int64_t now_ms);
  // The network said 429 / reported no remaining quota: nothing more until until_ms.
  absl::Status BlockUntil(const std::string& scope, const std::vector<QuotaWindow>& windows, int64_t until_ms);

 private:
  RedisClient& redis_;
};

}  // namespace herald::publisher
