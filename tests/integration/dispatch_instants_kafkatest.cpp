// When posts fire, checked at exact instants on a manual clock (real Redis,
// the dev broker): a post fires at its time and never a millisecond before;
// a post waiting for approval never fires, however late it gets, and fires
// at once when approved after its time; a paused workspace's post is held.
#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/kafka.h"
#include "common/time_util.h"
#include "redis_fixture.h"
#include "scheduler/dispatcher.h"
#include "scheduler/post_rules.h"
#include "scheduler/post_store.h"
#include "support/devbroker.h"

namespace herald::scheduler {
namespace {

constexpr int64_t kT0 = 1'900'000'000'000;

class DispatchInstants : public herald::testing::RedisTest {
 protected:
  static void SetUpTestSuite() {
    RedisTest::SetUpTestSuite();
    if (!broker_) broker_ = new herald::testing::DevBroker();
  }
  DispatchInstants()
      : store_(redis(), 4),
        producer_(KafkaOptions{broker_->brokers(), "instants-test", {}}),
        dispatcher_(store_, producer_, clock_, registry_, DispatcherOptions{}) {}

  v1::Post Create(const std::string& id, int64_t due_ms, bool approval = false) {
    v1::CreatePostRequest r;
    r.set_workspace_id("ws");
    r.set_text("at an instant");
    r.add_channel_ids("ch1");
    *r.mutable_publish_at() = FromMs(due_ms);
    r.set_approval_required(approval);
    auto stored = store_.Create(BuildPost(r, id, due_ms, clock_.NowMs()));
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? *stored : v1::Post{};
  }
  int RunAt(int64_t ms) {
    clock_.SetMs(ms);
    auto n = dispatcher_.RunOnce();
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  }
  v1::PostState State(const std::string& id) {
    auto p = store_.Get(PostId(id));
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? p->state() : v1::POST_STATE_UNSPECIFIED;
  }

  static inline herald::testing::DevBroker* broker_ = nullptr;
  ManualClock clock_{kT0};
  prometheus::Registry registry_;
  PostStore store_;
  KafkaProducer producer_;
  Dispatcher dispatcher_;
};

TEST_F(DispatchInstants, APostFiresAtItsInstantAndNeverAMillisecondBefore) {
  Create("p_instant", kT0 + 60'000);
  EXPECT_EQ(RunAt(kT0), 0);
  EXPECT_EQ(RunAt(kT0 + 59'999), 0);
  EXPECT_EQ(State("p_instant"), v1::POST_STATE_SCHEDULED);
  EXPECT_EQ(RunAt(kT0 + 60'000), 1);
  EXPECT_EQ(State("p_instant"), v1::POST_STATE_DISPATCHED);
  EXPECT_EQ(RunAt(kT0 + 120'000), 0);  // once
}

TEST_F(DispatchInstants, APostAwaitingApprovalNeverFiresAndGoesAtOnceWhenApprovedLate) {
  Create("p_review", kT0 + 1'000, /*approval=*/true);
  EXPECT_EQ(RunAt(kT0 + 3'600'000), 0);  // an hour past its time
  EXPECT_EQ(State("p_review"), v1::POST_STATE_PENDING_APPROVAL);
  const int64_t approved_at = kT0 + 3'600'000;
  auto updated = store_.Update(PostId("p_review"), [&](v1::Post& p, DueChange* change) {
    return Approve(p, approved_at, change).ok();
  });
  ASSERT_TRUE(updated.ok() && updated->has_value());
  EXPECT_EQ(RunAt(approved_at), 1);  // due at the approval instant, not an hour ago nor later
  EXPECT_EQ(State("p_review"), v1::POST_STATE_DISPATCHED);
}

TEST_F(DispatchInstants, APausedWorkspacesPostIsHeldAtItsInstant) {
  Create("p_paused", kT0 + 10'000);
  ASSERT_TRUE(store_.SetHold("ws", "crisis").ok());
  EXPECT_EQ(RunAt(kT0 + 10'000), 0);
  EXPECT_EQ(State("p_paused"), v1::POST_STATE_HELD);
  ASSERT_TRUE(store_.ClearHold("ws").ok());
  EXPECT_EQ(RunAt(kT0 + 20'000), 0);  // held posts wait for a resume, not for the clock
}

}  // namespace
}  // namespace herald::scheduler
