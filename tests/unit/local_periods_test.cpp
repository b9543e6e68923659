// Reporting periods in the reader's zone (analytics/report/local_periods.h):
// days across both New York DST changes, India's and Nepal's offsets, Lord
// Howe's half-hour daylight saving, Monday weeks, and buckets summed exactly.
// And the figures a report shows (figures.h), on hand-computed cases.
#include <gtest/gtest.h>

#include "analytics/report/figures.h"
#include "analytics/report/local_periods.h"
#include "common/time_util.h"

namespace herald::analytics {
namespace {

constexpr int64_t kMinute = 60'000, kHour = 60 * kMinute;

int64_t Utc(int y, int mo, int d, int h, int mi) {
  return absl::ToUnixMillis(absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone()));
}

absl::TimeZone Zone(const char* name) {
  auto z = LoadZone(name);
  EXPECT_TRUE(z.has_value()) << name;
  return z.value_or(absl::UTCTimeZone());
}

std::vector<Period> Days(const char* zone, int64_t from, int64_t to) {
  auto p = LocalPeriods(Zone(zone), from, to, Granularity::kDay, 1000);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : std::vector<Period>{};
}

TEST(LocalPeriods, NewYorkDaysAcrossDstAre23And25Hours) {
  // Sunday 8 March 2026 (clocks forward) and Sunday 1 November 2026 (back).
  auto spring = Days("America/New_York", Utc(2026, 3, 8, 12, 0), Utc(2026, 3, 8, 13, 0));
  ASSERT_EQ(spring.size(), 1u);
  EXPECT_EQ(spring[0].start_ms, Utc(2026, 3, 8, 5, 0));  // midnight EST
  EXPECT_EQ(spring[0].end_ms - spring[0].start_ms, 23 * kHour);
  EXPECT_EQ(spring[0].local_start, absl::CivilSecond(2026, 3, 8, 0, 0, 0));
  auto fall = Days("America/New_York", Utc(2026, 11, 1, 12, 0), Utc(2026, 11, 1, 13, 0));
  ASSERT_EQ(fall.size(), 1u);
  EXPECT_EQ(fall[0].start_ms, Utc(2026, 11, 1, 4, 0));  // midnight EDT
  EXPECT_EQ(fall[0].end_ms - fall[0].start_ms, 25 * kHour);
  // A week of days around it: consecutive, no gap, no overlap.
  auto week = Days("America/New_York", Utc(2026, 10, 29, 12, 0), Utc(2026, 11, 4, 12, 0));
  ASSERT_EQ(week.size(), 7u);
  for (size_t i = 1; i < week.size(); ++i) EXPECT_EQ(week[i].start_ms, week[i - 1].end_ms);
}

TEST(LocalPeriods, NewYorkHoursSkipTheMissingHourAndLengthenTheRepeatedOne) {
  auto z = Zone("America/New_York");
  auto spring = LocalPeriods(z, Utc(2026, 3, 8, 5, 0), Utc(2026, 3, 9, 4, 0), Granularity::kHour, 100);
  ASSERT_TRUE(spring.ok());
  EXPECT_EQ(spring->size(), 23u);
  for (const auto& p : *spring) EXPECT_NE(p.local_start.hour(), 2) << "02:00 never happened";
  auto fall = LocalPeriods(z, Utc(2026, 11, 1, 4, 0), Utc(2026, 11, 2, 5, 0), Granularity::kHour, 100);
  ASSERT_TRUE(fall.ok());
  EXPECT_EQ(fall->size(), 24u);
  EXPECT_EQ((*fall)[1].local_start.hour(), 1);
  EXPECT_EQ((*fall)[1].end_ms - (*fall)[1].start_ms, 2 * kHour) << "01:00 happened twice";
}

TEST(LocalPeriods, IndiaAndNepalDaysBeginOnTheirOwnQuarterHours) {
  auto kolkata = Days("Asia/Kolkata", Utc(2026, 12, 1, 12, 0), Utc(2026, 12, 2, 12, 0));
  ASSERT_EQ(kolkata.size(), 2u);
  EXPECT_EQ(kolkata[0].start_ms, Utc(2026, 11, 30, 18, 30));
  EXPECT_EQ(kolkata[1].start_ms, Utc(2026, 12, 1, 18, 30));
  auto kathmandu = Days("Asia/Kathmandu", Utc(2026, 12, 1, 12, 0), Utc(2026, 12, 1, 13, 0));
  ASSERT_EQ(kathmandu.size(), 1u);
  EXPECT_EQ(kathmandu[0].start_ms, Utc(2026, 11, 30, 18, 15));
  for (const auto& p : kathmandu) {
    EXPECT_EQ(p.start_ms % kBucketMs, 0) << "on a bucket boundary";
    EXPECT_EQ(p.end_ms % kBucketMs, 0);
  }
}

TEST(LocalPeriods, LordHoweDaysAcrossItsHalfHourDstAre23AndAHalfAnd24AndAHalfHours) {
  // Clocks go forward 30 minutes on Sunday 4 October 2026 and back on Sunday 5 April 2026.
  auto forward = Days("Australia/Lord_Howe", Utc(2026, 10, 4, 6, 0), Utc(2026, 10, 4, 7, 0));
  ASSERT_EQ(forward.size(), 1u);
  EXPECT_EQ(forward[0].end_ms - forward[0].start_ms, 23 * kHour + 30 * kMinute);
  auto back = Days("Australia/Lord_Howe", Utc(2026, 4, 5, 6, 0), Utc(2026, 4, 5, 7, 0));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].end_ms - back[0].start_ms, 24 * kHour + 30 * kMinute);
  for (const auto& p : forward) EXPECT_EQ(p.start_ms % kBucketMs, 0);
  // The hour the change happens in is half an hour long.
  auto hours = LocalPeriods(Zone("Australia/Lord_Howe"), forward[0].start_ms, forward[0].end_ms, Granularity::kHour, 100);
  ASSERT_TRUE(hours.ok());
  int64_t total = 0;
  bool half = false;
  for (const auto& h : *hours) {
    total += h.end_ms - h.start_ms;
    half |= h.end_ms - h.start_ms == 30 * kMinute;
  }
  EXPECT_TRUE(half);
  EXPECT_EQ(total, 23 * kHour + 30 * kMinute) << "the hours add up to the day";
}

