#include "scheduler/recurrence.h"

#include <gtest/gtest.h>

namespace herald::scheduler {
namespace {

absl::TimeZone Zone(const std::string& name) {
  auto z = LoadZone(name);
  EXPECT_TRUE(z.has_value()) << name;
  return *z;
}

absl::CivilMinute Local(int64_t ms, const absl::TimeZone& z) { return absl::ToCivilMinute(absl::FromUnixMillis(ms), z); }

int64_t Utc(int y, int mo, int d, int h, int mi) {
  return absl::ToUnixMillis(absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::UTCTimeZone()));
}

std::vector<int64_t> Expand(const std::string& rrule, absl::CivilMinute start, const absl::TimeZone& z, size_t max = 50) {
  auto rule = ParseRRule(rrule);
  EXPECT_TRUE(rule.ok()) << rule.status();
  return Occurrences(*rule, start, z, INT64_MIN, max);
}

// 09:00 stays 09:00 local across the change, and the UTC instant moves by an hour.
void ExpectNineAmAcross(const std::string& zone, absl::CivilDay before, int offset_change_hours) {
  auto z = Zone(zone);
  auto times = Expand("FREQ=DAILY;COUNT=4", absl::CivilMinute(before.year(), before.month(), before.day(), 9, 0), z);
  ASSERT_EQ(times.size(), 4u);
  for (size_t i = 0; i < times.size(); ++i) {
    auto local = Local(times[i], z);
    EXPECT_EQ(local.hour(), 9) << zone << " day " << i;
    EXPECT_EQ(local.minute(), 0);
    EXPECT_EQ(absl::CivilDay(local), before + static_cast<int64_t>(i));
  }
  // Across the change one "day" is 23 or 25 hours of real time.
  int64_t gap = times[3] - times[0];
  EXPECT_EQ(gap, (3 * 24 - offset_change_hours) * 3600000LL) << zone;
}

TEST(Recurrence, DailyNineAmKeepsLocalTimeAcrossDstInBothHemispheres) {
  ExpectNineAmAcross("America/New_York", absl::CivilDay(2026, 3, 7), 1);   // spring forward: 23 h day
  ExpectNineAmAcross("America/New_York", absl::CivilDay(2026, 10, 31), -1);  // fall back: 25 h day
  ExpectNineAmAcross("Australia/Sydney", absl::CivilDay(2026, 10, 3), 1);   // southern spring forward
  ExpectNineAmAcross("Australia/Sydney", absl::CivilDay(2026, 4, 4), -1);   // southern fall back
  ExpectNineAmAcross("Europe/Berlin", absl::CivilDay(2026, 3, 28), 1);
}

TEST(Recurrence, NonexistentLocalTimeMovesForwardAndRepeatedTimeTakesTheFirst) {
  auto ny = Zone("America/New_York");
  // 02:30 does not exist on 2026-03-08 in New York: it becomes 03:30 EDT (07:30 UTC).
  auto times = Expand("FREQ=DAILY;COUNT=3", absl::CivilMinute(2026, 3, 7, 2, 30), ny);
  ASSERT_EQ(times.size(), 3u);
  EXPECT_EQ(times[1], Utc(2026, 3, 8, 7, 30));
  EXPECT_EQ(Local(times[2], ny).hour(), 2);
  // 01:30 happens twice on 2026-11-01: the first (EDT, 05:30 UTC).
  times = Expand("FREQ=DAILY;COUNT=1", absl::CivilMinute(2026, 11, 1, 1, 30), ny);
  EXPECT_EQ(times[0], Utc(2026, 11, 1, 5, 30));
}

TEST(Recurrence, MonthlyOnThe31stSkipsShorterMonthsAndMinusOneIsTheLastDay) {
  auto z = Zone("Europe/Paris");
  auto times = Expand("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=7", absl::CivilMinute(2026, 1, 31, 10, 0), z);
  std::vector<int> months;
  for (auto t : times) {
    EXPECT_EQ(Local(t, z).day(), 31);
    months.push_back(Local(t, z).month());
  }
  EXPECT_EQ(months, (std::vector<int>{1, 3, 5, 7, 8, 10, 12}));

  times = Expand("FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3", absl::CivilMinute(2027, 1, 1, 18, 0), z);
  ASSERT_EQ(times.size(), 3u);
  EXPECT_EQ(Local(times[0], z).day(), 31);
  EXPECT_EQ(Local(times[1], z).day(), 28);  // February 2027
  EXPECT_EQ(Local(times[2], z).day(), 31);
}

TEST(Recurrence, WeeklyByDayWithIntervalHoursAndCount) {
  auto z = Zone("UTC");
  // Starts Wednesday 2026-12-02; every second week on Monday and Friday at 08:00 and 17:30.
  auto times = Expand("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;BYHOUR=8,17;BYMINUTE=30;COUNT=6",
                      absl::CivilMinute(2026, 12, 2, 0, 0), z);
  std::vector<std::string> got;
  for (auto t : times) got.push_back(absl::FormatCivilTime(Local(t, z)));
  EXPECT_EQ(got, (std::vector<std::string>{"2026-12-04T08:30", "2026-12-04T17:30", "2026-12-14T08:30",
                                           "2026-12-14T17:30", "2026-12-18T08:30", "2026-12-18T17:30"}));
}

TEST(Recurrence, UntilIsInclusiveAndAfterSkipsPastOccurrences) {
  auto z = Zone("UTC");
  auto rule = ParseRRule("FREQ=DAILY;UNTIL=20261205T090000Z");
  ASSERT_TRUE(rule.ok());
  auto all = Occurrences(*rule, absl::CivilMinute(2026, 12, 1, 9, 0), z, INT64_MIN, 100);
  EXPECT_EQ(all.size(), 5u);
  auto later = Occurrences(*rule, absl::CivilMinute(2026, 12, 1, 9, 0), z, all[2], 100);
  EXPECT_EQ(later.size(), 2u);
  // COUNT counts from the start even when asking only for later ones.
  auto counted = ParseRRule("FREQ=DAILY;COUNT=3");
  EXPECT_EQ(Occurrences(*counted, absl::CivilMinute(2026, 12, 1, 9, 0), z, all[1], 100).size(), 1u);
}

TEST(Recurrence, MalformedRulesNameWhatIsWrong) {
  auto msg = [](const std::string& r) { return std::string(ParseRRule(r).status().message()); };
  EXPECT_NE(msg("").find("empty"), std::string::npos);
  EXPECT_NE(msg("FREQ=YEARLY").find("FREQ=YEARLY"), std::string::npos);
  EXPECT_NE(msg("BYDAY=MO").find("FREQ is required"), std::string::npos);
  EXPECT_NE(msg("FREQ=WEEKLY;BYDAY=1MO").find("BYDAY"), std::string::npos);
  EXPECT_NE(msg("FREQ=DAILY;BYHOUR=24").find("BYHOUR"), std::string::npos);
  EXPECT_NE(msg("FREQ=DAILY;INTERVAL=0").find("INTERVAL"), std::string::npos);
  EXPECT_NE(msg("FREQ=DAILY;COUNT=2;UNTIL=20261231T000000Z").find("COUNT and UNTIL"), std::string::npos);
  EXPECT_NE(msg("FREQ=DAILY;UNTIL=2026-12-31").find("UNTIL"), std::string::npos);
  EXPECT_NE(msg("FREQ=DAILY;BYSETPOS=1").find("BYSETPOS"), std::string::npos);
  EXPECT_NE(msg("FREQ=DAILY;junk").find("NAME=VALUE"), std::string::npos);
  EXPECT_TRUE(ParseRRule("RRULE:FREQ=DAILY").ok());
  EXPECT_FALSE(LoadZone("Mars/Olympus_Mons").has_value());
  EXPECT_FALSE(LoadZone("").has_value());
}

TEST(QueueSlots, NextSlotsKeepLocalTimesAcrossDst) {
  auto berlin = Zone("Europe/Berlin");
  std::vector<QueueSlot> plan{{absl::Weekday::monday, 9, 0}, {absl::Weekday::thursday, 14, 30}};
  // From Thursday 2026-10-22 noon local: across the 2026-10-25 change.
  int64_t from = LocalToUnixMs(absl::CivilMinute(2026, 10, 22, 12, 0), berlin);
  auto slots = NextSlotTimes(plan, berlin, from, 4);
  std::vector<std::string> got;
  for (auto t : slots) got.push_back(absl::FormatCivilTime(Local(t, berlin)));
  EXPECT_EQ(got, (std::vector<std::string>{"2026-10-22T14:30", "2026-10-26T09:00", "2026-10-29T14:30",
                                           "2026-11-02T09:00"}));
  EXPECT_EQ(slots[1] - slots[0], (3 * 24 + 19) * 3600000LL - 30 * 60000LL + 3600000LL);  // 25 h Sunday
  EXPECT_TRUE(NextSlotTimes({}, berlin, from, 3).empty());
}

}  // namespace
}  // namespace herald::scheduler
