#pragma once
// Reporting periods in a user's time zone, exact in every zone.
//
// Rollups are kept in 15-minute UTC buckets. Every UTC offset in use is a
// multiple of 15 minutes (India +5:30, Nepal +5:45, Chatham +12:45, Lord
// Howe's 30-minute daylight saving), so every local hour, day and week
// boundary falls on a bucket boundary: a report sums whole buckets and is
// exact wherever its reader lives. A day across a DST change is 23 or 25
// hours long (23.5 or 24.5 on Lord Howe), never a shifted 24. No I/O.
#include <cstdint>
#include <map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace herald::analytics {

constexpr int64_t kBucketMs = 15 * 60 * 1000;

// The bucket an instant falls in (its start, in ms since the epoch).
int64_t BucketOf(int64_t ms);

enum class Granularity { kHour, kDay, kWeek };

struct Period {
  int64_t start_ms = 0;  // inclusive
  int64_t end_ms = 0;    // exclusive
  absl::CivilSecond local_start;  // as the reader's clock showed it
};

// The local periods that cover [from_ms, to_ms), each from one local
// boundary to the next (weeks start on Monday). The first starts at the
// boundary at or before from_ms. A local hour that happens twice (clocks set
// back) is one period of two hours; one that does not happen is no period.
// INVALID_ARGUMENT when to_ms <= from_ms or more than `max_periods` would be
// needed.
absl::StatusOr<std::vector<Period>> LocalPeriods(absl::TimeZone zone, int64_t from_ms, int64_t to_ms,
                                                 Granularity granularity, size_t max_periods);

// Sums 15-minute buckets (start ms → count) into the periods; buckets outside
// every period are left out.
std::vector<int64_t> SumInto(const std::vector<Period>& periods, const std::map<int64_t, int64_t>& buckets);

}  // namespace herald::analytics
