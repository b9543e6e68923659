#include "scheduler/post_store.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "common/time_util.h"
#include "redis_fixture.h"
#include "scheduler/post_rules.h"

namespace herald::scheduler {
namespace {

using herald::testing::RedisTest;

constexpr int64_t kNow = 1'800'000'000'000;

v1::Post MakePost(const std::string& id, int64_t due_ms) {
  v1::CreatePostRequest r;
  r.set_workspace_id("ws");
  r.set_text("text of " + id);
  r.add_channel_ids("ch1");
  *r.mutable_publish_at() = FromMs(due_ms);
  return BuildPost(r, id, due_ms, kNow);
}

class PostStoreTest : public RedisTest {
 protected:
  PostStore store{redis(), 4};
};

TEST_F(PostStoreTest, CreateIsIdempotentPerId) {
  auto a = store.Create(MakePost("p_a", kNow));
  ASSERT_TRUE(a.ok()) << a.status();
  auto other = MakePost("p_a", kNow);
  other.set_text("different");
  auto b = store.Create(other);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->text(), "text of p_a");  // the first one wins
  auto backlog = store.Backlog();
  EXPECT_EQ(backlog->due, 1);
}

// What the overdue alert reads: the earliest due time over every shard, none
// for an empty index, and a claimed post no longer counts.
TEST_F(PostStoreTest, TheBacklogTellsTheEarliestDueTime) {
  EXPECT_FALSE(store.Backlog()->earliest_due_ms.has_value());
  ASSERT_TRUE(store.Create(MakePost("p_late", kNow + 60000)).ok());
  ASSERT_TRUE(store.Create(MakePost("p_early", kNow - 5000)).ok());
  ASSERT_TRUE(store.Create(MakePost("p_mid", kNow + 1000)).ok());
  EXPECT_EQ(store.Backlog()->earliest_due_ms, kNow - 5000);
  std::vector<ClaimedPost> claimed;
  for (int s = 0; s < store.shards(); ++s) {
    auto c = store.Claim(s, AtMs(kNow), Millis(30000), 10);
    ASSERT_TRUE(c.ok()) << c.status();
    claimed.insert(claimed.end(), c->begin(), c->end());
  }
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(store.Backlog()->earliest_due_ms, kNow + 1000);
}

TEST_F(PostStoreTest, ClaimTakesOnlyDuePostsAndAckEndsTheClaim) {
  ASSERT_TRUE(store.Create(MakePost("p_due", kNow - 1)).ok());
  ASSERT_TRUE(store.Create(MakePost("p_later", kNow + 60000)).ok());
  std::vector<ClaimedPost> claimed;
  for (int s = 0; s < store.shards(); ++s) {
    auto c = store.Claim(s, AtMs(kNow), Millis(30000), 100);
    ASSERT_TRUE(c.ok());
    claimed.insert(claimed.end(), c->begin(), c->end());
  }
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].post.id(), "p_due");
  ClaimedPost forged = claimed[0];
  forged.fencing_token += 1;
  EXPECT_FALSE(*store.Ack(forged));  // wrong token
  EXPECT_TRUE(*store.Ack(claimed[0]));
  EXPECT_EQ(store.Backlog()->in_flight, 0);
}

TEST_F(PostStoreTest, ExpiredLeaseIsReapedAndTheOldOwnerIsFenced) {
  ASSERT_TRUE(store.Create(MakePost("p_x", kNow)).ok());
  int shard = ShardOf("p_x", 4);
  auto first = store.Claim(shard, AtMs(kNow), Millis(1000), 10);
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(*store.ReapExpired(shard, AtMs(kNow + 999)), 0);
  EXPECT_EQ(*store.ReapExpired(shard, AtMs(kNow + 1001)), 1);
  auto second = store.Claim(shard, AtMs(kNow + 1001), Millis(1000), 10);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_GT((*second)[0].fencing_token, (*first)[0].fencing_token);
  EXPECT_FALSE(*store.Ack((*first)[0]));  // stale owner
  EXPECT_TRUE(*store.Ack((*second)[0]));
}

TEST_F(PostStoreTest, TwoClaimersNeverGetTheSamePost) {
  constexpr int kPosts = 10000;
  for (int i = 0; i < kPosts; ++i) ASSERT_TRUE(store.Create(MakePost("p_" + std::to_string(i), kNow - i)).ok());
  std::mutex mu;
  std::multiset<std::string> seen;
  auto claimer = [&] {
    RedisClient own(server().options());
    PostStore mine(own, 4);
    for (;;) {
      int got = 0;
      for (int s = 0; s < 4; ++s) {
        auto c = mine.Claim(s, AtMs(kNow), Millis(60000), 97);
        ASSERT_TRUE(c.ok());
        got += static_cast<int>(c->size());
        std::lock_guard l(mu);
        for (const auto& p : *c) seen.insert(p.post.id());
      }
      if (got == 0) return;
    }
  };
  std::thread a(claimer), b(claimer);
  a.join();
  b.join();
  EXPECT_EQ(seen.size(), static_cast<size_t>(kPosts));
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), static_cast<size_t>(kPosts));
}

