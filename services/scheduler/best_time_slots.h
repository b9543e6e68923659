#pragma once
// Turns analytics' hour-of-week scores for a channel into concrete times to
// post in the coming week and into a queue plan. No I/O.
#include <cstdint>
#include <vector>

#include "absl/time/time.h"

namespace herald::scheduler {

struct ScoredHour {
  int hour_of_week = 0;  // 0 = Monday 00:00 local … 167 = Sunday 23:00
  double score = 0;      // relative to the channel's mean
};

// The start of each scored hour's next occurrence after `now_ms` in `zone`
// (an hour a DST change skips moves to the hour after it), best score first,
// skipping instants in `taken`, at most `count`.
std::vector<int64_t> BestUpcomingTimes(const std::vector<ScoredHour>& hours, absl::TimeZone zone, int64_t now_ms,
                                       const std::vector<int64_t>& taken, size_t count);

// ISO weekday (1 = Monday) and hour of an hour of the week.
struct WeeklySlot {
  int day_of_week = 1;
  int hour = 0;
};
// The best `count` hours as weekly slots, in week order (a queue plan).
std::vector<WeeklySlot> ProposedSlots(const std::vector<ScoredHour>& hours, size_t count);

}  // namespace herald::scheduler
