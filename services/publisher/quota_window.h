#pragma once
// Quota vocabulary shared by the network catalog (which defines the windows)
// and the rate limiter (which enforces them).
#include <algorithm>
#include <cstdint>
#include <string>

namespace herald::publisher {

struct QuotaWindow {
  std::string name;  // e.g. "15m"; part of the Redis key
  int64_t limit = 0;
  int64_t window_ms = 0;
  // Calls that may go back to back; 0 = max(2, limit / 50) (at most half the
  // limit). The steady rate is lowered to make room for it, so a full window
  // never exceeds limit - 1. A burst of 2 or more also lets a deferred call
  // that comes back a little early (queue latency varies) still fit.
  int64_t burst = 0;

  int64_t Burst() const {
    if (burst > 0) return burst;
    return std::clamp<int64_t>(limit / 50, std::min<int64_t>(2, limit / 2), std::max<int64_t>(1, limit / 2));
  }
};

// Callers of one network account share its budget in this order: a class may
// only use what the classes above it leave (NetworkCatalog::Reserve).
enum class Priority { kPublish = 0, kReply = 1, kListen = 2, kBackfill = 3 };
inline constexpr int kPriorities = 4;

// What the rate limiter needs to know of a caller's class: its rank (0 is
// publishing, the top; refused calls queue behind their own and higher
// ranks), the share of the burst allowance it leaves to the classes above it,
// and whether it is background work (reads: listening, backfill), which also
// leaves one whole call, so a post or a reply always finds the slot it would
// have had without the reads.
struct QuotaClass {
  int rank = 0;
  double reserve = 0;
  bool background = false;
};

}  // namespace herald::publisher
