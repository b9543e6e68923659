#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "analytics/rollup_store.h"
#include "listener/inbox_store.h"
#include "redis_fixture.h"

namespace herald {
namespace {

using herald::testing::RedisTest;

class RollupStoreTest : public RedisTest {};

analytics::PartitionBatch Batch(int64_t first, int64_t next, std::vector<analytics::Increment> incs) {
  return {"mentions", 3, first, next, std::move(incs)};
}

TEST_F(RollupStoreTest, ReplayedBatchIsRefusedAndCountsStayExact) {
  analytics::RollupStore store(redis());
  auto r = store.Apply({Batch(0, 2, {{"a", "mentions|ws", 1}, {"b", "mentions|ws", 1}})});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*r)[0].applied);
  // The same offsets again (crash before the Kafka commit): refused.
  auto replay = store.Apply({Batch(0, 2, {{"a", "mentions|ws", 1}, {"b", "mentions|ws", 1}})});
  EXPECT_FALSE((*replay)[0].applied);
  EXPECT_EQ((*replay)[0].stored_offset, 2);
  EXPECT_EQ(*store.Sum("mentions", 12, "mentions|ws"), 2);
  EXPECT_EQ(**store.StoredOffset("mentions", 3), 2);
}

TEST_F(RollupStoreTest, DuplicateFactFromTheProducerIsCountedOnce) {
  analytics::RollupStore store(redis());
  ASSERT_TRUE(store.Apply({Batch(0, 1, {{"m1", "mentions|ws", 1}})}).ok());
  ASSERT_TRUE(store.Apply({Batch(1, 2, {{"m1", "mentions|ws", 1}})}).ok());  // same fact, new offset
  EXPECT_EQ(*store.Sum("mentions", 12, "mentions|ws"), 1);
  EXPECT_EQ(**store.StoredOffset("mentions", 3), 2);
}

TEST_F(RollupStoreTest, RepeatOfAFactInsideOneBatchIsCountedOnce) {
  analytics::RollupStore store(redis());
  // Offsets 0 and 1 carry the same fact (a re-announced result), each with
  // two increments; offset 2 is another fact.
  ASSERT_TRUE(store.Apply({Batch(0, 3, {{"r1", "published|ws", 1, 0}, {"r1", "published|ws|ch", 1, 0},
                                        {"r1", "published|ws", 1, 1}, {"r1", "published|ws|ch", 1, 1},
                                        {"r2", "published|ws", 1, 2}, {"r2", "published|ws|ch", 1, 2}})})
                  .ok());
  EXPECT_EQ(*store.Sum("mentions", 12, "published|ws"), 2);
  EXPECT_EQ(*store.Sum("mentions", 12, "published|ws|ch"), 2);
}

TEST_F(RollupStoreTest, ConsumerThatLostThePartitionIsFenced) {
  analytics::RollupStore store(redis());
  // New owner applied up to 150; the old owner still holds a batch from 100.
  ASSERT_TRUE(store.Apply({Batch(0, 150, {{"x", "mentions|ws", 150}})}).ok());
  auto stale = store.Apply({Batch(100, 120, {{"y", "mentions|ws", 20}})});
  EXPECT_FALSE((*stale)[0].applied);
  EXPECT_EQ(*store.Sum("mentions", 12, "mentions|ws"), 150);
}

TEST_F(RollupStoreTest, DedupeMemoryIsBoundedToTheWindow) {
  analytics::RollupStore store(redis(), /*dedupe_window=*/3);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(store.Apply({Batch(i, i + 1, {{"f" + std::to_string(i), "mentions|ws", 1, i}})}).ok());
  }
  EXPECT_EQ(redis().Command({"ZCARD", "{an:mentions:3}:seen"})->AsInt(), 3);
  ASSERT_TRUE(store.Apply({Batch(10, 11, {{"f9", "mentions|ws", 1, 10}})}).ok());  // recent repeat: dropped
  EXPECT_EQ(*store.Sum("mentions", 12, "mentions|ws"), 10);
}

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
TEST_F(RollupStoreTest, ScriptCacheFlushMidPipelineRunsEachCallOnce) {
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
