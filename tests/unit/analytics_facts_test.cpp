// What each event adds to the rollups (analytics/rollup.h).
#include <gtest/gtest.h>

#include <algorithm>

#include "analytics/report/figures.h"
#include "analytics/report/local_periods.h"
#include "analytics/metrics/read_schedule.h"
#include "analytics/rollup.h"
#include "common/time_util.h"
#include "herald/events/v1/events.pb.h"
#include "herald/topics.h"

namespace herald::analytics {
namespace {

using namespace herald::events::v1;

constexpr int64_t kT = 1764547200000;  // 2025-12-01T00:00:00Z

bool Has(const Fact& f, const std::string& series, std::string_view figure, int64_t delta) {
  return std::any_of(f.counts.begin(), f.counts.end(), [&](const Count& c) {
    for (size_t i = 0; i < f.series.size(); ++i) {
      if (f.series[i] == series && c.In(i) && c.figure == figure && c.delta == delta) return true;
    }
    return false;
  });
}

PublishResult Published() {
  PublishResult r;
  r.mutable_meta()->set_workspace_id("ws");
  *r.mutable_meta()->mutable_occurred_at() = FromMs(kT + 100000);
  r.set_post_id("p1");
  r.set_channel_id("ch");
  r.set_campaign_id("cmp");
  r.set_variant("b");
  r.set_occurrence_ms(kT);
  *r.mutable_published_at() = FromMs(kT + 42000);  // 42 s late
  r.set_outcome(PUBLISH_OUTCOME_PUBLISHED);
  r.set_network(common::v1::NETWORK_MASTODON);
  return r;
}

TEST(AnalyticsFacts, PublishedResultCountsInEverySeriesAtItsPublishTime) {
  auto fact = FactFor(topics::k_publish_results, Published());
  ASSERT_TRUE(fact.ok()) << fact.status();
  ASSERT_TRUE(fact->has_value());
  const Fact& f = **fact;
  EXPECT_EQ(f.workspace_id, "ws");
  EXPECT_EQ(f.bucket_ms, BucketOf(kT + 42000));
  for (const char* s : {"w", "c:ch", "k:cmp", "v:cmp/b", "p:p1"}) EXPECT_TRUE(Has(f, s, fig::kPublished, 1)) << s;
  std::string lag = "lag" + std::to_string(LagBucket(42));
  EXPECT_TRUE(Has(f, "w", lag, 1));
  EXPECT_TRUE(Has(f, "c:ch", lag, 1));
  ASSERT_TRUE(f.post.has_value());
  EXPECT_EQ(f.post->published_ms, kT + 42000);
  EXPECT_EQ(f.observation.outcome, "published");
  EXPECT_DOUBLE_EQ(*f.observation.publish_lag_seconds, 42.0);
  // A retry is not a final outcome: no fact.
  PublishResult retry = Published();
  retry.set_outcome(PUBLISH_OUTCOME_RETRY);
  EXPECT_FALSE(FactFor(topics::k_publish_results, retry)->has_value());
}

TEST(AnalyticsFacts, TheSameDeliveryAnnouncedTwiceIsOneFact) {
  PublishResult again = Published();
  again.mutable_meta()->set_event_id("another-event-id");
  EXPECT_EQ((*FactFor(topics::k_publish_results, Published()))->dedupe_id,
            (*FactFor(topics::k_publish_results, again))->dedupe_id);
}

TEST(AnalyticsFacts, SnapshotCarriesOnlyWhatTheNetworkReported) {
  PostMetricsSnapshot m;
  m.mutable_meta()->set_workspace_id("ws");
  m.set_post_id("p1");
  m.set_channel_id("ch");
  *m.mutable_observed_at() = FromMs(kT);
  m.set_likes(5);
  m.set_reposts(0);
  auto fact = FactFor(topics::k_post_metrics, m);
  ASSERT_TRUE(fact.ok() && fact->has_value());
  const Snapshot& s = *(*fact)->snapshot;
  ASSERT_EQ(s.values.size(), 2u);  // no impressions: absent, not zero
  EXPECT_EQ(s.values[0], (std::pair<std::string, int64_t>{"lik", 5}));
  EXPECT_EQ(s.values[1], (std::pair<std::string, int64_t>{"rps", 0}));
  EXPECT_TRUE((*fact)->dedupe_id.empty());  // state, not ids, makes a repeat harmless
  m.set_likes(-1);
  EXPECT_FALSE(FactFor(topics::k_post_metrics, m).ok());
}

TEST(AnalyticsFacts, AChannelSnapshotIsTheChannelsFollowersOrNothing) {
  ChannelMetricsSnapshot m;
  m.mutable_meta()->set_workspace_id("ws");
  m.set_channel_id("ch");
  *m.mutable_observed_at() = FromMs(kT);
  m.set_followers(1234);
  auto fact = FactFor(topics::k_channel_metrics, m);
  ASSERT_TRUE(fact.ok() && fact->has_value()) << fact.status();
  const Snapshot& s = *(*fact)->snapshot;
  EXPECT_EQ(s.subject, Snapshot::Subject::kChannel);
  EXPECT_EQ(s.id, "ch");
  EXPECT_EQ(s.series, (SeriesList{"w", "c:ch"}));
  EXPECT_EQ(s.values, (std::vector<std::pair<std::string, int64_t>>{{"fol", 1234}}));
  EXPECT_FALSE((*fact)->post.has_value());
  m.clear_followers();  // a reading without a count counts nothing
  EXPECT_FALSE(FactFor(topics::k_channel_metrics, m)->has_value());
  m.set_followers(-1);
  EXPECT_FALSE(FactFor(topics::k_channel_metrics, m).ok());
  m.set_followers(5);
  m.set_channel_id("not an id");
  EXPECT_FALSE(FactFor(topics::k_channel_metrics, m).ok());
}

TEST(AnalyticsFacts, MentionCountsBySentimentRuleAndTag) {
  MentionReceived m;
  m.mutable_meta()->set_workspace_id("ws");
  m.set_mention_id("m1");
  m.set_channel_id("ch");
  m.add_rule_ids("r1");
  m.add_tags("brand");
  m.mutable_sentiment()->set_scored(true);
  m.mutable_sentiment()->set_compound(-0.5);
  *m.mutable_created_at() = FromMs(kT);
  auto fact = FactFor(topics::k_mentions, m);
  ASSERT_TRUE(fact.ok() && fact->has_value());
  for (const char* s : {"w", "c:ch", "r:r1", "t:brand"}) {
    EXPECT_TRUE(Has(**fact, s, fig::kMentions, 1)) << s;
    EXPECT_TRUE(Has(**fact, s, fig::kNegative, 1)) << s;
    EXPECT_TRUE(Has(**fact, s, fig::kSentimentMilli, -500)) << s;
  }
  EXPECT_EQ((*fact)->observation.sentiment, "negative");
  // A rule named twice in one mention is one match, not two.
  m.add_rule_ids("r1");
  auto twice = FactFor(topics::k_mentions, m);
  ASSERT_TRUE(twice.ok() && twice->has_value());
  EXPECT_EQ((*twice)->series.size(), 4u);
  m.mutable_sentiment()->set_compound(7);  // outside [-1, 1]
  EXPECT_FALSE(FactFor(topics::k_mentions, m).ok());
}

TEST(AnalyticsFacts, EventsThatCannotBeCountedAreRefusedNotGuessed) {
  PublishResult r = Published();
  r.set_channel_id("has|pipe");
  EXPECT_FALSE(FactFor(topics::k_publish_results, r).ok());
  r = Published();
  r.mutable_meta()->set_workspace_id("");
  EXPECT_FALSE(FactFor(topics::k_publish_results, r).ok());
  r = Published();
  r.clear_published_at();
  r.mutable_meta()->clear_occurred_at();  // no time at all
  EXPECT_FALSE(FactFor(topics::k_publish_results, r).ok());
  // An event of another type on the topic.
  MentionReceived m;
  EXPECT_FALSE(FactFor(topics::k_publish_results, m).ok());
}

TEST(AnalyticsFacts, SchedulingSlaAlertsAndCampaigns) {
  PostLifecycle e;
  e.mutable_meta()->set_workspace_id("ws");
  *e.mutable_meta()->mutable_occurred_at() = FromMs(kT);
  e.set_post_id("p1");
  e.set_state("POST_STATE_SCHEDULED");
  e.add_channel_ids("a");
  e.add_channel_ids("b");
  auto f = FactFor(topics::k_posts_lifecycle, e);
  ASSERT_TRUE(f.ok() && f->has_value());
  EXPECT_TRUE(Has(**f, "w", fig::kScheduled, 1));
  EXPECT_TRUE(Has(**f, "c:b", fig::kScheduled, 1));
  e.set_state("POST_STATE_DRAFT");
  EXPECT_FALSE(FactFor(topics::k_posts_lifecycle, e)->has_value());

  InboxSlaAlert a;
  a.mutable_meta()->set_workspace_id("ws");
  *a.mutable_meta()->mutable_occurred_at() = FromMs(kT);
  a.set_conversation_id("c_1");
  a.set_target("first_response");
  a.set_kind("breached");
  f = FactFor(topics::k_inbox_sla, a);
  ASSERT_TRUE(f.ok() && f->has_value());
  EXPECT_TRUE(Has(**f, "w", fig::kSlaBreaches, 1));

  CampaignEvent c;
  c.mutable_meta()->set_workspace_id("ws");
  *c.mutable_meta()->mutable_occurred_at() = FromMs(kT);
  c.set_campaign_id("cmp");
  c.set_kind(CAMPAIGN_EVENT_KIND_CREATED);
  f = FactFor(topics::k_campaign_lifecycle, c);
  ASSERT_TRUE(f.ok() && f->has_value());
  EXPECT_TRUE(Has(**f, "k:cmp", fig::kCampaigns, 1));
  // Joining is counted from posts.lifecycle (the scheduler keeps a post's
  // campaign): the campaign service's own announcement adds nothing.
  c.set_kind(CAMPAIGN_EVENT_KIND_POST_ATTACHED);
  c.set_post_id("p1");
  f = FactFor(topics::k_campaign_lifecycle, c);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->has_value());
}

TEST(AnalyticsFacts, CampaignMembershipCountsTheJoinOnceAndEachEarlierDeliveryOnce) {
  PostLifecycle e;
  e.mutable_meta()->set_workspace_id("ws");
  *e.mutable_meta()->mutable_occurred_at() = FromMs(kT);
  e.set_post_id("p1");
  e.mutable_membership()->set_campaign_id("cmp");
  e.mutable_membership()->set_variant("b");
  auto join = FactFor(topics::k_posts_lifecycle, e);
  ASSERT_TRUE(join.ok() && join->has_value()) << join.status();
  EXPECT_TRUE(Has(**join, "k:cmp", fig::kAttached, 1));
  EXPECT_FALSE(Has(**join, "k:cmp", fig::kScheduled, 1));
  EXPECT_EQ((*join)->dedupe_id, "cmp|cmp|p1");

  e.mutable_membership()->set_delivery(true);
  e.mutable_membership()->set_channel_id("ch1");
  e.mutable_membership()->set_occurrence_ms(kT - 3600000);
  auto delivery = FactFor(topics::k_posts_lifecycle, e);
  ASSERT_TRUE(delivery.ok() && delivery->has_value()) << delivery.status();
  // Published for the campaign and its variant only: the workspace, channel
  // and post counted it when it went out.
  EXPECT_TRUE(Has(**delivery, "k:cmp", fig::kPublished, 1));
  EXPECT_TRUE(Has(**delivery, "v:cmp/b", fig::kPublished, 1));
  EXPECT_FALSE(Has(**delivery, "w", fig::kPublished, 1));
  EXPECT_FALSE(Has(**delivery, "c:ch1", fig::kPublished, 1));
  // Bucketed at its occurrence (no published_at given), not at the join.
  EXPECT_EQ((*delivery)->bucket_ms, BucketOf(kT - 3600000));
  // The same delivery announced again (attach retried, or by the results
  // consumer) is the same fact.
  auto again = FactFor(topics::k_posts_lifecycle, e);
  EXPECT_EQ((*again)->dedupe_id, (*delivery)->dedupe_id);

  e.mutable_membership()->set_channel_id("");
  EXPECT_FALSE(FactFor(topics::k_posts_lifecycle, e).ok());
  e.mutable_membership()->set_channel_id("not an id!");
  EXPECT_FALSE(FactFor(topics::k_posts_lifecycle, e).ok());
  e.mutable_membership()->set_channel_id("ch1");
  e.mutable_membership()->set_campaign_id("");
  EXPECT_FALSE(FactFor(topics::k_posts_lifecycle, e).ok());
}

TEST(AnalyticsFacts, ATrackedLinkClickCountsOnceForWhatTheLinkWasFor) {
  LinkClick c;
  c.mutable_meta()->set_workspace_id("ws");
  *c.mutable_meta()->mutable_occurred_at() = FromMs(kT);
  *c.mutable_clicked_at() = FromMs(kT - 1000);
  c.set_click_id("k_1");
  c.set_code("Ab3dE5gH");
  c.set_campaign_id("cmp");
  c.set_variant("b");
  c.set_post_id("p1");
  c.set_channel_id("ch1");
  auto f = FactFor(topics::k_link_clicks, c);
  ASSERT_TRUE(f.ok() && f->has_value()) << f.status();
  for (const char* series : {"w", "k:cmp", "v:cmp/b", "p:p1", "c:ch1"}) {
    EXPECT_TRUE(Has(**f, series, fig::kClicks, 1)) << series;
    EXPECT_TRUE(Has(**f, series, fig::kUniqueClicks, 1)) << series;
  }
  EXPECT_EQ((*f)->dedupe_id, "clk|k_1");
  EXPECT_EQ((*f)->bucket_ms, BucketOf(kT - 1000));
  c.set_repeated(true);  // a person again: a click, not a unique one
  f = FactFor(topics::k_link_clicks, c);
  EXPECT_TRUE(Has(**f, "k:cmp", fig::kClicks, 1));
  EXPECT_FALSE(Has(**f, "k:cmp", fig::kUniqueClicks, 1));
  c.set_bot(true);  // a link preview: counted apart
  f = FactFor(topics::k_link_clicks, c);
  EXPECT_TRUE(Has(**f, "k:cmp", fig::kBotClicks, 1));
  EXPECT_FALSE(Has(**f, "k:cmp", fig::kClicks, 1));
  c.set_campaign_id("");
  EXPECT_FALSE(FactFor(topics::k_link_clicks, c).ok());
  c.set_campaign_id("no spaces!");
  EXPECT_FALSE(FactFor(topics::k_link_clicks, c).ok());
}

// The sum of a figure's counts in a series (credits sharing a series add up).
int64_t Sum(const Fact& f, const std::string& series, std::string_view figure) {
  int64_t total = 0;
  for (size_t i = 0; i < f.series.size(); ++i) {
    if (f.series[i] != series) continue;
    for (const Count& c : f.counts) {
      if (c.In(i) && c.figure == figure) total += c.delta;
    }
  }
  return total;
}

ConversionRecorded Sale(int credits) {
  ConversionRecorded c;
  c.mutable_meta()->set_workspace_id("ws");
  *c.mutable_meta()->mutable_occurred_at() = FromMs(kT + 5000);
  *c.mutable_converted_at() = FromMs(kT);
  c.set_conversion_id("cv_1");
  c.set_stage(CONVERSION_STAGE_SALE);
  c.set_value_micros(100'000'000);
  for (int i = 0; i < credits; ++i) {
    auto* credit = c.add_credits();
    credit->set_campaign_id("cmp");
    credit->set_channel_id("ch" + std::to_string(i % 2));
    credit->set_post_id("p" + std::to_string(i));
    credit->set_variant(i == 0 ? "a" : "");
    credit->set_value_micros(100'000'000 / credits + (i >= credits - 100'000'000 % credits ? 1 : 0));
  }
  return c;
}

TEST(AnalyticsFacts, AConversionIsWholeInTheWorkspaceAndSplitExactlyAmongItsCredits) {
  auto f = FactFor(topics::k_conversions, Sale(3));
  ASSERT_TRUE(f.ok() && f->has_value()) << f.status();
  EXPECT_EQ((*f)->dedupe_id, "cnv|cv_1");
  EXPECT_EQ((*f)->bucket_ms, BucketOf(kT));
  EXPECT_EQ(Sum(**f, "w", fig::kSalesMilli), 1000);
  EXPECT_EQ(Sum(**f, "w", fig::kRevenueMicros), 0);  // currencies of campaigns differ: no workspace sum
  // Three credits: 333 + 333 + 334 thousandths, all the campaign's.
  EXPECT_EQ(Sum(**f, "k:cmp", fig::kSalesMilli), 1000);
  EXPECT_EQ(Sum(**f, "k:cmp", fig::kRevenueMicros), 100'000'000);
  EXPECT_EQ(Sum(**f, "p:p0", fig::kSalesMilli), 333);
  EXPECT_EQ(Sum(**f, "p:p2", fig::kSalesMilli), 334);
  EXPECT_EQ(Sum(**f, "c:ch0", fig::kSalesMilli), 333 + 334);  // credits 0 and 2
  EXPECT_EQ(Sum(**f, "q:cmp/ch1", fig::kSalesMilli), 333);
  EXPECT_EQ(Sum(**f, "q:cmp/ch0", fig::kRevenueMicros), 33'333'333 + 33'333'334);
  EXPECT_EQ(Sum(**f, "v:cmp/a", fig::kSalesMilli), 333);
  EXPECT_EQ(Sum(**f, "w", fig::kUnattributed), 0);
}

// The segments the customer was in: each credit's campaign counts the sale
// and its revenue once per segment; fifty credits of twenty segments still
// fit the fact (series indexes are 16 bits).
TEST(AnalyticsFacts, AConversionCountsInItsCampaignsSegments) {
  ConversionRecorded c = Sale(2);
  c.add_segment_ids("vip");
  c.add_segment_ids("de");
  c.mutable_credits(1)->set_campaign_id("other");
  auto f = FactFor(topics::k_conversions, c);
  ASSERT_TRUE(f.ok() && f->has_value()) << f.status();
  EXPECT_EQ(Sum(**f, "s:cmp/vip", fig::kSalesMilli), 500);
  EXPECT_EQ(Sum(**f, "s:other/de", fig::kSalesMilli), 500);
  EXPECT_EQ(Sum(**f, "s:cmp/de", fig::kRevenueMicros), 50'000'000);
  EXPECT_EQ(Sum(**f, "s:other/vip", fig::kRevenueMicros), 50'000'000);
  EXPECT_EQ(Sum(**f, "w", fig::kSalesMilli), 1000);  // the workspace counts it once, not per segment

  ConversionRecorded wide = Sale(50);
  for (int i = 0; i < 50; ++i) wide.mutable_credits(i)->set_campaign_id("c" + std::to_string(i));
  for (int i = 0; i < 20; ++i) wide.add_segment_ids("s" + std::to_string(i));
  auto big = FactFor(topics::k_conversions, wide);
  ASSERT_TRUE(big.ok() && big->has_value()) << big.status();
  EXPECT_GT((*big)->series.size(), 1000u);
  EXPECT_EQ(Sum(**big, "s:c49/s19", fig::kSalesMilli), 1000 / 50);

  ConversionRecorded too_many = Sale(1);
  for (int i = 0; i < 21; ++i) too_many.add_segment_ids("s" + std::to_string(i));
  EXPECT_FALSE(FactFor(topics::k_conversions, too_many).ok());
  ConversionRecorded bad = Sale(1);
  bad.add_segment_ids("a/b");
  EXPECT_FALSE(FactFor(topics::k_conversions, bad).ok());
}

TEST(AnalyticsFacts, AnUnattributedConversionCountsOnlyInTheWorkspace) {
  ConversionRecorded c = Sale(0);
  c.set_stage(CONVERSION_STAGE_LEAD);
  c.set_unattributed("expired");
  auto f = FactFor(topics::k_conversions, c);
  ASSERT_TRUE(f.ok() && f->has_value()) << f.status();
  EXPECT_EQ((*f)->series.size(), 1u);
  EXPECT_EQ(Sum(**f, "w", fig::kLeadsMilli), 1000);
  EXPECT_EQ(Sum(**f, "w", fig::kUnattributed), 1);
}

TEST(AnalyticsFacts, AConversionThatCannotBeCountedIsRefused) {
  ConversionRecorded bad = Sale(1);
  bad.mutable_credits(0)->set_campaign_id("no spaces!");
  EXPECT_FALSE(FactFor(topics::k_conversions, bad).ok());
  ConversionRecorded many = Sale(51);
  EXPECT_FALSE(FactFor(topics::k_conversions, many).ok());
  ConversionRecorded stage = Sale(1);
  stage.set_stage(CONVERSION_STAGE_UNSPECIFIED);
  EXPECT_FALSE(FactFor(topics::k_conversions, stage).ok());
}

TEST(AnalyticsFacts, SpendCountsItsChangeOncePerRevisionOnItsDay) {
  SpendRecorded s;
  s.mutable_meta()->set_workspace_id("ws");
  s.set_campaign_id("cmp");
  s.set_channel_id("ch1");
  s.set_day("2025-12-01");
  *s.mutable_day_start() = FromMs(kT - 3600 * 1000);  // Berlin's midnight
  s.set_amount_micros(70'000'000);
  s.set_delta_micros(-30'000'000);  // a corrected report: less than before
  s.set_revision(2);
  auto f = FactFor(topics::k_spend, s);
  ASSERT_TRUE(f.ok() && f->has_value()) << f.status();
  EXPECT_EQ((*f)->dedupe_id, "spd|cmp|ch1|2025-12-01|2");
  EXPECT_EQ((*f)->bucket_ms, BucketOf(kT - 3600 * 1000));
  for (const char* series : {"k:cmp", "c:ch1", "q:cmp/ch1"}) EXPECT_EQ(Sum(**f, series, fig::kSpendMicros), -30'000'000);
  s.set_revision(0);
  EXPECT_FALSE(FactFor(topics::k_spend, s).ok());
}

TEST(LagHistogram, BucketsAreWithinTenPercentAndPercentilesUseNearestRank) {
  EXPECT_EQ(LagBucket(-5), 0);
  EXPECT_EQ(LagBucket(1), 0);
  for (double lag : {1.5, 42.0, 600.0, 86400.0}) {
    double upper = LagBucketUpperSeconds(LagBucket(lag));
    EXPECT_GE(upper, lag);
    EXPECT_LE(upper, lag * 1.1 + 1e-9);
  }
  EXPECT_EQ(LagBucket(1e12), kLagBuckets - 1);
  std::vector<int64_t> h(kLagBuckets);
  EXPECT_FALSE(LagPercentile(h, 0.5).has_value());
  // 98 posts at ~10 s and 2 at ~1 h: p50 and p90 are 10 s, p99 is an hour.
  h[LagBucket(10)] = 98;
  h[LagBucket(3600)] = 2;
  EXPECT_DOUBLE_EQ(*LagPercentile(h, 0.5), LagBucketUpperSeconds(LagBucket(10)));
  EXPECT_DOUBLE_EQ(*LagPercentile(h, 0.9), LagBucketUpperSeconds(LagBucket(10)));
  EXPECT_DOUBLE_EQ(*LagPercentile(h, 0.99), LagBucketUpperSeconds(LagBucket(3600)));
}

}  // namespace
}  // namespace herald::analytics

