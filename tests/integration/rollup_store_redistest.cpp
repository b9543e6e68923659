// The rollups against a real redis-server: exactly-once across replays,
// crashes between workspaces, producer repeats, repeated and late snapshots
// and re-bases; and the query API over what was written.
#include <gtest/gtest.h>

#include "absl/time/time.h"
#include "analytics/analytics_service.h"
#include "analytics/report/local_periods.h"
#include "analytics/report_query.h"
#include "analytics/store/rollup_reader.h"
#include "analytics/store/rollup_store.h"
#include "common/clock.h"
#include "common/executor.h"
#include "common/time_util.h"
#include "redis_fixture.h"

namespace herald::analytics {
namespace {

using herald::testing::RedisTest;

enum class Outcome { kApplied, kAlreadyApplied, kStale };
Outcome OutcomeOf(const SliceResult& r) {
  if (r.stale_segments > 0) return Outcome::kStale;
  return r.committed ? Outcome::kApplied : Outcome::kAlreadyApplied;
}

constexpr int64_t kT = 1764547200000;  // 2025-12-01T00:00:00Z
constexpr int64_t kHour = 3600000;

Fact Mention(const std::string& ws, const std::string& id, int64_t at_ms, const std::string& channel = "ch") {
  Fact f;
  f.workspace_id = ws;
  f.dedupe_id = "men|" + id;
  f.bucket_ms = BucketOf(at_ms);
  f.series = {"w", "c:" + channel};
  f.counts = {{0, fig::kMentions, 1}, {1, fig::kMentions, 1}};
  return f;
}

Fact Snap(const std::string& post, int64_t observed_ms, std::vector<std::pair<std::string, int64_t>> values,
          int64_t published_ms = kT) {
  Fact f;
  f.workspace_id = "ws";
  f.bucket_ms = BucketOf(observed_ms);
  f.snapshot = Snapshot{post, observed_ms, {"w", "c:ch", "p:" + post}, std::move(values)};
  f.post = PostUpdate{post, {{"ch", "ch"}, {"pub", std::to_string(published_ms)}}, published_ms};
  return f;
}

Fact Followers(const std::string& channel, int64_t observed_ms, int64_t followers) {
  Fact f;
  f.workspace_id = "ws";
  f.bucket_ms = BucketOf(observed_ms);
  f.snapshot = Snapshot{channel, observed_ms, {"w", "c:" + channel}, {{"fol", followers}}, Snapshot::Subject::kChannel};
  return f;
}

// A slice of `facts` (each at its offset) of partition 3 of "mentions".
Slice SliceOf(const std::string& ws, const std::vector<Fact>& facts, const std::vector<int64_t>& offsets,
              int64_t first, int64_t next, int64_t epoch = 0) {
  Slice s;
  s.workspace_id = ws;
  s.segments = {{"mentions", 3, epoch, first, next}};
  for (size_t i = 0; i < facts.size(); ++i) s.Add(&facts[i], 0, offsets[i]);
  return s;
}

class RollupStoreTest : public RedisTest {
 protected:
  int64_t Total(const std::string& series, const std::string& figure, const std::string& ws = "ws") {
    auto totals = reader_.Totals(ws, {series});
    EXPECT_TRUE(totals.ok());
    auto it = (*totals)[0].find(figure);
    return it == (*totals)[0].end() ? 0 : it->second;
  }
  Outcome Apply(const Slice& s) {
    auto r = store_.Apply({s}, kT);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? OutcomeOf((*r)[0]) : Outcome::kStale;
  }