TEST(LocalPeriods, WeeksStartOnMonday) {
  auto weeks = LocalPeriods(Zone("Europe/Berlin"), Utc(2026, 12, 3, 12, 0), Utc(2026, 12, 10, 12, 0),
                            Granularity::kWeek, 10);
  ASSERT_TRUE(weeks.ok());
  ASSERT_EQ(weeks->size(), 2u);
  EXPECT_EQ((*weeks)[0].local_start, absl::CivilSecond(2026, 11, 30, 0, 0, 0));  // a Monday
  EXPECT_EQ((*weeks)[0].start_ms, Utc(2026, 11, 29, 23, 0));
  EXPECT_EQ((*weeks)[1].start_ms - (*weeks)[0].start_ms, 7 * 24 * kHour);
}

TEST(LocalPeriods, BucketsAreSummedIntoTheirLocalDaysExactly) {
  // Kolkata: a count at 18:15 UTC is the previous local day's, one at 18:30 the next's.
  auto days = Days("Asia/Kolkata", Utc(2026, 12, 1, 0, 0), Utc(2026, 12, 2, 0, 0));
  ASSERT_EQ(days.size(), 2u);
  std::map<int64_t, int64_t> buckets = {{BucketOf(Utc(2026, 12, 1, 18, 20)), 3},
                                        {BucketOf(Utc(2026, 12, 1, 18, 30)), 5},
                                        {BucketOf(Utc(2026, 11, 30, 18, 29)), 7},
                                        {BucketOf(Utc(2027, 1, 1, 0, 0)), 100}};
  auto sums = SumInto(days, buckets);
  // 18:29 UTC on 30 November is 23:59 on 30 November in Kolkata, a day before
  // the range; the one in 2027 is after it. Both are left out.
  EXPECT_EQ(sums, (std::vector<int64_t>{3, 5}));
}

TEST(LocalPeriods, ABadRangeIsRefused) {
  auto z = Zone("UTC");
  EXPECT_TRUE(absl::IsInvalidArgument(LocalPeriods(z, 10, 10, Granularity::kDay, 10).status()));
  auto too_many = LocalPeriods(z, Utc(2026, 1, 1, 0, 0), Utc(2026, 12, 31, 0, 0), Granularity::kHour, 24 * 90);
  EXPECT_TRUE(absl::IsInvalidArgument(too_many.status()));
  EXPECT_EQ(BucketOf(-1), -kBucketMs) << "floors before 1970 too";
  EXPECT_EQ(BucketOf(Utc(2026, 12, 1, 10, 14) + 59'999), Utc(2026, 12, 1, 10, 0));
}

}  // namespace
}  // namespace herald::analytics

namespace herald::analytics {
namespace {

TEST(Figures, RatesOnHandComputedCasesAndAbsentRatherThanDividedByZero) {
  ASSERT_TRUE(EngagementRate(25, 1000).has_value());
  EXPECT_DOUBLE_EQ(*EngagementRate(25, 1000), 0.025);
  EXPECT_FALSE(EngagementRate(25, 0).has_value()) << "zero impressions: no rate";
  EXPECT_FALSE(EngagementRate(25, std::nullopt).has_value()) << "a network that gives no impressions: no rate";
  EXPECT_DOUBLE_EQ(*SuccessRatio(9, 1), 0.9);
  EXPECT_FALSE(SuccessRatio(0, 0).has_value());
}

TEST(Figures, NearestRankPercentiles) {
  // Publish lags of 1..20 s, shuffled.
  std::vector<int64_t> lags;
  for (int i = 20; i >= 1; --i) lags.push_back(i * 1000);
  auto p = PercentilesOf(lags);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->p50, 10'000);
  EXPECT_EQ(p->p90, 18'000);
  EXPECT_EQ(p->p99, 20'000);
  EXPECT_EQ(PercentilesOf({42})->p50, 42);
  EXPECT_FALSE(PercentilesOf({}).has_value());
}

}  // namespace
}  // namespace herald::analytics
