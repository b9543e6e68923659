#pragma once
// Network quotas enforced before the network says no: GCRA (one "theoretical
// arrival time" per window) in one Lua script, so every replica shares the
// budget and a decision is one round trip.
//
// A window of `limit` calls per `window_ms` with burst b admits b calls back to
// back and then one every window_ms / (limit - b): never more than limit - 1
// in any span of window_ms, whatever the network's own window boundaries and
// the request latency, so the network never has to answer 429; in steady
// overload (limit - b) / limit of the quota is used (98 % with the default
// burst). A class below publishing may only take a call while its reserve
// share of the burst allowance is left, and background work (reads) one
// whole call more, so after a read a post or a reply still finds the slot it
// would have had; lower classes use what the higher ones leave.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis.h"
#include "common/strong_types.h"
#include "publisher/quota_window.h"

namespace herald::publisher {

// One window to charge. Every key of one plan must share a Redis hash tag.
struct QuotaCharge {
  std::string key;
  QuotaWindow window;
  int64_t cost = 1;
};
using QuotaPlan = std::vector<QuotaCharge>;

struct QuotaDecision {
  bool allowed = false;
  // When denied: how long until the call would fit every window.
  int64_t retry_after_ms = 0;
};

struct QuotaHeadroom {
  QuotaWindow window;
  // Calls of cost 1 that fit now, back to back (0 when the window is full).
  int64_t available = 0;
  // When the next call fits (now when available > 0).
  int64_t next_ms = 0;
};

class RateLimiter {
 public:
  explicit RateLimiter(RedisClient& redis) : redis_(redis) {}

  // Charges every window of the plan, or none if any is full for this reserve.
  absl::StatusOr<QuotaDecision> Acquire(const QuotaPlan& plan, QuotaClass c, TimePoint now);
  // Many decisions in one round trip (benchmarks, bulk admission).
  absl::StatusOr<std::vector<QuotaDecision>> AcquireMany(const std::vector<QuotaPlan>& plans, QuotaClass c,
                                                         TimePoint now);
  // The network said 429 or reported nothing left: nothing more until `until`.
  absl::Status BlockUntil(const QuotaPlan& plan, TimePoint until);
  absl::StatusOr<std::vector<QuotaHeadroom>> Headroom(const QuotaPlan& plan, TimePoint now);

  // SHA-1 of the decision script (benchmarks compare with redis-benchmark EVALSHA).
  static const std::string& AcquireScriptSha();

 private:
  RedisClient& redis_;
};

}  // namespace herald::publisher