TEST_F(PostStoreTest, UpdateRequeuesAtomically) {
  auto post = MakePost("p_u", kNow);
  ASSERT_TRUE(store.Create(post).ok());
  int shard = ShardOf("p_u", 4);
  auto claimed = store.Claim(shard, AtMs(kNow), Millis(30000), 10);
  ASSERT_EQ(claimed->size(), 1u);
  auto updated = store.Update(
      PostId("p_u"),
      [](v1::Post& p, DueChange* change) {
        p.mutable_targets(0)->set_error_message("retry");
        *change = DueChange::Add(kNow + 5000);
        return true;
      },
      (*claimed)[0].fencing_token);
  ASSERT_TRUE(updated.ok());
  ASSERT_TRUE(updated->has_value());
  EXPECT_EQ(store.Claim(shard, AtMs(kNow + 4999), Millis(30000), 10)->size(), 0u);
  auto again = store.Claim(shard, AtMs(kNow + 5000), Millis(30000), 10);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].post.targets(0).error_message(), "retry");
}

TEST_F(PostStoreTest, UpdateWithALostClaimChangesNothing) {
  ASSERT_TRUE(store.Create(MakePost("p_l", kNow)).ok());
  int shard = ShardOf("p_l", 4);
  auto first = store.Claim(shard, AtMs(kNow), Millis(1000), 10);
  ASSERT_EQ(*store.ReapExpired(shard, AtMs(kNow + 2000)), 1);
  auto second = store.Claim(shard, AtMs(kNow + 2000), Millis(1000), 10);
  auto stale = store.Update(
      PostId("p_l"), [](v1::Post& p, DueChange*) { return MarkDispatched(p, kNow); }, (*first)[0].fencing_token);
  EXPECT_TRUE(absl::IsFailedPrecondition(stale.status()));
  EXPECT_EQ(store.Get(PostId("p_l"))->state(), v1::POST_STATE_SCHEDULED);
  auto fresh = store.Update(
      PostId("p_l"), [](v1::Post& p, DueChange*) { return MarkDispatched(p, kNow); }, (*second)[0].fencing_token);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(store.Get(PostId("p_l"))->state(), v1::POST_STATE_DISPATCHED);
  EXPECT_EQ(store.Backlog()->in_flight, 0);  // the claim ended with the update
}

TEST_F(PostStoreTest, HoldMovesAPostOutOfTheDueIndexUntilAdded) {
  ASSERT_TRUE(store.Create(MakePost("p_h", kNow)).ok());
  int shard = ShardOf("p_h", 4);
  ASSERT_TRUE(store.Update(PostId("p_h"), [](v1::Post& p, DueChange* c) {
                     *c = DueChange::Hold(kNow);
                     return SetAllTargets(p, v1::POST_STATE_HELD, "", kNow);
                   }).ok());
  EXPECT_EQ(store.Claim(shard, AtMs(kNow + 100000), Millis(1000), 10)->size(), 0u);
  EXPECT_EQ(*store.Held(shard), std::vector<std::string>{"p_h"});
  ASSERT_TRUE(store.Update(PostId("p_h"), [](v1::Post& p, DueChange* c) {
                     *c = DueChange::Add(kNow);
                     return SetAllTargets(p, v1::POST_STATE_SCHEDULED, "", kNow);
                   }).ok());
  EXPECT_TRUE(store.Held(shard)->empty());
  EXPECT_EQ(store.Claim(shard, AtMs(kNow), Millis(1000), 10)->size(), 1u);
}