  RollupStore store_{redis()};
  RollupReader reader_{redis()};
};

TEST_F(RollupStoreTest, AReplayedPollChangesNothing) {
  std::vector<Fact> facts{Mention("ws", "a", kT), Mention("ws", "b", kT)};
  EXPECT_EQ(Apply(SliceOf("ws", facts, {0, 1}, 0, 2)), Outcome::kApplied);
  EXPECT_EQ(Apply(SliceOf("ws", facts, {0, 1}, 0, 2)), Outcome::kAlreadyApplied);
  EXPECT_EQ(Total("w", "men"), 2);
  EXPECT_EQ(Total("c:ch", "men"), 2);
}

TEST_F(RollupStoreTest, ACrashBetweenTwoWorkspacesSlicesLosesAndDoublesNothing) {
  // One poll of partition 3, offsets 0-3: two mentions for "a", two for "b".
  std::vector<Fact> a{Mention("a", "1", kT), Mention("a", "3", kT)};
  std::vector<Fact> b{Mention("b", "2", kT), Mention("b", "4", kT)};
  // The consumer wrote a's slice and died before b's and before the
  // partition's position moved.
  EXPECT_EQ(Apply(SliceOf("a", a, {0, 2}, 0, 4)), Outcome::kApplied);
  EXPECT_FALSE(store_.Position("mentions", 3)->has_value());
  // The restarted consumer polls the same offsets again.
  auto r = store_.Apply({SliceOf("a", a, {0, 2}, 0, 4), SliceOf("b", b, {1, 3}, 0, 4)}, kT);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(OutcomeOf((*r)[0]), Outcome::kAlreadyApplied);
  EXPECT_EQ(OutcomeOf((*r)[1]), Outcome::kApplied);
  EXPECT_EQ((*r)[1].applied.size(), 2u);
  EXPECT_EQ(Total("w", "men", "a"), 2);
  EXPECT_EQ(Total("w", "men", "b"), 2);
}

TEST_F(RollupStoreTest, OneSliceOfTwoPartitionsFencesEachOnItsOwn) {
  // Partition 3 is in up to offset 2; partition 5 is new.
  std::vector<Fact> before{Mention("ws", "a", kT), Mention("ws", "b", kT)};
  ASSERT_EQ(Apply(SliceOf("ws", before, {0, 1}, 0, 2)), Outcome::kApplied);
  std::vector<Fact> facts{Mention("ws", "a", kT), Mention("ws", "b", kT), Mention("ws", "c", kT),
                          Mention("ws", "x", kT)};
  Slice s;
  s.workspace_id = "ws";
  s.segments = {{"mentions", 3, 0, 0, 3}, {"mentions", 5, 0, 7, 8}};
  s.Add(&facts[0], 0, 0);
  s.Add(&facts[1], 0, 1);
  s.Add(&facts[2], 0, 2);
  s.Add(&facts[3], 1, 7);
  auto r = store_.Apply({s}, kT);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].applied.size(), 2u);  // c and x
  EXPECT_EQ(Total("w", "men"), 4);
  EXPECT_EQ(redis().Command({"HGET", "{an:ws}:pos", "mentions/3"})->str, "0:3");
  EXPECT_EQ(redis().Command({"HGET", "{an:ws}:pos", "mentions/5"})->str, "0:8");
}

TEST_F(RollupStoreTest, ASliceStraddlingThePositionCountsOnlyWhatIsNew) {
  std::vector<Fact> first;
  for (int i = 0; i < 10; ++i) first.push_back(Mention("ws", "m" + std::to_string(i), kT));
  std::vector<int64_t> offsets{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  ASSERT_EQ(Apply(SliceOf("ws", first, offsets, 0, 10)), Outcome::kApplied);
  // A poll from offset 5 (a partition handed over mid-way): 5-9 are in, 10-14 are new.
  std::vector<Fact> second;
  std::vector<int64_t> second_offsets;
  for (int i = 5; i < 15; ++i) {
    // Fresh dedupe ids at the replayed offsets: only the position can tell
    // offsets 5-9 are in.
    second.push_back(Mention("ws", "again" + std::to_string(i), kT));
    second_offsets.push_back(i);
  }
  auto r = store_.Apply({SliceOf("ws", second, second_offsets, 5, 15)}, kT);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(OutcomeOf((*r)[0]), Outcome::kApplied);
  EXPECT_EQ((*r)[0].applied.size(), 5u);
  EXPECT_EQ(Total("w", "men"), 15);
}

TEST_F(RollupStoreTest, AProducersRepeatIsCountedOnceInOnePollAndAcrossPolls) {
  std::vector<Fact> poll1{Mention("ws", "x", kT), Mention("ws", "x", kT), Mention("ws", "y", kT)};
  ASSERT_EQ(Apply(SliceOf("ws", poll1, {0, 1, 2}, 0, 3)), Outcome::kApplied);
  std::vector<Fact> poll2{Mention("ws", "y", kT), Mention("ws", "z", kT)};
  auto r = store_.Apply({SliceOf("ws", poll2, {3, 4}, 3, 5)}, kT);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].applied.size(), 1u);  // z only
  EXPECT_EQ(Total("w", "men"), 3);
}

