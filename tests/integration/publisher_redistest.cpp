#include <gtest/gtest.h>

#include "publisher/channel_store.h"
#include "publisher/delivery_ledger.h"
#include "publisher/rate_limiter.h"
#include "publisher/reauth_gauge.h"
#include "redis_fixture.h"

namespace herald::publisher {
namespace {

using herald::testing::RedisTest;

class RateLimiterTest : public RedisTest {};

constexpr QuotaClass kPublish{0, 0.0, false};
constexpr QuotaClass kReply{1, 0.1, false};
constexpr QuotaClass kListen{2, 0.3, true};

QuotaPlan Plan(const std::string& scope, std::vector<QuotaWindow> windows) {
  QuotaPlan plan;
  for (auto& w : windows) plan.push_back({"rl:{" + scope + "}:" + w.name, w, 1});
  return plan;
}

// The promise to the network: whatever its window boundaries, never more than
// limit - 1 calls in any span of one window, and close to the whole quota used.
TEST_F(RateLimiterTest, NeverMoreThanTheLimitInAnyWindowAndNearlyAllOfIt) {
  RateLimiter limiter(redis());
  const int64_t kWindow = 60000, kLimit = 60;
  auto plan = Plan("ch:a", {{"1m", kLimit, kWindow}});
  std::vector<int64_t> admitted;
  for (int64_t t = 0; t < 5 * kWindow; t += 50) {  // a caller that never stops asking
    if (limiter.Acquire(plan, kPublish, AtMs(t))->allowed) admitted.push_back(t);
  }
  for (size_t i = 0; i < admitted.size(); ++i) {
    size_t in_window = 0;
    for (size_t j = i; j < admitted.size() && admitted[j] < admitted[i] + kWindow; ++j) ++in_window;
    ASSERT_LE(in_window, static_cast<size_t>(kLimit - 1)) << "window starting at " << admitted[i];
  }
  EXPECT_GE(admitted.size(), static_cast<size_t>(0.95 * 5 * kLimit));
}

TEST_F(RateLimiterTest, BurstGoesBackToBackThenDeferredCallsGetSuccessiveSlots) {
  RateLimiter limiter(redis());
  auto plan = Plan("ch:a", {{"5m", 300, 300000}});  // burst 300 / 50 = 6, then one per 300 s / 294
  const int64_t now = 1'000'000;
  const double interval = 300000.0 / 294;
  int allowed = 0;
  for (int i = 0; i < 6; ++i) allowed += limiter.Acquire(plan, kPublish, AtMs(now))->allowed;
  EXPECT_EQ(allowed, 6);
  auto first = limiter.Acquire(plan, kPublish, AtMs(now));
  auto second = limiter.Acquire(plan, kPublish, AtMs(now));
  ASSERT_FALSE(first->allowed || second->allowed);
  EXPECT_NEAR(static_cast<double>(first->retry_after_ms), interval, 1.0);
  EXPECT_NEAR(static_cast<double>(second->retry_after_ms), 2 * interval, 1.0);  // the next slot, not the same one
  EXPECT_TRUE(limiter.Acquire(plan, kPublish, AtMs(now + first->retry_after_ms))->allowed);
  EXPECT_TRUE(limiter.Acquire(plan, kPublish, AtMs(now + second->retry_after_ms))->allowed);
  EXPECT_TRUE(limiter.Acquire(Plan("ch:b", {{"5m", 300, 300000}}), kPublish, AtMs(now))->allowed);  // own budget
}

TEST_F(RateLimiterTest, EveryWindowMustFitAndNothingIsTakenOnDenial) {
  RateLimiter limiter(redis());
  // The 1 min window (5, burst 2) admits 2 back to back, then one per 20 s.
  auto plan = Plan("x", {{"10s", 100, 10000}, {"1m", 5, 60000}});
  ASSERT_TRUE(limiter.Acquire(plan, kPublish, AtMs(0))->allowed);
  ASSERT_TRUE(limiter.Acquire(plan, kPublish, AtMs(0))->allowed);
  auto before = limiter.Headroom(plan, AtMs(0));
  auto denied = limiter.Acquire(plan, kPublish, AtMs(0));
  EXPECT_FALSE(denied->allowed);
  EXPECT_EQ(denied->retry_after_ms, 20000);
  auto after = limiter.Headroom(plan, AtMs(0));
  EXPECT_EQ((*before)[0].available, (*after)[0].available);  // the 10 s window was not charged
  EXPECT_EQ((*after)[1].available, 0);
  EXPECT_EQ((*after)[1].next_ms, 20000);
  EXPECT_TRUE(limiter.Acquire(plan, kPublish, AtMs(20000))->allowed);
}

TEST_F(RateLimiterTest, TwoClientsShareOneBudget) {
  RedisClient other(server().options());
  RateLimiter a(redis()), b(other);
  auto plan = Plan("s", {{"1m", 20, 60000, 10}});
  int allowed = 0;
  for (int i = 0; i < 10; ++i) {
    allowed += a.Acquire(plan, kPublish, AtMs(0))->allowed;
    allowed += b.Acquire(plan, kPublish, AtMs(0))->allowed;
  }
  EXPECT_EQ(allowed, 10);
  auto many = a.AcquireMany({Plan("t1", {{"1m", 20, 60000}}), Plan("t2", {{"1m", 20, 60000}})}, kPublish, AtMs(0));
  ASSERT_TRUE(many.ok());
  EXPECT_TRUE((*many)[0].allowed && (*many)[1].allowed);
}

// Replies (reserve 10 %) only use what publishing leaves: under a steady
// publishing load they wait, and once publishing pauses they go.
TEST_F(RateLimiterTest, LowerPrioritiesYieldToPublishing) {
  RateLimiter limiter(redis());
  auto plan = Plan("s", {{"100s", 100, 100000}});  // burst 2, one per ~1.02 s
  int64_t t = 0;
  int published = 0, replied_while_busy = 0;
  for (; t < 50000; t += 100) {
    published += limiter.Acquire(plan, kPublish, AtMs(t))->allowed;
    replied_while_busy += limiter.Acquire(plan, kReply, AtMs(t))->allowed;
  }
  EXPECT_GT(published, 45);
  EXPECT_EQ(replied_while_busy, 0);
  auto later = limiter.Acquire(plan, kReply, AtMs(t + 20000));  // publishing stopped 20 s ago
  EXPECT_TRUE(later->allowed);
}

// A reply after an occasional post waits a fraction of one interval, not a
// share of the whole window (X: 100 per 15 min, a reply 90 s late was a bug).
TEST_F(RateLimiterTest, AReplyAfterAnOccasionalPostWaitsAFractionOfAnInterval) {
  RateLimiter limiter(redis());
  auto plan = Plan("x", {{"15m", 100, 900000}});  // burst 2, interval ~9.2 s
  ASSERT_TRUE(limiter.Acquire(plan, kPublish, AtMs(0))->allowed);
  auto reply = limiter.Acquire(plan, kReply, AtMs(0));
  ASSERT_FALSE(reply->allowed);  // right after the post: the burst's slack is spoken for
  EXPECT_LE(reply->retry_after_ms, 1000);
  EXPECT_TRUE(limiter.Acquire(plan, kReply, AtMs(reply->retry_after_ms))->allowed);
}

// Facebook's 200 an hour has a burst of 4 and an 18 s interval. A listener
// polling every 300 ms at listen priority never leaves publishing without the
// call it would have had alone: an occasional post is allowed at once, every
// time, and so is a reply (with a reserve of 30 % of the burst alone, the
// poll after a refill took the slot and the post waited).
TEST_F(RateLimiterTest, PollingHardNeverTakesTheSlotOfAnOccasionalPost) {
  RateLimiter limiter(redis());
  auto plan = Plan("fb", {{"1h", 200, 3600000}});
  int polls = 0, posts = 0, posts_deferred = 0, replies = 0, replies_deferred = 0;
  for (int64_t t = 0; t < 1800000; t += 300) {
    polls += limiter.Acquire(plan, kListen, AtMs(t))->allowed;
    if (t % 97000 == 0) {  // a post every 97 s, between the polls' refills
      ++posts;
      posts_deferred += !limiter.Acquire(plan, kPublish, AtMs(t + 150))->allowed;
    }
    if (t % 97000 == 48600) {  // and a reply from the inbox half-way between
      ++replies;
      replies_deferred += !limiter.Acquire(plan, kReply, AtMs(t + 150))->allowed;
    }
  }
  EXPECT_EQ(posts_deferred, 0) << "of " << posts << " posts";
  EXPECT_EQ(replies_deferred, 0) << "of " << replies << " replies";
  EXPECT_GT(polls, 50);  // the polls still used what publishing left
}

// Promises made to refused calls queue per class: a listener refused a
// hundred times piles up promises of its own, and a post refused after a
// burst is told to come back within an interval or two, not behind them.
TEST_F(RateLimiterTest, ALowerClassesPromisesNeverPushAHigherClassBack) {
  RateLimiter limiter(redis());
  auto plan = Plan("fb2", {{"1h", 200, 3600000}});  // burst 4, interval ~18.4 s
  const int64_t interval = 3600000 / 196;
  int refused_polls = 0;
  for (int i = 0; i < 100; ++i) refused_polls += !limiter.Acquire(plan, kListen, AtMs(i))->allowed;
  ASSERT_GT(refused_polls, 90);
  int published = 0;
  while (limiter.Acquire(plan, kPublish, AtMs(200))->allowed) ++published;
  EXPECT_GE(published, 1);
  auto post = limiter.Acquire(plan, kPublish, AtMs(200));
  ASSERT_FALSE(post->allowed);
  EXPECT_LE(post->retry_after_ms, 2 * interval);
  EXPECT_TRUE(limiter.Acquire(plan, kPublish, AtMs(200 + post->retry_after_ms))->allowed);
  // The listener's own promise is behind everything deferred before it.
  auto poll = limiter.Acquire(plan, kListen, AtMs(300));
  ASSERT_FALSE(poll->allowed);
  EXPECT_GT(poll->retry_after_ms, 50 * interval);
}

TEST_F(RateLimiterTest, BlockUntilHonoursRetryAfter) {
  RateLimiter limiter(redis());
  auto plan = Plan("s", {{"5m", 300, 300000}});
  ASSERT_TRUE(limiter.BlockUntil(plan, AtMs(60000)).ok());
  EXPECT_FALSE(limiter.Acquire(plan, kPublish, AtMs(59000))->allowed);
  EXPECT_TRUE(limiter.Acquire(plan, kPublish, AtMs(60000))->allowed);
}

class LedgerTest : public RedisTest {};

TEST_F(LedgerTest, SentIsFinalAndAttemptsAreCounted) {
  DeliveryLedger ledger(redis());
  DeliveryKey k{PostId("p"), ChannelId("ch"), AtMs(1)};
  EXPECT_EQ(ledger.Get(k)->state, LedgerEntry::State::kNew);
  EXPECT_EQ(ledger.Begin(k, AtMs(1), Millis(100))->state, LedgerEntry::State::kNew);
  auto busy = ledger.Begin(k, AtMs(50), Millis(100));
  EXPECT_EQ(busy->state, LedgerEntry::State::kBusy);  // the first may still be running
  EXPECT_EQ(busy->busy_until, AtMs(101));
  auto second = ledger.Begin(k, AtMs(101), Millis(100));
  EXPECT_EQ(second->state, LedgerEntry::State::kSending);  // the first one's outcome is unknown
  EXPECT_EQ(second->attempts, 1);
  EXPECT_EQ(second->attempt_started, AtMs(1));
  ASSERT_TRUE(ledger.CountAttempt(k).ok());  // the second really sent
  ASSERT_TRUE(ledger.MarkSent(k, "r1", "https://x/r1", AtMs(102)).ok());
  auto after = ledger.Begin(k, AtMs(400), Millis(100));
  EXPECT_EQ(after->state, LedgerEntry::State::kSent);
  EXPECT_EQ(after->remote_id, "r1");
  EXPECT_EQ(ledger.Get(k)->attempts, 2);  // a begin on a SENT entry counts nothing
}

TEST_F(LedgerTest, ReleaseHandsBackAClaimThatSentNothing) {
  DeliveryLedger ledger(redis());
  DeliveryKey k{PostId("p2"), ChannelId("ch"), AtMs(1)};
  // A new delivery claimed, then the quota said wait: back to new, uncounted.
  auto first = ledger.Begin(k, AtMs(1000), Millis(100));
  ASSERT_TRUE(ledger.Release(k, *first).ok());
  EXPECT_EQ(ledger.Get(k)->state, LedgerEntry::State::kNew);
  EXPECT_EQ(ledger.Get(k)->attempts, 0);
  EXPECT_EQ(ledger.Begin(k, AtMs(1001), Millis(100))->state, LedgerEntry::State::kNew);  // not busy: claimable at once

  // An unknown outcome claimed again and released stays unknown, and its
  // in-progress window is the earlier attempt's, not the release's.
  auto unknown = ledger.Begin(k, AtMs(2000), Millis(100));
  ASSERT_EQ(unknown->state, LedgerEntry::State::kSending);
  ASSERT_TRUE(ledger.Release(k, *unknown).ok());
  auto again = ledger.Begin(k, AtMs(2001), Millis(100));
  EXPECT_EQ(again->state, LedgerEntry::State::kSending);
  EXPECT_EQ(again->attempt_started, AtMs(1001));
  EXPECT_EQ(again->attempts, 1);

  // A claim settled meanwhile is not released.
  ASSERT_TRUE(ledger.MarkSent(k, "r", "u", AtMs(2002)).ok());
  ASSERT_TRUE(ledger.Release(k, *again).ok());
  EXPECT_EQ(ledger.Get(k)->state, LedgerEntry::State::kSent);
}

TEST_F(LedgerTest, AClaimTakenOverIsNeitherRenewedNorReleasedByItsFormerOwner) {
  DeliveryLedger ledger(redis());
  DeliveryKey k{PostId("p3"), ChannelId("ch"), AtMs(1)};
  auto a = ledger.Begin(k, AtMs(1000), Millis(100));  // replica A claims, then stalls
  ASSERT_EQ(a->state, LedgerEntry::State::kNew);
  ASSERT_TRUE(*ledger.Renew(k, *a, AtMs(1050)));  // still A's: renewed before its network call
  EXPECT_EQ(ledger.Begin(k, AtMs(1100), Millis(100))->state, LedgerEntry::State::kBusy);  // counted from the renewal
  auto b = ledger.Begin(k, AtMs(1200), Millis(100));  // A looks abandoned: B takes over
  ASSERT_EQ(b->state, LedgerEntry::State::kSending);
  EXPECT_FALSE(*ledger.Renew(k, *a, AtMs(1210)));  // A must not send now
  ASSERT_TRUE(ledger.Release(k, *a).ok());   // and cannot undo B's claim
  EXPECT_EQ(ledger.Begin(k, AtMs(1220), Millis(100))->state, LedgerEntry::State::kBusy);
  EXPECT_TRUE(*ledger.Renew(k, *b, AtMs(1230)));
}

class ChannelStoreTest : public RedisTest {};

TEST_F(ChannelStoreTest, TokenIsSealedAtRestAndOpenedOnRead) {
  auto box = CredentialsBox::FromHex(std::string(64, '1'));
  ChannelStore store(redis(), *box);
  v1::Channel c;
  c.set_id("ch_1");
  c.set_workspace_id("ws");
  c.set_status(v1::CHANNEL_STATUS_ACTIVE);
  ASSERT_TRUE(store.Put(c, "super-secret-token").ok());
  auto raw = redis().Command({"HGET", "pub:{ws}:ch:ch_1", "token"});
  EXPECT_EQ(raw->str.find("super-secret-token"), std::string::npos);
  auto read = store.GetWithToken(WorkspaceId("ws"), ChannelId("ch_1"));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->access_token, "super-secret-token");
  EXPECT_EQ(store.List(WorkspaceId("ws"))->size(), 1u);
  EXPECT_TRUE(absl::IsNotFound(store.Get(WorkspaceId("other"), ChannelId("ch_1")).status()));
  ASSERT_TRUE(store.SetStatus(WorkspaceId("ws"), ChannelId("ch_1"), v1::CHANNEL_STATUS_NEEDS_REAUTH).ok());
  EXPECT_EQ(store.Get(WorkspaceId("ws"), ChannelId("ch_1"))->status(), v1::CHANNEL_STATUS_NEEDS_REAUTH);
}

// The index behind herald_publisher_channels_needing_reauth: every channel
// needing re-authorisation is counted, across workspaces and by network, and
// one re-authorised, disconnected or deleted since drops out.
TEST_F(ChannelStoreTest, ChannelsNeedingReauthAreCountedByNetworkUntilFixed) {
  auto box = CredentialsBox::FromHex(std::string(64, '1'));
  ChannelStore store(redis(), *box);
  auto put = [&](const std::string& ws, const std::string& id, herald::common::v1::Network network) {
    v1::Channel c;
    c.set_id(id);
    c.set_workspace_id(ws);
    c.set_network(network);
    c.set_status(v1::CHANNEL_STATUS_ACTIVE);
    EXPECT_TRUE(store.Put(c, "token").ok());
    return c;
  };
  auto a = put("ws1", "ch_a", herald::common::v1::NETWORK_MASTODON);
  auto b = put("ws2", "ch_b", herald::common::v1::NETWORK_MASTODON);
  auto c = put("ws2", "ch_c", herald::common::v1::NETWORK_BLUESKY);
  put("ws2", "ch_ok", herald::common::v1::NETWORK_BLUESKY);
  for (const auto* ch : {&a, &b, &c}) {
    ASSERT_TRUE(store.SetStatus(WorkspaceOf(*ch), IdOf(*ch), v1::CHANNEL_STATUS_NEEDS_REAUTH).ok());
  }
  prometheus::Registry registry;
  ReauthGauge gauge(store, registry);
  auto value = [&](const std::string& network) {
    for (const auto& f : registry.Collect()) {
      if (f.name != "herald_publisher_channels_needing_reauth") continue;
      for (const auto& m : f.metric) {
        if (m.label.at(0).value == network) return m.gauge.value;
      }
    }
    return -1.0;
  };
  EXPECT_EQ(value("mastodon"), 0) << "every network's series exists at zero before the first reading";
  ASSERT_TRUE(gauge.ReadOnce().ok());
  EXPECT_EQ(value("mastodon"), 2);
  EXPECT_EQ(value("bluesky"), 1);
  EXPECT_EQ(value("x"), 0);

  // Re-authorised (Put, as UpdateChannel does), disconnected, deleted: each stops counting.
  ASSERT_TRUE(store.Put(a, "new-token").ok());
  ASSERT_TRUE(store.PutDisconnected(b).ok());
  ASSERT_TRUE(redis().Command({"DEL", ChannelStore::Key("ws2", "ch_c")}).ok());
  ASSERT_TRUE(gauge.ReadOnce().ok());
  EXPECT_EQ(value("mastodon"), 0);
  EXPECT_EQ(value("bluesky"), 0);
  EXPECT_EQ(redis().Command({"SCARD", "pub:reauth"})->AsInt(), 0) << "pruned entries leave the index";
}

}  // namespace
}  // namespace herald::publisher