TEST_F(PostStoreTest, QueueSlotsAreReservedOnce) {
  std::vector<TimePoint> candidates{AtMs(kNow + 1000), AtMs(kNow + 2000), AtMs(kNow + 3000)};
  EXPECT_EQ(**store.ReserveSlot(ChannelId("ch1"), candidates, PostId("p1"), AtMs(kNow)), AtMs(kNow + 1000));
  EXPECT_EQ(**store.ReserveSlot(ChannelId("ch1"), candidates, PostId("p2"), AtMs(kNow)), AtMs(kNow + 2000));
  EXPECT_EQ(**store.ReserveSlot(ChannelId("ch2"), candidates, PostId("p3"), AtMs(kNow)), AtMs(kNow + 1000));  // other channel, own queue
  EXPECT_EQ(**store.ReserveSlot(ChannelId("ch1"), candidates, PostId("p4"), AtMs(kNow)), AtMs(kNow + 3000));
  EXPECT_FALSE(store.ReserveSlot(ChannelId("ch1"), candidates, PostId("p5"), AtMs(kNow))->has_value());
  EXPECT_EQ(store.TakenSlots(ChannelId("ch1"), AtMs(kNow))->size(), 3u);
}

TEST_F(PostStoreTest, ListMergesShardsInPublishOrderWithCursor) {
  for (int i = 0; i < 25; ++i) ASSERT_TRUE(store.Create(MakePost("p_" + std::to_string(i), kNow + i * 1000)).ok());
  auto page1 = store.List(WorkspaceId("ws"), 10, "");
  ASSERT_EQ(page1->size(), 10u);
  EXPECT_EQ((*page1)[0].id(), "p_0");
  std::string cursor = std::to_string(ToMs(page1->back().publish_at())) + ":" + page1->back().id();
  auto page2 = store.List(WorkspaceId("ws"), 10, cursor);
  ASSERT_EQ(page2->size(), 10u);
  EXPECT_EQ((*page2)[0].id(), "p_10");
  EXPECT_EQ(store.List(WorkspaceId("other"), 10, "")->size(), 0u);
}

// What this proves: a redis-server killed with SIGKILL reloads every
// acknowledged write from its AOF, and the due index comes back whole. What
// it cannot prove: fsync. The kernel keeps the file's pages across a process
// kill, so "always" and "everysec" look alike here; a machine crash is what
// tells them apart (README, "Redis durability").
TEST_F(PostStoreTest, AKilledRedisReloadsEveryAcknowledgedWriteFromItsAof) {
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(store.Create(MakePost("p_" + std::to_string(i), kNow + i)).ok());
  server().Restart(/*hard=*/true);  // SIGKILL: only the AOF survives
  RedisClient fresh(server().options());
  PostStore after(fresh, 4);
  EXPECT_EQ(after.Backlog()->due, 100);
  EXPECT_TRUE(after.Get(PostId("p_42")).ok());
}