TEST_F(RollupStoreTest, DedupeMemoryIsBoundedToTheWindow) {
  RollupStore small(redis(), /*dedupe_window=*/3);
  for (int i = 0; i < 10; ++i) {
    std::vector<Fact> f{Mention("ws", "f" + std::to_string(i), kT)};
    ASSERT_TRUE(small.Apply({SliceOf("ws", f, {i}, i, i + 1)}, kT + i).ok());
  }
  EXPECT_EQ(redis().Command({"ZCARD", "{an:ws}:seen"})->AsInt(), 3);
  std::vector<Fact> repeat{Mention("ws", "f9", kT)};
  ASSERT_TRUE(small.Apply({SliceOf("ws", repeat, {10}, 10, 11)}, kT + 10).ok());
  EXPECT_EQ(Total("w", "men"), 10);
}

TEST_F(RollupStoreTest, RepeatedAndLateSnapshotsChangeNothingTwice) {
  int64_t t1 = kT + kHour, t2 = kT + 6 * kHour, t3 = kT + 24 * kHour;
  std::vector<Fact> snaps{Snap("p1", t1, {{"imp", 100}, {"lik", 5}}),
                          Snap("p1", t1, {{"imp", 100}, {"lik", 5}}),   // repeated
                          Snap("p1", t3, {{"imp", 150}, {"lik", 8}}),
                          Snap("p1", t2, {{"imp", 120}, {"lik", 7}})};  // late: older than t3
  for (int i = 0; i < 4; ++i) {
    std::vector<Fact> one{snaps[i]};
    ASSERT_EQ(Apply(SliceOf("ws", one, {i}, i, i + 1)), Outcome::kApplied);
  }
  EXPECT_EQ(Total("p:p1", "imp"), 150);
  EXPECT_EQ(Total("c:ch", "lik"), 8);
  EXPECT_EQ(Total("w", "eng"), 8);
  EXPECT_EQ(Total("w", "engi"), 8);
  // By observation time: 5 likes in hour 1, 3 more on day 2, none from the late one.
  auto buckets = reader_.Buckets("ws", {"w"}, kT, kT + 48 * kHour);
  ASSERT_TRUE(buckets.ok());
  EXPECT_EQ((*buckets)[0]["lik"], (std::vector<std::pair<int64_t, int64_t>>{{t1, 5}, {t3, 3}}));
  auto posts = reader_.PublishedPosts("ws", kT, kT + 1, 10);
  ASSERT_EQ(posts->posts.size(), 1u);
  EXPECT_EQ(posts->posts[0].first, "p1");
}

TEST_F(RollupStoreTest, FollowerGrowthCountsFromTheBaselineAndNeverTwice) {
  int64_t t1 = kT + kHour, t2 = kT + 7 * kHour, t3 = kT + 30 * kHour;
  std::vector<Fact> snaps{Followers("ch", t1, 1000),   // the baseline: no growth known yet
                          Followers("ch", t2, 1012),   // +12
                          Followers("ch", t2, 1012),   // repeated
                          Followers("ch", t3, 1007),   // -5: followers lost count too
                          Followers("ch", t2 + 1, 1500),  // late: older than t3
                          Followers("other", t3, 50)};    // another channel's baseline
  for (int i = 0; i < static_cast<int>(snaps.size()); ++i) {
    std::vector<Fact> one{snaps[static_cast<size_t>(i)]};
    ASSERT_EQ(Apply(SliceOf("ws", one, {i}, i, i + 1)), Outcome::kApplied);
  }
  EXPECT_EQ(Total("c:ch", "fol"), 7);
  EXPECT_EQ(Total("w", "fol"), 7);
  EXPECT_EQ(Total("c:other", "fol"), 0);
  auto buckets = reader_.Buckets("ws", {"c:ch"}, kT, kT + 48 * kHour);
  ASSERT_TRUE(buckets.ok());
  EXPECT_EQ((*buckets)[0]["fol"], (std::vector<std::pair<int64_t, int64_t>>{{BucketOf(t2), 12}, {BucketOf(t3), -5}}));
  // A channel's snapshot is not a post: nothing joins the posts index.
  auto posts = reader_.PublishedPosts("ws", 0, kT + 48 * kHour, 10);
  ASSERT_TRUE(posts.ok());
  EXPECT_TRUE(posts->posts.empty());
}

