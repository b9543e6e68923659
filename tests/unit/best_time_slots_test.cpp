// Hour-of-week scores into times to post and a queue plan (scheduler/best_time_slots.h).
#include <gtest/gtest.h>

#include "absl/time/civil_time.h"
#include "scheduler/best_time_slots.h"

namespace herald::scheduler {
namespace {

int64_t At(absl::CivilHour h, absl::TimeZone z) { return absl::ToUnixMillis(absl::FromCivil(h, z)); }

TEST(BestTimeSlots, NextOccurrencesBestFirstSkippingTakenAndPastHours) {
  absl::TimeZone ny;
  ASSERT_TRUE(absl::LoadTimeZone("America/New_York", &ny));
  // Now: Wednesday 2026-03-04 12:00 in New York.
  int64_t now = At(absl::CivilHour(2026, 3, 4, 12), ny);
  std::vector<ScoredHour> hours{{24 + 9, 3.0}, {48 + 15, 2.0}, {48 + 9, 1.5}};  // Tue 09, Wed 15, Wed 09
  auto times = BestUpcomingTimes(hours, ny, now, {}, 3);
  ASSERT_EQ(times.size(), 3u);
  // Tuesday 09:00 has passed this week: next Tuesday, across the DST change (still 09:00 local).
  EXPECT_EQ(times[0], At(absl::CivilHour(2026, 3, 10, 9), ny));
  EXPECT_EQ(times[1], At(absl::CivilHour(2026, 3, 4, 15), ny));  // later today
  EXPECT_EQ(times[2], At(absl::CivilHour(2026, 3, 11, 9), ny));
  // A taken instant is skipped; the next best fills in.
  auto free = BestUpcomingTimes(hours, ny, now, {At(absl::CivilHour(2026, 3, 10, 9), ny)}, 1);
  ASSERT_EQ(free.size(), 1u);
  EXPECT_EQ(free[0], At(absl::CivilHour(2026, 3, 4, 15), ny));
}

TEST(BestTimeSlots, AQueuePlanIsTheBestHoursInWeekOrder) {
  std::vector<ScoredHour> hours{{100, 0.5}, {150, 2.0}, {3, 1.8}, {60, 1.9}};
  auto slots = ProposedSlots(hours, 3);
  ASSERT_EQ(slots.size(), 3u);
  EXPECT_EQ(slots[0].day_of_week, 1);  // Monday 03:00
  EXPECT_EQ(slots[0].hour, 3);
  EXPECT_EQ(slots[1].day_of_week, 3);  // Wednesday 12:00
  EXPECT_EQ(slots[1].hour, 12);
  EXPECT_EQ(slots[2].day_of_week, 7);  // Sunday 06:00
  EXPECT_EQ(slots[2].hour, 6);
}

}  // namespace
}  // namespace herald::scheduler