// The indexes are chunked (chunked_index_lua.h): pages must stay exact across
// chunk boundaries, through runs of equal times longer than a chunk, and while
// posts move.
TEST_F(PostStoreTest, ListPagesExactlyOnceAcrossChunksAndTies) {
  for (int i = 0; i < 1000; ++i) {
    // 600 posts at one instant (~150 a shard: ties longer than a chunk), the rest spread out
    int64_t at = i < 600 ? kNow : kNow + (i % 97) * 1000;
    ASSERT_TRUE(store.Create(MakePost("p_" + std::to_string(i), at)).ok());
  }
  // move a third of them, so chunks split, empty and regrow
  for (int i = 0; i < 1000; i += 3) {
    ASSERT_TRUE(store.Update(PostId("p_" + std::to_string(i)), [&](v1::Post& p, DueChange* c) {
                       *p.mutable_publish_at() = FromMs(kNow + 500 + i);
                       *c = DueChange::Add(kNow + 500 + i);
                       return true;
                     }).ok());
  }
  std::vector<std::pair<int64_t, std::string>> seen;
  std::string cursor;
  for (int page = 0; page < 200; ++page) {
    auto posts = store.List(WorkspaceId("ws"), 7, cursor);
    ASSERT_TRUE(posts.ok()) << posts.status();
    if (posts->empty()) break;
    for (const auto& p : *posts) seen.emplace_back(ToMs(p.publish_at()), p.id());
    cursor = std::to_string(seen.back().first) + ":" + seen.back().second;
  }
  ASSERT_EQ(seen.size(), 1000u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  std::set<std::string> unique;
  for (const auto& [ms, id] : seen) unique.insert(id);
  EXPECT_EQ(unique.size(), 1000u);
  // a time range
  auto window = store.List(WorkspaceId("ws"), 1000, "", AtMs(kNow + 500), AtMs(kNow + 700));
  for (const auto& p : *window) {
    EXPECT_GE(ToMs(p.publish_at()), kNow + 500);
    EXPECT_LE(ToMs(p.publish_at()), kNow + 700);
  }
  EXPECT_EQ(window->size(), 67u);  // i = 0, 3, ..., 198
}

TEST_F(PostStoreTest, ClaimsTakeDuePostsInDueOrderAcrossChunks) {
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE(store.Create(MakePost("p_" + std::to_string(i), kNow - i)).ok());
  EXPECT_EQ(store.Backlog()->due, 2000);
  std::set<std::string> claimed;
  for (int s = 0; s < store.shards(); ++s) {
    int64_t last_due = INT64_MIN;
    for (;;) {
      auto c = store.Claim(s, AtMs(kNow), Millis(30000), 33);
      ASSERT_TRUE(c.ok()) << c.status();
      if (c->empty()) break;
      for (const auto& p : *c) {
        EXPECT_GE(Ms(p.due), last_due);
        last_due = Ms(p.due);
        claimed.insert(p.post.id());
      }
    }
  }
  EXPECT_EQ(claimed.size(), 2000u);
  EXPECT_EQ(store.Backlog()->due, 0);
  EXPECT_EQ(store.Backlog()->in_flight, 2000);
  EXPECT_FALSE(store.NextDue()->has_value());
}

// What keeps a post near 420 bytes: every structure holding one entry per post
// stays listpack-encoded (with the deployed Redis settings).
TEST_F(PostStoreTest, PerPostStructuresStayCompact) {
  std::vector<v1::Post> posts;
  for (int i = 0; i < 5000; ++i) posts.push_back(MakePost(NewPostId("ws", std::to_string(i)), kNow + i % 50));
  ASSERT_TRUE(store.CreateMany(posts).ok());
  std::string cursor = "0";
  int keys = 0;
  do {
    auto r = redis().Command({"SCAN", cursor, "COUNT", "1000"});
    ASSERT_TRUE(r.ok());
    cursor = r->elements[0].str;
    for (const auto& key : r->elements[1].elements) {
      bool per_post = key.str.find(":p:") != std::string::npos || key.str.find('#') != std::string::npos;
      if (!per_post) continue;
      ++keys;
      auto enc = redis().Command({"OBJECT", "ENCODING", key.str});
      EXPECT_EQ(enc->str, "listpack") << key.str;
    }
  } while (cursor != "0");
  EXPECT_GT(keys, 100);
}

// A change that re-queues a claimed post (a fast publisher's retry result
// landing before the dispatcher acknowledged) ends the claim, so the reaper
// cannot put the post back a second time.
TEST_F(PostStoreTest, RequeueOfAClaimedPostEndsTheClaim) {
  ASSERT_TRUE(store.Create(MakePost("p_r", kNow)).ok());
  int shard = ShardOf("p_r", 4);
  auto claim = store.Claim(shard, AtMs(kNow), Millis(1000), 10);
  ASSERT_EQ(claim->size(), 1u);
  ASSERT_TRUE(store.Update(PostId("p_r"), [](v1::Post&, DueChange* c) {
                     *c = DueChange::Add(kNow + 5000);
                     return true;
                   }).ok());
  EXPECT_EQ(ToMs(store.Get(PostId("p_r"))->due_time()), kNow + 5000);
  EXPECT_FALSE(*store.Ack((*claim)[0]));
  EXPECT_EQ(*store.ReapExpired(shard, AtMs(kNow + 2000)), 0);
  EXPECT_EQ(store.Backlog()->due, 1);
  auto again = store.Claim(shard, AtMs(kNow + 5000), Millis(1000), 10);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].due, AtMs(kNow + 5000));
  EXPECT_TRUE(store.Claim(shard, AtMs(kNow + 5000), Millis(1000), 10)->empty());
}

// The reaper puts an expired claim back at its own due time, so the post can
// still be found (and moved) by that time afterwards.
TEST_F(PostStoreTest, ReapedPostCanBeRescheduled) {
  ASSERT_TRUE(store.Create(MakePost("p_q", kNow)).ok());
  int shard = ShardOf("p_q", 4);
  ASSERT_EQ(store.Claim(shard, AtMs(kNow), Millis(1000), 10)->size(), 1u);
  ASSERT_EQ(*store.ReapExpired(shard, AtMs(kNow + 1001)), 1);
  ASSERT_TRUE(store.Update(PostId("p_q"), [](v1::Post& p, DueChange* c) {
                     *p.mutable_publish_at() = FromMs(kNow + 9000);
                     *c = DueChange::Add(kNow + 9000);
                     c->require_pending = true;
                     return true;
                   }).ok());
  EXPECT_TRUE(store.Claim(shard, AtMs(kNow + 8999), Millis(1000), 10)->empty());
  EXPECT_EQ(store.Claim(shard, AtMs(kNow + 9000), Millis(1000), 10)->size(), 1u);
  EXPECT_EQ(store.Backlog()->due, 0);
}

}  // namespace
}  // namespace herald::scheduler