TEST_F(RollupStoreTest, EngagementJoinsTheRateWhenImpressionsFirstCome) {
  std::vector<Fact> snaps{Snap("p1", kT + kHour, {{"lik", 4}}), Snap("p1", kT + 2 * kHour, {{"imp", 50}, {"lik", 6}})};
  ASSERT_EQ(Apply(SliceOf("ws", {snaps[0]}, {0}, 0, 1)), Outcome::kApplied);
  EXPECT_EQ(Total("w", "engi"), 0);
  ASSERT_EQ(Apply(SliceOf("ws", {snaps[1]}, {1}, 1, 2)), Outcome::kApplied);
  EXPECT_EQ(Total("w", "eng"), 6);
  EXPECT_EQ(Total("w", "engi"), 6);  // all of the post's engagement, once
}

TEST_F(RollupStoreTest, ARebaseStartsANewEpochAndFencesTheOldOne) {
  std::vector<Fact> old{Mention("ws", "o1", kT)};
  ASSERT_EQ(Apply(SliceOf("ws", old, {49}, 49, 50)), Outcome::kApplied);
  ASSERT_TRUE(store_.Advance({{"mentions", 3}}, {{0, 50}}).ok());
  // The topic was recreated: its log now ends at 3.
  auto rebased = store_.Rebase("mentions", 3, 0);
  ASSERT_TRUE(rebased.ok());
  EXPECT_EQ(rebased->epoch, 1);
  EXPECT_EQ((*store_.Position("mentions", 3))->next, 0);
  // New records from offset 0 count, though the workspace was at 50 before.
  std::vector<Fact> fresh{Mention("ws", "n1", kT), Mention("ws", "n2", kT)};
  EXPECT_EQ(Apply(SliceOf("ws", fresh, {0, 1}, 0, 2, /*epoch=*/1)), Outcome::kApplied);
  // A consumer still in the old epoch is refused.
  std::vector<Fact> zombie{Mention("ws", "z1", kT)};
  EXPECT_EQ(Apply(SliceOf("ws", zombie, {50}, 50, 51, /*epoch=*/0)), Outcome::kStale);
  EXPECT_EQ(Total("w", "men"), 3);
  // Advance never lowers, and an old epoch's position changes nothing.
  ASSERT_TRUE(store_.Advance({{"mentions", 3}}, {{0, 60}}).ok());
  EXPECT_EQ((*store_.Position("mentions", 3))->epoch, 1);
  EXPECT_EQ((*store_.Position("mentions", 3))->next, 0);
}

// The query API over written rollups.
class AnalyticsApiTest : public RollupStoreTest {
 protected:
  void SetUp() override { executor_ = std::make_unique<Executor>(1, 16); }
  void Write(const std::vector<Fact>& facts) {
    Slice s;
    s.workspace_id = "ws";
    s.segments = {{"mentions", 3, 0, offset_, offset_ + static_cast<int64_t>(facts.size())}};
    for (const auto& f : facts) s.Add(&f, 0, offset_++);
    auto r = store_.Apply({s}, kT);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(OutcomeOf((*r)[0]), Outcome::kApplied);
  }
  std::unique_ptr<Executor> executor_;
  ManualClock clock_{kT + 30LL * 86400000};
  int64_t offset_ = 0;
};