namespace herald::analytics {
namespace {

TEST(MetricReadSchedule, AgesParseAscendingAndMissedReadsAreNotMadeUp) {
  auto ages = ParseReadAges("1h,6h,24h,3d,7d,28d");
  ASSERT_TRUE(ages.ok());
  ASSERT_EQ(ages->size(), 6u);
  EXPECT_EQ((*ages)[3], 3 * 86400000LL);
  for (const char* bad : {"", "1h,1h", "6h,1h", "5x", "h", "0s", "1h,,2h"}) {
    EXPECT_FALSE(ParseReadAges(bad).ok()) << bad;
  }
  constexpr int64_t kPub = 1'000'000'000'000, kH = 3600000;
  EXPECT_EQ(NextRead(kPub, *ages, kPub), kPub + kH);
  EXPECT_EQ(NextRead(kPub, *ages, kPub + kH), kPub + 6 * kH);  // the 1 h read is done
  // Down for two days: the 6 h and 24 h reads are gone; next is 3 days.
  EXPECT_EQ(NextRead(kPub, *ages, kPub + 50 * kH), kPub + 72 * kH);
  EXPECT_FALSE(NextRead(kPub, *ages, kPub + 29 * 24 * kH).has_value());
}

TEST(AnalyticsFacts, APublishedPostIsReadableOnlyWithARemoteIdFitForAUrl) {
  events::v1::PublishResult r;
  r.mutable_meta()->set_workspace_id("ws");
  *r.mutable_meta()->mutable_occurred_at() = FromMs(kT);
  r.set_post_id("p1");
  r.set_channel_id("ch");
  r.set_outcome(events::v1::PUBLISH_OUTCOME_PUBLISHED);
  r.set_remote_id("109876543210");
  EXPECT_TRUE((*FactFor(topics::k_publish_results, r))->post->readable);
  r.set_remote_id("id with spaces");
  auto f = FactFor(topics::k_publish_results, r);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE((*f)->post->readable);  // still counted, never read
  EXPECT_TRUE(Has(**f, "c:ch", fig::kPublished, 1));
}

}  // namespace
}  // namespace herald::analytics
