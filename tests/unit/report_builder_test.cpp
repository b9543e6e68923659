// Figures per period from 15-minute buckets (analytics/report/report_builder.h),
// on hand-computed cases.
#include <gtest/gtest.h>

#include <algorithm>

#include "absl/time/time.h"
#include "analytics/csv_export.h"
#include "analytics/post_figures.h"
#include "analytics/report/figures.h"
#include "analytics/report/report_builder.h"

namespace herald::analytics {
namespace {

constexpr int64_t kHour = 3600000;
constexpr int64_t kT = 1764547200000;  // 2025-12-01T00:00:00Z, a Monday

// A bucket count, kept in bucket order as the reader gives them.
void Put(SeriesBuckets& g, const std::string& figure, int64_t bucket, int64_t count) {
  auto& list = g[figure];
  list.emplace_back(bucket, count);
  std::sort(list.begin(), list.end());
}

std::vector<Period> Hours(int n) {
  std::vector<Period> out;
  for (int i = 0; i < n; ++i) out.push_back({kT + i * kHour, kT + (i + 1) * kHour, {}});
  return out;
}

TEST(ReportBuilder, CountsSumIntoTheirPeriodsAndTheTotal) {
  SeriesBuckets g;
  Put(g, "pub", kT, 2);
  Put(g, "pub", kT + 45 * 60000, 1);  // the last quarter of hour 0
  Put(g, "pub", kT + kHour, 4);
  Put(g, "pub", kT + 5 * kHour, 100);  // outside the periods
  auto r = BuildFigures(Hours(3), g, {v1::FIGURE_POSTS_PUBLISHED, v1::FIGURE_POSTS_FAILED});
  EXPECT_EQ(r[0].values, (std::vector<std::optional<double>>{3, 4, 0}));
  EXPECT_EQ(r[0].total, 7);
  // Nothing failed: zero, not absent (a count is known to be zero).
  EXPECT_EQ(r[1].values, (std::vector<std::optional<double>>{0, 0, 0}));
}

TEST(ReportBuilder, EngagementRateIsAbsentWithoutImpressionsAndNeverDividesByZero) {
  SeriesBuckets g;
  // Hour 0: 20 engagements over 1000 impressions. Hour 1: impressions
  // reported as 0. Hour 2: a network without impressions (engagements only).
  Put(g, "engi", kT, 20);
  Put(g, "imp", kT, 1000);
  Put(g, "eng", kT, 20);
  Put(g, "imp", kT + kHour, 0);
  Put(g, "eng", kT + 2 * kHour, 7);
  auto r = BuildFigures(Hours(3), g, {v1::FIGURE_ENGAGEMENT_RATE, v1::FIGURE_IMPRESSIONS, v1::FIGURE_ENGAGEMENTS});
  EXPECT_DOUBLE_EQ(*r[0].values[0], 0.02);
  EXPECT_FALSE(r[0].values[1].has_value());
  EXPECT_FALSE(r[0].values[2].has_value());
  EXPECT_DOUBLE_EQ(*r[0].total, 0.02);
  // Impressions: reported (1000, then 0) or absent.
  EXPECT_EQ(r[1].values, (std::vector<std::optional<double>>{1000, 0, std::nullopt}));
  EXPECT_EQ(r[2].values, (std::vector<std::optional<double>>{20, std::nullopt, 7}));
}

TEST(ReportBuilder, RatiosAndMeansComeFromThePeriodsSums) {
  SeriesBuckets g;
  Put(g, "pub", kT, 3);
  Put(g, "fail", kT, 1);
  Put(g, "pub", kT + kHour, 1);
  Put(g, "sen", kT, 900);  // two scored mentions: 0.6 and 0.3
  Put(g, "scd", kT, 2);
  auto r = BuildFigures(Hours(3), g, {v1::FIGURE_SUCCESS_RATIO, v1::FIGURE_SENTIMENT});
  EXPECT_DOUBLE_EQ(*r[0].values[0], 0.75);
  EXPECT_DOUBLE_EQ(*r[0].values[1], 1.0);
  EXPECT_FALSE(r[0].values[2].has_value());  // nothing attempted
  EXPECT_DOUBLE_EQ(*r[0].total, 0.8);        // 4 of 5, not the mean of 0.75 and 1
  EXPECT_DOUBLE_EQ(*r[1].values[0], 0.45);
  EXPECT_FALSE(r[1].values[1].has_value());
}

TEST(ReportBuilder, MarketingFiguresInUnitsAndTheirRatios) {
  SeriesBuckets g;
  // Hour 0: 200 clicks, 4.5 sales (a split conversion), 300.00 revenue,
  // 100.00 spend, 10,000 impressions. Hour 1: spend only. Hour 2: nothing.
  Put(g, "tck", kT, 200);
  Put(g, "cvs", kT, 4500);
  Put(g, "rev", kT, 300'000'000);
  Put(g, "spd", kT, 100'000'000);
  Put(g, "imp", kT, 10000);
  Put(g, "spd", kT + kHour, 50'000'000);
  auto r = BuildFigures(Hours(3), g,
                        {v1::FIGURE_SALES, v1::FIGURE_REVENUE, v1::FIGURE_SPEND, v1::FIGURE_CONVERSION_RATE,
                         v1::FIGURE_CPC, v1::FIGURE_CPA, v1::FIGURE_ROAS, v1::FIGURE_ROI, v1::FIGURE_CTR});
  EXPECT_DOUBLE_EQ(*r[0].values[0], 4.5);
  EXPECT_DOUBLE_EQ(*r[1].values[0], 300.0);
  EXPECT_DOUBLE_EQ(*r[2].total, 150.0);
  EXPECT_DOUBLE_EQ(*r[3].values[0], 4.5 / 200);
  EXPECT_DOUBLE_EQ(*r[4].values[0], 0.5);        // 100.00 over 200 clicks
  EXPECT_DOUBLE_EQ(*r[5].values[0], 100.0 / 4.5);
  EXPECT_DOUBLE_EQ(*r[6].values[0], 3.0);        // ROAS: 300 / 100
  EXPECT_DOUBLE_EQ(*r[7].values[0], 2.0);        // ROI: (300 - 100) / 100
  EXPECT_DOUBLE_EQ(*r[7].values[1], -1.0);       // spent 50, earned nothing
  EXPECT_DOUBLE_EQ(*r[7].total, 1.0);            // (300 - 150) / 150
  EXPECT_DOUBLE_EQ(*r[8].values[0], 0.02);
  // Nothing to divide by: absent, never infinite.
  EXPECT_FALSE(r[3].values[1].has_value());
  EXPECT_FALSE(r[5].values[1].has_value());
  EXPECT_FALSE(r[6].values[2].has_value());
}

TEST(ReportBuilder, ShareOfVoiceIsOverEveryGroupOfTheReport) {
  SeriesBuckets brand, rival;
  Put(brand, "men", kT, 30);
  Put(rival, "men", kT, 10);
  Put(rival, "men", kT + kHour, 5);
  auto periods = Hours(2);
  MentionTotals all = SumMentions(periods, {brand, rival});
  auto b = BuildFigures(periods, brand, {v1::FIGURE_SHARE_OF_VOICE}, &all);
  auto v = BuildFigures(periods, rival, {v1::FIGURE_SHARE_OF_VOICE}, &all);
  EXPECT_DOUBLE_EQ(*b[0].values[0], 0.75);
  EXPECT_DOUBLE_EQ(*b[0].values[1], 0.0);
  EXPECT_DOUBLE_EQ(*v[0].values[1], 1.0);
  EXPECT_DOUBLE_EQ(*b[0].total, 30.0 / 45.0);
}

TEST(ReportBuilder, LagPercentilesPerPeriod) {
  SeriesBuckets g;
  Put(g, "lag" + std::to_string(LagBucket(20)), kT, 9);
  Put(g, "lag" + std::to_string(LagBucket(500)), kT, 1);
  auto r = BuildFigures(Hours(2), g, {v1::FIGURE_PUBLISH_LAG_P50, v1::FIGURE_PUBLISH_LAG_P99});
  EXPECT_NEAR(*r[0].values[0], 20, 2);
  EXPECT_NEAR(*r[1].values[0], 500, 50);
  EXPECT_FALSE(r[0].values[1].has_value());
}

TEST(ReportBuilder, NewYorkDayAcrossTheSpringChangeHas23Hours) {
  absl::TimeZone ny;
  ASSERT_TRUE(absl::LoadTimeZone("America/New_York", &ny));
  // 2026-03-08: clocks go from 02:00 to 03:00. One post each local hour.
  int64_t day_start = absl::ToUnixMillis(absl::FromCivil(absl::CivilDay(2026, 3, 8), ny));
  int64_t next_day = absl::ToUnixMillis(absl::FromCivil(absl::CivilDay(2026, 3, 9), ny));
  SeriesBuckets g;
  for (int64_t t = day_start; t < next_day + 2 * kHour; t += kHour) Put(g, "pub", t, 1);
  auto periods = LocalPeriods(ny, day_start, next_day + 2 * kHour, Granularity::kDay, 10);
  ASSERT_TRUE(periods.ok());
  auto r = BuildFigures(*periods, g, {v1::FIGURE_POSTS_PUBLISHED});
  EXPECT_EQ(r[0].values[0], 23);
  EXPECT_EQ(r[0].values[1], 2);
}

TEST(ReportBuilder, KolkataAndLordHoweDaysSplitOnTheirOwnMidnights) {
  absl::TimeZone kolkata, lord_howe;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Kolkata", &kolkata));
  ASSERT_TRUE(absl::LoadTimeZone("Australia/Lord_Howe", &lord_howe));
  // Kolkata midnight is 18:30 UTC: a mention at 18:15 UTC is the day before,
  // one at 18:30 the day after.
  int64_t utc_midnight = kT;
  SeriesBuckets g;
  Put(g, "men", utc_midnight - 6 * kHour + 15 * 60000, 1);  // 18:15 UTC
  Put(g, "men", utc_midnight - 5 * kHour - 30 * 60000, 1);  // 18:30 UTC
  auto periods = LocalPeriods(kolkata, utc_midnight - 2 * 86400000, utc_midnight, Granularity::kDay, 10);
  ASSERT_TRUE(periods.ok());
  auto r = BuildFigures(*periods, g, {v1::FIGURE_MENTIONS});
  ASSERT_GE(r[0].values.size(), 2u);
  size_t n = r[0].values.size();
  EXPECT_EQ(r[0].values[n - 2], 1);
  EXPECT_EQ(r[0].values[n - 1], 1);
  // Lord Howe, 2026-04-05: clocks go back half an hour; the day is 24.5 h and
  // holds all 98 quarter-hours.
  int64_t start = absl::ToUnixMillis(absl::FromCivil(absl::CivilDay(2026, 4, 5), lord_howe));
  int64_t end = absl::ToUnixMillis(absl::FromCivil(absl::CivilDay(2026, 4, 6), lord_howe));
  ASSERT_EQ(end - start, 24 * kHour + 30 * 60000);
  SeriesBuckets q;
  for (int64_t t = start - kHour; t < end + kHour; t += kBucketMs) Put(q, "men", t, 1);
  auto days = LocalPeriods(lord_howe, start, end, Granularity::kDay, 10);
  ASSERT_TRUE(days.ok());
  ASSERT_EQ(days->size(), 1u);
  EXPECT_EQ(BuildFigures(*days, q, {v1::FIGURE_MENTIONS})[0].values[0], 98);
}

TEST(CsvExport, RowsPerPeriodAndGroupWithEmptyCellsForAbsentValues) {
  v1::Report report;
  auto* p = report.add_periods();
  p->set_local_start("2025-12-01T00:00:00");
  p->mutable_start()->set_seconds(kT / 1000);
  auto* g = report.add_groups();
  g->set_group_id("ch");
  auto* f = g->add_figures();
  f->add_values()->set_value(3);
  g->add_figures()->add_values();  // absent
  auto* r = g->add_figures();
  r->add_values()->set_value(0.25);
  EXPECT_EQ(CsvRows(report, {v1::FIGURE_POSTS_PUBLISHED, v1::FIGURE_IMPRESSIONS, v1::FIGURE_ENGAGEMENT_RATE}, true),
            "period_start_local,period_start_utc,group_id,posts_published,impressions,engagement_rate\n"
            "2025-12-01T00:00:00,2025-12-01T00:00:00Z,ch,3,,0.25\n");
}

TEST(TopPosts, RankOnlyByWhatAPostHas) {
  EXPECT_TRUE(IsRankable(v1::FIGURE_LIKES));
  EXPECT_TRUE(IsRankable(v1::FIGURE_ENGAGEMENT_RATE));
  // A channel's follower growth and the workspace's mentions are no post's.
  EXPECT_FALSE(IsRankable(v1::FIGURE_FOLLOWER_GROWTH));
  EXPECT_FALSE(IsRankable(v1::FIGURE_MENTIONS));
  EXPECT_FALSE(IsRankable(v1::FIGURE_CLICKS));
}

}  // namespace
}  // namespace herald::analytics