TEST_F(AnalyticsApiTest, DailyReportInNewYorkAcrossDstAndAMonthBoundary) {
  absl::TimeZone ny;
  ASSERT_TRUE(absl::LoadTimeZone("America/New_York", &ny));
  // A mention every hour, 2026-02-27 .. 2026-03-10 New York time.
  int64_t from = absl::ToUnixMillis(absl::FromCivil(absl::CivilDay(2026, 2, 27), ny));
  int64_t to = absl::ToUnixMillis(absl::FromCivil(absl::CivilDay(2026, 3, 10), ny));
  std::vector<Fact> facts;
  for (int64_t t = from; t < to; t += kHour) facts.push_back(Mention("ws", std::to_string(t), t));
  Write(facts);
  AnalyticsService api(reader_, *executor_, clock_);
  v1::GetReportRequest req;
  req.set_workspace_id("ws");
  *req.mutable_from() = FromMs(from);
  *req.mutable_to() = FromMs(to);
  req.set_time_zone("America/New_York");
  req.set_granularity(v1::GRANULARITY_DAY);
  req.add_figures(v1::FIGURE_MENTIONS);
  v1::Report report;
  ASSERT_TRUE(api.DoGetReport(req, &report).ok());
  ASSERT_EQ(report.periods_size(), 11);
  for (int d = 0; d < 11; ++d) {
    int64_t want = report.periods(d).local_start() == "2026-03-08T00:00:00" ? 23 : 24;
    EXPECT_EQ(report.groups(0).figures(0).values(d).value(), want) << report.periods(d).local_start();
  }
  EXPECT_EQ(report.groups(0).figures(0).total().value(), static_cast<double>(facts.size()));
}

TEST_F(AnalyticsApiTest, GroupByChannelListsEveryChannel) {
  Write({Mention("ws", "1", kT, "a"), Mention("ws", "2", kT, "b"), Mention("ws", "3", kT, "b")});
  AnalyticsService api(reader_, *executor_, clock_);
  v1::GetReportRequest req;
  req.set_workspace_id("ws");
  *req.mutable_from() = FromMs(kT);
  *req.mutable_to() = FromMs(kT + kHour);
  req.set_granularity(v1::GRANULARITY_TOTAL);
  req.set_group_by(v1::GROUP_BY_CHANNEL);
  req.add_figures(v1::FIGURE_MENTIONS);
  req.add_figures(v1::FIGURE_SHARE_OF_VOICE);
  v1::Report report;
  ASSERT_TRUE(api.DoGetReport(req, &report).ok());
  ASSERT_EQ(report.groups_size(), 2);
  EXPECT_EQ(report.groups(0).group_id(), "a");
  EXPECT_EQ(report.groups(1).figures(0).values(0).value(), 2);
  EXPECT_NEAR(report.groups(1).figures(1).values(0).value(), 2.0 / 3.0, 1e-12);
}

TEST_F(AnalyticsApiTest, EveryBadFieldIsNamed) {
  AnalyticsService api(reader_, *executor_, clock_);
  v1::GetReportRequest req;
  req.set_workspace_id("bad id");
  *req.mutable_from() = FromMs(kT);
  *req.mutable_to() = FromMs(kT + 500LL * 86400000);
  req.set_time_zone("Mars/Olympus");
  req.add_figures(static_cast<v1::Figure>(99));
  v1::Report report;
  grpc::Status s = api.DoGetReport(req, &report);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  for (const char* field : {"workspace_id", "to", "time_zone", "figures[0]"}) {
    EXPECT_NE(s.error_message().find(field), std::string::npos) << field << ": " << s.error_message();
  }
  req = {};
  req.set_workspace_id("ws");
  *req.mutable_from() = FromMs(kT);
  *req.mutable_to() = FromMs(kT + 400LL * 86400000);
  req.set_granularity(v1::GRANULARITY_HOUR);
  req.set_group_by(v1::GROUP_BY_POST);
  req.add_figures(v1::FIGURE_LIKES);
  s = api.DoGetReport(req, &report);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("group_ids"), std::string::npos) << s.error_message();
  // A report too large for one answer is refused, pointing at the export.
  req.set_group_by(v1::GROUP_BY_CHANNEL);
  req.clear_group_ids();
  for (int i = 0; i < 100; ++i) req.add_group_ids("ch" + std::to_string(i));
  s = api.DoGetReport(req, &report);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("ExportReport"), std::string::npos) << s.error_message();
  v1::GetBestTimesRequest bt;
  bt.set_workspace_id("ws");
  bt.set_lookback_days(3);
  v1::BestTimes best;
  s = api.DoGetBestTimes(bt, &best);
  EXPECT_NE(s.error_message().find("channel_id"), std::string::npos);
  EXPECT_NE(s.error_message().find("lookback_days"), std::string::npos);
  v1::GetTopPostsRequest top;
  top.set_workspace_id("ws");
  *top.mutable_from() = FromMs(kT);
  *top.mutable_to() = FromMs(kT + kHour);
  top.set_rank_by(v1::FIGURE_MENTIONS);
  v1::TopPosts tp;
  s = api.DoGetTopPosts(top, &tp);
  EXPECT_NE(s.error_message().find("rank_by"), std::string::npos);
}

