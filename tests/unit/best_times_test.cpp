// Best times to post (analytics/report/best_times.h) on synthetic histories
// with a known best hour: found in the channel's own zone, pulled toward the
// mean when thin, taken from the workspace's pool for a new channel.
#include <gtest/gtest.h>

#include <random>

#include "analytics/report/best_times.h"
#include "common/time_util.h"

namespace herald::analytics {
namespace {

constexpr int64_t kHour = 3'600'000, kDay = 24 * kHour;
// Monday 30 November 2026, 00:00 in New York.
const int64_t kMondayNy = absl::ToUnixMillis(
    absl::FromCivil(absl::CivilSecond(2026, 11, 30, 0, 0, 0), *herald::LoadZone("America/New_York")));

// Eight weeks of posts at 01:00, 04:00, … 22:00 New York time (across the
// November DST change: local hours, not UTC ones); those at Tuesday 10:00 do
// three times as well.
std::vector<PostResult> History(const std::string& channel, bool impressions, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> noise(-3, 3);
  const absl::TimeZone ny = *herald::LoadZone("America/New_York");
  std::vector<PostResult> out;
  for (absl::CivilDay day = absl::CivilDay(2026, 11, 30) - 56; day < absl::CivilDay(2026, 11, 30); ++day) {
    for (int hour = 1; hour < 24; hour += 3) {
      const bool best = absl::GetWeekday(day) == absl::Weekday::tuesday && hour == 10;
      PostResult p;
      p.channel_id = channel;
      p.published_ms = absl::ToUnixMillis(absl::FromCivil(absl::CivilSecond(day.year(), day.month(), day.day(), hour, 0, 0), ny));
      p.engagements = (best ? 60 : 20) + noise(rng);
      if (impressions) p.impressions = 1000;
      out.push_back(p);
    }
  }
  return out;
}

TEST(BestTimes, TheKnownBestHourComesFirstInTheChannelsZone) {
  auto posts = History("ch1", /*impressions=*/true, 1);
  auto best = BestTimes(posts, "ch1", *LoadZone("America/New_York"), kMondayNy);
  ASSERT_EQ(best.size(), 168u);
  EXPECT_EQ(HourOfWeekName(best[0].hour_of_week), "Tue 10:00");
  EXPECT_GT(best[0].score, 2.0);
  EXPECT_GT(best[0].evidence, 4.0);
  // Read in another zone, the same posts put the best hour elsewhere on the clock.
  auto in_utc = BestTimes(posts, "ch1", absl::UTCTimeZone(), kMondayNy);
  EXPECT_EQ(HourOfWeekName(in_utc[0].hour_of_week), "Tue 15:00");
}

TEST(BestTimes, ANetworkWithoutImpressionsIsRankedByEngagements) {
  auto posts = History("ch1", /*impressions=*/false, 2);
  auto best = BestTimes(posts, "ch1", *LoadZone("America/New_York"), kMondayNy);
  EXPECT_EQ(HourOfWeekName(best[0].hour_of_week), "Tue 10:00");
}

TEST(BestTimes, OnePostIsPulledTowardTheMeanAndOldPostsCountLess) {
  // A single great post at Sunday 18:00 must not outrank a well-evidenced hour.
  auto posts = History("ch1", true, 3);
  PostResult lucky;
  lucky.channel_id = "ch1";
  lucky.published_ms = kMondayNy - kDay + 18 * kHour - 6 * kHour;  // Sunday 12:00
  lucky.engagements = 100;
  lucky.impressions = 1000;
  posts.push_back(lucky);
  auto best = BestTimes(posts, "ch1", *LoadZone("America/New_York"), kMondayNy);
  EXPECT_EQ(HourOfWeekName(best[0].hour_of_week), "Tue 10:00");
  // A year on, the history is stale: a recent pattern at another hour wins.
  auto later = History("ch1", true, 4);
  const int64_t year = 364 * kDay;
  for (auto& p : later) p.published_ms -= year;  // the old Tuesday pattern
  for (int w = 0; w < 4; ++w) {
    PostResult p;
    p.channel_id = "ch1";
    p.published_ms = kMondayNy - (w + 1) * 7 * kDay + 3 * kDay + 16 * kHour;  // Thursday 16:00, recent
    p.engagements = 90;
    p.impressions = 1000;
    later.push_back(p);
  }
  auto now_best = BestTimes(later, "ch1", *LoadZone("America/New_York"), kMondayNy);
  EXPECT_EQ(HourOfWeekName(now_best[0].hour_of_week), "Thu 16:00");
}

TEST(BestTimes, ANewChannelGetsTheWorkspacesPattern) {
  auto posts = History("ch1", true, 5);
  auto other = History("ch2", false, 6);  // another channel, another scale: pooled relative to its own mean
  posts.insert(posts.end(), other.begin(), other.end());
  auto best = BestTimes(posts, "new-channel", *LoadZone("America/New_York"), kMondayNy);
  EXPECT_EQ(HourOfWeekName(best[0].hour_of_week), "Tue 10:00");
  EXPECT_EQ(best[0].evidence, 0) << "none of its own";
  auto nothing = BestTimes({}, "new-channel", *LoadZone("America/New_York"), kMondayNy);
  EXPECT_DOUBLE_EQ(nothing[0].score, 1.0) << "no data at all: every hour average";
}

}  // namespace
}  // namespace herald::analytics
