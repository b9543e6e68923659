#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "listener/inbox_store.h"
#include "redis_fixture.h"

namespace herald {
namespace {

using herald::testing::RedisTest;

class InboxStoreTest : public RedisTest {};

TEST_F(InboxStoreTest, ClaimCompleteAndRelease) {
  listener::InboxStore inbox(redis());
  EXPECT_EQ(*inbox.ClaimMention("ws", "m1"), listener::InboxStore::Claim::kNew);
  EXPECT_EQ(*inbox.ClaimMention("ws", "m1"), listener::InboxStore::Claim::kPending);
  ASSERT_TRUE(inbox.Release("ws", "m1").ok());
  EXPECT_EQ(*inbox.ClaimMention("ws", "m1"), listener::InboxStore::Claim::kNew);
  listener::v1::InboxItem item;
  item.set_id("m1");
  item.set_text("hi");
  ASSERT_TRUE(inbox.Complete("ws", item).ok());
  EXPECT_EQ(*inbox.ClaimMention("ws", "m1"), listener::InboxStore::Claim::kDone);
  auto list = inbox.List("ws", 10);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].text(), "hi");
}

}  // namespace
}  // namespace herald

namespace herald {
namespace {

// A pipeline racing a SCRIPT FLUSH/LOAD must never run a call twice.
TEST_F(InboxStoreTest, ScriptCacheFlushMidPipelineRunsEachCallOnce) {
  RedisScript incr("return redis.call('INCR', KEYS[1])");
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls(200, {{"counter"}, {}});
  ASSERT_TRUE(redis().EvalPipeline(incr, calls).ok());
  ASSERT_TRUE(redis().Command({"SCRIPT", "FLUSH"}).ok());  // as after a Redis restart or failover
  std::atomic<bool> stop{false};
  std::thread flusher([&] {
    RedisClient other(server().options());
    while (!stop) {
      (void)other.Command({"SCRIPT", "FLUSH"});
      (void)other.Command({"SCRIPT", "LOAD", incr.source()});
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
  });
  for (int round = 0; round < 20; ++round) {
    auto replies = redis().EvalPipeline(incr, calls);
    ASSERT_TRUE(replies.ok());
    for (const auto& r : *replies) ASSERT_FALSE(r.is_error()) << r.str;
  }
  stop = true;
  flusher.join();
  EXPECT_EQ(redis().Command({"GET", "counter"})->AsInt(), 21 * 200);
}

}  // namespace
}  // namespace herald
