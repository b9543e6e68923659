#include <gtest/gtest.h>

#include "publisher/channel_store.h"
#include "publisher/delivery_ledger.h"
#include "publisher/rate_limiter.h"
#include "redis_fixture.h"

namespace herald::publisher {
namespace {

using herald::testing::RedisTest;

class RateLimiterTest : public RedisTest {};

TEST_F(RateLimiterTest, AllowsExactlyTheLimitPerWindowThenSaysWhen) {
  RateLimiter limiter(redis());
  std::vector<QuotaWindow> w{{"5m", 300, 300000}};
  int64_t now = 1'000'000;
  int allowed = 0;
  for (int i = 0; i < 400; ++i) allowed += limiter.Acquire("ch:a", w, now)->allowed;
  EXPECT_EQ(allowed, 300);
  auto denied = limiter.Acquire("ch:a", w, now);
  EXPECT_FALSE(denied->allowed);
  EXPECT_EQ(denied->retry_after_ms, 1000);  // one emission interval: 300 s / 300
  EXPECT_TRUE(limiter.Acquire("ch:a", w, now + 1000)->allowed);
  EXPECT_TRUE(limiter.Acquire("ch:b", w, now)->allowed);  // other scopes unaffected
}

TEST_F(RateLimiterTest, EveryWindowMustFitAndNothingIsTakenOnDenial) {
  RateLimiter limiter(redis());
  std::vector<QuotaWindow> w{{"1s", 5, 1000}, {"1m", 8, 60000}};
  int first_second = 0, second_second = 0;
  for (int i = 0; i < 20; ++i) first_second += limiter.Acquire("x", w, 0)->allowed;
  for (int i = 0; i < 20; ++i) second_second += limiter.Acquire("x", w, 1000)->allowed;
  EXPECT_EQ(first_second, 5);   // the 1 s window binds
  EXPECT_EQ(second_second, 3);  // then the 1 min window: 8 in all
  auto denied = limiter.Acquire("x", w, 1000);
  EXPECT_FALSE(denied->allowed);
  EXPECT_GT(denied->retry_after_ms, 0);
}

TEST_F(RateLimiterTest, TwoClientsShareOneBudget) {
  RedisClient other(server().options());
  RateLimiter a(redis()), b(other);
  std::vector<QuotaWindow> w{{"1m", 10, 60000}};
  int allowed = 0;
  for (int i = 0; i < 10; ++i) {
    allowed += a.Acquire("s", w, 0)->allowed;
    allowed += b.Acquire("s", w, 0)->allowed;
  }
  EXPECT_EQ(allowed, 10);
  auto many = a.AcquireMany({"t1", "t2", "t1"}, w, 0);
  ASSERT_TRUE(many.ok());
  EXPECT_EQ(many->size(), 3u);
}

TEST_F(RateLimiterTest, BlockUntilHonoursRetryAfter) {
  RateLimiter limiter(redis());
  std::vector<QuotaWindow> w{{"5m", 300, 300000}};
  ASSERT_TRUE(limiter.BlockUntil("s", w, 60000).ok());
  EXPECT_FALSE(limiter.Acquire("s", w, 59000)->allowed);
  EXPECT_TRUE(limiter.Acquire("s", w, 61000)->allowed);
}

class LedgerTest : public RedisTest {};

TEST_F(LedgerTest, SentIsFinalAndAttemptsAreCounted) {
  DeliveryLedger ledger(redis());
  DeliveryKey k{"p", "ch", 1};
  EXPECT_EQ(ledger.Get(k)->state, LedgerEntry::State::kNew);
  EXPECT_EQ(ledger.BeginAttempt(k, 1)->state, LedgerEntry::State::kNew);
  auto second = ledger.BeginAttempt(k, 2);
  EXPECT_EQ(second->state, LedgerEntry::State::kSending);  // the first one's outcome is unknown
  EXPECT_EQ(second->attempts, 1);
  ASSERT_TRUE(ledger.MarkSent(k, "r1", "https://x/r1", 3).ok());
  auto after = ledger.BeginAttempt(k, 4);
  EXPECT_EQ(after->state, LedgerEntry::State::kSent);
  EXPECT_EQ(after->remote_id, "r1");
  EXPECT_EQ(ledger.Get(k)->attempts, 2);  // a begin on a SENT entry counts nothing
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
  auto read = store.GetWithToken("ws", "ch_1");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->access_token, "super-secret-token");
  EXPECT_EQ(store.List("ws")->size(), 1u);
  EXPECT_TRUE(absl::IsNotFound(store.Get("other", "ch_1").status()));
  ASSERT_TRUE(store.SetStatus("ws", "ch_1", v1::CHANNEL_STATUS_NEEDS_REAUTH).ok());
  EXPECT_EQ(store.Get("ws", "ch_1")->status(), v1::CHANNEL_STATUS_NEEDS_REAUTH);
}

}  // namespace
}  // namespace herald::publisher
