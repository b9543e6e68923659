// The inbox conversation lifecycle, priority and round-robin assignment
// (no I/O, no clock).
#include <gtest/gtest.h>

#include "listener/inbox/conversation.h"

namespace herald::listener {
namespace {

using S = ConversationState;

TEST(Conversation, AssignSnoozeWakeCloseAndReopen) {
  Conversation c;
  ASSERT_TRUE(Assign(c, "ana", 10).ok());
  EXPECT_EQ(c.state, S::kAssigned);
  ASSERT_TRUE(Snooze(c, 100, 20).ok());
  EXPECT_EQ(c.state, S::kSnoozed);
  EXPECT_FALSE(WakeIfDue(c, 99));
  EXPECT_TRUE(WakeIfDue(c, 100));
  EXPECT_EQ(c.state, S::kAssigned);  // back to its assignee
  ASSERT_TRUE(Close(c, 110).ok());
  EXPECT_EQ(c.state, S::kClosed);
  CustomerWrote(c, 120);  // reopens, to the same agent
  EXPECT_EQ(c.state, S::kAssigned);
  EXPECT_EQ(c.assignee, "ana");
  EXPECT_EQ(c.updated_ms, 120);
}

TEST(Conversation, ANewMessageWakesASnoozeAndUnassignedGoesBackToOpen) {
  Conversation c;
  ASSERT_TRUE(Snooze(c, 1000, 0).ok());
  CustomerWrote(c, 10);
  EXPECT_EQ(c.state, S::kOpen);
  EXPECT_EQ(c.snoozed_until_ms, 0);
  ASSERT_TRUE(Assign(c, "ben", 20).ok());
  ASSERT_TRUE(Unassign(c, 30).ok());
  EXPECT_EQ(c.state, S::kOpen);
  // Assigning a snoozed conversation keeps it snoozed, with its new owner.
  ASSERT_TRUE(Snooze(c, 1000, 40).ok());
  ASSERT_TRUE(Assign(c, "ben", 50).ok());
  EXPECT_EQ(c.state, S::kSnoozed);
  EXPECT_EQ(c.assignee, "ben");
}

TEST(Conversation, RefusedVerbsChangeNothing) {
  Conversation c;
  ASSERT_TRUE(Close(c, 5).ok());
  const Conversation before = c;
  EXPECT_EQ(Assign(c, "ana", 10).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Snooze(c, 100, 10).message(), "cannot snooze a closed conversation");
  EXPECT_EQ(Close(c, 10).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Unassign(c, 10).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(c.state, before.state);
  EXPECT_EQ(c.updated_ms, before.updated_ms);
  Conversation open;
  EXPECT_EQ(Assign(open, "", 1).message(), "agent: required");
  EXPECT_EQ(Snooze(open, 5, 5).message(), "until: must be in the future");
  EXPECT_EQ(open.state, S::kOpen);
}

TEST(Conversation, PriorityFromSentimentAndReach) {
  EXPECT_EQ(PriorityOf(-0.8, 250'000), Priority::kUrgent);
  EXPECT_EQ(PriorityOf(-0.8, 10), Priority::kHigh);
  EXPECT_EQ(PriorityOf(0.1, 500'000), Priority::kHigh);
  EXPECT_EQ(PriorityOf(std::nullopt, 50), Priority::kNormal);  // unscored (not English)
  EXPECT_EQ(PriorityOf(-0.3, 50), Priority::kNormal);
  EXPECT_EQ(PriorityOf(0.6, 50), Priority::kLow);
}

TEST(RoundRobin, TakesTurnsSkippingAgentsAwayOrFull) {
  std::vector<Agent> agents{{"ana", true, 2, 0}, {"ben", false, 2, 0}, {"cy", true, 1, 0}};
  RoundRobin rr;
  auto take = [&]() -> std::string {
    auto next = rr.Next(agents);
    if (!next) return "(queued)";
    for (auto& a : agents) a.open += a.id == *next;
    return *next;
  };
  // ben is away; cy is full after one; ana takes one more up to her capacity.
  EXPECT_EQ(take(), "ana");
  EXPECT_EQ(take(), "cy");
  EXPECT_EQ(take(), "ana");
  EXPECT_EQ(take(), "(queued)");  // everyone available is full: it waits
  agents[1].available = true;     // ben is back
  EXPECT_EQ(take(), "ben");
  // The rotation survives a restart through last().
  RoundRobin restarted;
  restarted.set_last(rr.last());
  agents[0].open = 0;
  agents[2].open = 0;
  EXPECT_EQ(restarted.Next(agents), "cy");
  EXPECT_EQ(RoundRobin().Next({}), std::nullopt);
}

}  // namespace
}  // namespace herald::listener