TEST_F(AnalyticsApiTest, TopPostsRankByLifetimeFigures) {
  Write({Snap("p1", kT + kHour, {{"imp", 1000}, {"lik", 10}}), Snap("p2", kT + kHour, {{"imp", 100}, {"lik", 30}}),
         Snap("p3", kT + kHour, {{"lik", 50}})});  // no impressions: no rate
  AnalyticsService api(reader_, *executor_, clock_);
  v1::GetTopPostsRequest req;
  req.set_workspace_id("ws");
  *req.mutable_from() = FromMs(kT - kHour);
  *req.mutable_to() = FromMs(kT + kHour);
  req.set_rank_by(v1::FIGURE_ENGAGEMENT_RATE);
  v1::TopPosts top;
  ASSERT_TRUE(api.DoGetTopPosts(req, &top).ok());
  ASSERT_EQ(top.posts_size(), 2);
  EXPECT_EQ(top.posts(0).post_id(), "p2");
  EXPECT_DOUBLE_EQ(top.posts(0).engagement_rate(), 0.3);
  EXPECT_EQ(top.posts(1).post_id(), "p1");
  EXPECT_EQ(top.posts_in_range(), 3);
  req.set_rank_by(v1::FIGURE_LIKES);
  req.set_limit(1);
  top.Clear();
  ASSERT_TRUE(api.DoGetTopPosts(req, &top).ok());
  ASSERT_EQ(top.posts_size(), 1);
  EXPECT_EQ(top.posts(0).post_id(), "p3");
  EXPECT_EQ(top.posts(0).counts().at("likes"), 50);
}

TEST_F(AnalyticsApiTest, BestTimesFindTheHourThatEngages) {
  // 8 weeks of posts on "ch" at 09:00, 13:00 and 18:00 Berlin time; the
  // Tuesday 13:00 posts get five times the engagement of the rest.
  absl::TimeZone berlin;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Berlin", &berlin));
  clock_.SetMs(absl::ToUnixMillis(absl::FromCivil(absl::CivilDay(2026, 3, 1), berlin)));
  std::vector<Fact> facts;
  int n = 0;
  for (int day = 1; day <= 56; ++day) {
    absl::CivilDay d = absl::CivilDay(2026, 3, 1) - day;
    for (int hour : {9, 13, 18}) {
      int64_t at = absl::ToUnixMillis(absl::FromCivil(absl::CivilHour(d.year(), d.month(), d.day(), hour), berlin));
      bool best = absl::GetWeekday(d) == absl::Weekday::tuesday && hour == 13;
      facts.push_back(Snap("p" + std::to_string(n++), at + 6 * kHour, {{"imp", 1000}, {"lik", best ? 100 : 20}}, at));
    }
  }
  Write(facts);
  AnalyticsService api(reader_, *executor_, clock_);
  v1::GetBestTimesRequest req;
  req.set_workspace_id("ws");
  req.set_channel_id("ch");
  req.set_time_zone("Europe/Berlin");
  req.set_limit(3);
  v1::BestTimes best;
  ASSERT_TRUE(api.DoGetBestTimes(req, &best).ok());
  ASSERT_EQ(best.hours_size(), 3);
  EXPECT_EQ(best.hours(0).name(), "Tue 13:00");
  EXPECT_GT(best.hours(0).score(), 1.5);
  EXPECT_EQ(best.channel_posts(), 168);
}

}  // namespace
}  // namespace herald::analytics
