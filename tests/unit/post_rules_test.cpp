#include "scheduler/post_rules.h"

#include <gtest/gtest.h>

#include <type_traits>

#include "common/ids.h"
#include "common/time_util.h"
#include "scheduler/post_store.h"

namespace herald::scheduler {
namespace {

using herald::events::v1::PublishResult;

constexpr int64_t kNow = 1'800'000'000'000;

v1::CreatePostRequest Valid() {
  v1::CreatePostRequest r;
  r.set_workspace_id("ws1");
  r.set_text("hello");
  r.add_channel_ids("ch1");
  *r.mutable_publish_at() = FromMs(kNow + 60000);
  return r;
}

std::string Message(const v1::CreatePostRequest& r) { return ValidateCreate(r, kNow).Message(); }

TEST(ValidateCreate, AcceptsAValidRequest) { EXPECT_TRUE(ValidateCreate(Valid(), kNow).ok()); }

TEST(ValidateCreate, NamesEachBadField) {
  auto r = Valid();
  r.set_text("  \n");
  EXPECT_NE(Message(r).find("text: must not be empty"), std::string::npos);
  r = Valid();
  r.set_text(std::string(kMaxTextBytes + 1, 'x'));
  EXPECT_NE(Message(r).find("text: longer than"), std::string::npos);
  r = Valid();
  r.clear_channel_ids();
  EXPECT_NE(Message(r).find("channel_ids: at least one"), std::string::npos);
  r = Valid();
  r.add_channel_ids("ch1");
  EXPECT_NE(Message(r).find("channel_ids[1]: duplicate"), std::string::npos);
  r = Valid();
  r.add_channel_ids("bad:id");
  EXPECT_NE(Message(r).find("channel_ids[1]: not a valid channel id"), std::string::npos);
  r = Valid();
  r.set_workspace_id("");
  EXPECT_NE(Message(r).find("workspace_id"), std::string::npos);
  r = Valid();
  r.clear_publish_at();
  EXPECT_NE(Message(r).find("publish_at: required"), std::string::npos);
  r.set_draft(true);
  EXPECT_TRUE(ValidateCreate(r, kNow).ok());  // a draft may leave the time open
  r = Valid();
  r.set_add_to_queue(true);
  EXPECT_NE(Message(r).find("publish_at: give one of"), std::string::npos);
  r = Valid();
  r.clear_publish_at();
  r.mutable_recurrence()->set_rrule("FREQ=HOURLY");
  r.mutable_recurrence()->set_time_zone("Europe/Atlantis");
  r.mutable_recurrence()->set_start_local("2026-13-01T09:00");
  EXPECT_NE(Message(r).find("recurrence.rrule"), std::string::npos);
  EXPECT_NE(Message(r).find("recurrence.time_zone: unknown IANA time zone 'Europe/Atlantis'"), std::string::npos);
  EXPECT_NE(Message(r).find("recurrence.start_local"), std::string::npos);
  r = Valid();
  r.add_media_urls("ftp://x");
  r.set_link("not a link");
  (*r.mutable_text_overrides())["other"] = "x";
  EXPECT_NE(Message(r).find("media_urls[0]"), std::string::npos);
  EXPECT_NE(Message(r).find("link: must be an http(s) URL"), std::string::npos);
  EXPECT_NE(Message(r).find("text_overrides[other]"), std::string::npos);
  r = Valid();
  r.mutable_recycle()->set_every_days(0);
  EXPECT_NE(Message(r).find("recycle.every_days"), std::string::npos);
  EXPECT_NE(Message(r).find("recycle: give max_times or until"), std::string::npos);
  r = Valid();
  *r.mutable_publish_at() = FromMs(kNow - kPastToleranceMs - 1);
  EXPECT_NE(Message(r).find("publish_at: is in the past"), std::string::npos);
  r.set_publish_now(true);
  EXPECT_NE(Message(r).find("give one of publish_at, publish_now"), std::string::npos);
}

TEST(ValidateCreate, ToleratesSmallClockSkewAndPublishNow) {
  auto r = Valid();
  *r.mutable_publish_at() = FromMs(kNow - kPastToleranceMs + 1);
  EXPECT_TRUE(ValidateCreate(r, kNow).ok());
  r.clear_publish_at();
  r.set_publish_now(true);
  EXPECT_TRUE(ValidateCreate(r, kNow).ok());
}

TEST(ValidateCreate, AReplyGoesToOneChannelOnceAndIsKeptInTheBuiltPost) {
  auto r = Valid();
  r.set_in_reply_to_remote_id("110000000000000042");
  r.clear_channel_ids();
  r.add_channel_ids("ch_1");
  EXPECT_TRUE(ValidateCreate(r, kNow).ok()) << ValidateCreate(r, kNow).Message();
  EXPECT_EQ(BuildPost(r, "p_1", kNow, kNow).in_reply_to_remote_id(), "110000000000000042");
  r.add_channel_ids("ch_2");
  EXPECT_NE(ValidateCreate(r, kNow).Message().find("channel_ids: a reply goes to exactly one channel"),
            std::string::npos);
  r.mutable_channel_ids()->RemoveLast();
  r.set_in_reply_to_remote_id("has a space");
  EXPECT_NE(ValidateCreate(r, kNow).Message().find("in_reply_to_remote_id: at most 512 characters, no spaces"),
            std::string::npos);
  r.set_in_reply_to_remote_id("at://did:plc:abc/app.bsky.feed.post/3k");
  r.clear_publish_at();
  r.set_add_to_queue(true);
  EXPECT_NE(ValidateCreate(r, kNow).Message().find("in_reply_to_remote_id: a reply is not queued"), std::string::npos);
}

TEST(NewPostId, SameRequestIdSamePostOtherwiseNew) {
  EXPECT_EQ(NewPostId("ws1", "req-1"), NewPostId("ws1", "req-1"));
  EXPECT_NE(NewPostId("ws1", "req-1"), NewPostId("ws2", "req-1"));
  EXPECT_NE(NewPostId("ws1", ""), NewPostId("ws1", ""));
  EXPECT_TRUE(IsValidId(NewPostId("ws1", "req-1")));
}

TEST(ShardOf, IsStableAndInRange) {
  for (int i = 0; i < 1000; ++i) {
    auto id = "p_" + std::to_string(i);
    int s = ShardOf(id, 8);
    EXPECT_GE(s, 0);
    EXPECT_LT(s, 8);
    EXPECT_EQ(s, ShardOf(id, 8));
  }
}

v1::Post TwoTargets() {
  auto r = Valid();
  r.add_channel_ids("ch2");
  return BuildPost(r, "p_1", ToMs(r.publish_at()), kNow);
}

PublishResult Result(const std::string& channel, herald::events::v1::PublishOutcome outcome, int64_t occurrence) {
  PublishResult r;
  r.set_post_id("p_1");
  r.set_channel_id(channel);
  r.set_occurrence_ms(occurrence);
  r.set_outcome(outcome);
  r.set_remote_id("r-" + channel);
  return r;
}

TEST(ApplyResult, PostIsPublishedWhenEveryTargetIs) {
  auto post = TwoTargets();
  int64_t occ = ToMs(post.publish_at());
  auto e = ApplyResult(post, Result("ch1", herald::events::v1::PUBLISH_OUTCOME_PUBLISHED, occ), kNow);
  EXPECT_TRUE(e.changed);
  EXPECT_EQ(post.state(), v1::POST_STATE_SCHEDULED);  // ch2 still waiting
  ApplyResult(post, Result("ch2", herald::events::v1::PUBLISH_OUTCOME_PUBLISHED, occ), kNow);
  EXPECT_EQ(post.state(), v1::POST_STATE_PUBLISHED);
  EXPECT_EQ(post.targets(1).remote_id(), "r-ch2");
}

TEST(ApplyResult, FinalStatesNeverMoveAgain) {
  auto post = TwoTargets();
  int64_t occ = ToMs(post.publish_at());
  ApplyResult(post, Result("ch1", herald::events::v1::PUBLISH_OUTCOME_PUBLISHED, occ), kNow);
  auto e = ApplyResult(post, Result("ch1", herald::events::v1::PUBLISH_OUTCOME_FAILED, occ), kNow);
  EXPECT_FALSE(e.changed);
  EXPECT_EQ(post.targets(0).state(), v1::POST_STATE_PUBLISHED);
  EXPECT_EQ(post.targets(0).attempts(), 1);
}

TEST(ApplyResult, RetryRequeuesAtNotBefore) {
  auto post = TwoTargets();
  int64_t occ = ToMs(post.publish_at());
  MarkDispatched(post, kNow);
  EXPECT_EQ(post.state(), v1::POST_STATE_DISPATCHED);
  auto r = Result("ch1", herald::events::v1::PUBLISH_OUTCOME_RETRY, occ);
  *r.mutable_not_before() = FromMs(kNow + 5000);
  auto e = ApplyResult(post, r, kNow);
  EXPECT_EQ(e.requeue_at_ms, kNow + 5000);
  EXPECT_EQ(post.targets(0).state(), v1::POST_STATE_SCHEDULED);
  EXPECT_EQ(post.state(), v1::POST_STATE_SCHEDULED);
}

TEST(ApplyResult, ResultOfAnotherOccurrenceIsIgnored) {
  auto post = TwoTargets();
  auto e = ApplyResult(post, Result("ch1", herald::events::v1::PUBLISH_OUTCOME_PUBLISHED, 42), kNow);
  EXPECT_FALSE(e.changed);
}

TEST(Summarize, FailedOnlyWhenNothingIsPending) {
  auto post = TwoTargets();
  post.mutable_targets(0)->set_state(v1::POST_STATE_FAILED);
  EXPECT_EQ(Summarize(post), v1::POST_STATE_SCHEDULED);
  post.mutable_targets(1)->set_state(v1::POST_STATE_PUBLISHED);
  EXPECT_EQ(Summarize(post), v1::POST_STATE_FAILED);
}

TEST(BuildPost, InitialStateFollowsDraftAndApproval) {
  auto r = Valid();
  EXPECT_EQ(BuildPost(r, "p", kNow, kNow).state(), v1::POST_STATE_SCHEDULED);
  r.set_approval_required(true);
  EXPECT_EQ(BuildPost(r, "p", kNow, kNow).state(), v1::POST_STATE_PENDING_APPROVAL);
  r.set_draft(true);
  auto draft = BuildPost(r, "p", 0, kNow);
  EXPECT_EQ(draft.state(), v1::POST_STATE_DRAFT);
  EXPECT_FALSE(draft.has_publish_at());
  EXPECT_FALSE(InDueIndex(draft.state()));
}

// Each verb is one rule: it moves the post it may move and refuses the rest
// with FAILED_PRECONDITION naming the state — the same answer whether the
// post was already there when the call came or got there during it.
TEST(Verbs, EachMovesOnlyThePostsItMayMove) {
  auto pending = [] {
    auto r = Valid();
    r.set_approval_required(true);
    return BuildPost(r, "p", kNow + 60000, kNow);
  };
  DueChange change;
  v1::Post p = pending();
  ASSERT_TRUE(Approve(p, kNow, &change).ok());
  EXPECT_EQ(p.state(), v1::POST_STATE_SCHEDULED);
  EXPECT_EQ(change.action, DueChange::Action::kAdd);
  EXPECT_EQ(change.at_ms, kNow + 60000);
  // Approve after Reject (or the other way round) is refused, naming the state.
  p = pending();
  ASSERT_TRUE(Reject(p, "off-brand", kNow, &change).ok());
  EXPECT_EQ(p.state(), v1::POST_STATE_DRAFT);
  EXPECT_EQ(p.rejection_reason(), "off-brand");
  auto late = Approve(p, kNow, &change);
  EXPECT_TRUE(absl::IsFailedPrecondition(late)) << late;
  EXPECT_NE(late.message().find("post is DRAFT"), std::string_view::npos) << late;
  EXPECT_TRUE(absl::IsFailedPrecondition(Reject(p, "again", kNow, &change)));
  // A rejected draft can be submitted again; an approval-free one is scheduled
  // at once when its time has passed.
  ASSERT_TRUE(Submit(p, kNow, &change).ok());
  EXPECT_EQ(p.state(), v1::POST_STATE_PENDING_APPROVAL);
  EXPECT_TRUE(p.rejection_reason().empty());
  v1::Post draft = BuildPost([] {
    auto r = Valid();
    r.set_draft(true);
    return r;
  }(), "d", 0, kNow);
  EXPECT_TRUE(absl::IsInvalidArgument(Submit(draft, kNow, &change)));  // no time yet
  ASSERT_TRUE(Reschedule(draft, kNow - 1000, kNow, &change).ok());
  change = {};
  ASSERT_TRUE(Submit(draft, kNow, &change).ok());
  EXPECT_EQ(draft.state(), v1::POST_STATE_SCHEDULED);
  EXPECT_EQ(change.at_ms, kNow);  // its time passed: now
  // Cancel takes a scheduled post out of the due index, only while pending.
  change = {};
  ASSERT_TRUE(Cancel(draft, kNow, &change).ok());
  EXPECT_EQ(draft.state(), v1::POST_STATE_CANCELED);
  EXPECT_EQ(change.action, DueChange::Action::kRemove);
  EXPECT_TRUE(change.require_pending);
  EXPECT_TRUE(absl::IsFailedPrecondition(Cancel(draft, kNow, &change)));
  EXPECT_TRUE(absl::IsFailedPrecondition(Reschedule(draft, kNow + 1000, kNow, &change)));
  EXPECT_TRUE(absl::IsFailedPrecondition(EditAllowed(draft, &change)));
  // Once the publisher has it, nothing a person does changes it.
  v1::Post dispatched = BuildPost(Valid(), "q", kNow, kNow);
  ASSERT_TRUE(MarkDispatched(dispatched, kNow));
  for (auto s : {Cancel(dispatched, kNow, &change), Reschedule(dispatched, kNow + 1, kNow, &change),
                 EditAllowed(dispatched, &change), Approve(dispatched, kNow, &change)}) {
    EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  }
}

TEST(ApplyResult, RecurringPostMovesToItsNextOccurrenceWhenDone) {
  auto r = Valid();
  r.clear_publish_at();
  r.mutable_recurrence()->set_rrule("FREQ=DAILY;COUNT=2");
  r.mutable_recurrence()->set_time_zone("Europe/Berlin");
  r.mutable_recurrence()->set_start_local("2027-03-27T09:00");  // Berlin springs forward on the 28th
  ASSERT_TRUE(ValidateCreate(r, kNow).ok()) << ValidateCreate(r, kNow).Message();
  int64_t first = *NextRecurrence(r.recurrence(), kNow);
  auto post = BuildPost(r, "p_r", first, kNow);
  auto e = ApplyResult(post, Result("ch1", herald::events::v1::PUBLISH_OUTCOME_PUBLISHED, first), first + 1000);
  EXPECT_EQ(e.requeue_at_ms, first + 23 * 3600000LL);  // 09:00 local the next day: 23 h later
  EXPECT_EQ(post.state(), v1::POST_STATE_SCHEDULED);
  EXPECT_EQ(post.history_size(), 1);
  EXPECT_EQ(post.history(0).state(), v1::POST_STATE_PUBLISHED);
  // The second (last, COUNT=2) occurrence ends the series.
  int64_t second = ToMs(post.publish_at());
  e = ApplyResult(post, Result("ch1", herald::events::v1::PUBLISH_OUTCOME_FAILED, second), second + 1000);
  EXPECT_EQ(e.requeue_at_ms, 0);
  EXPECT_EQ(post.state(), v1::POST_STATE_FAILED);
  EXPECT_EQ(post.occurrences(), 2);
}

TEST(ApplyResult, EvergreenPostIsRecycledUntilItsLimit) {
  auto r = Valid();
  r.mutable_recycle()->set_every_days(30);
  r.mutable_recycle()->set_max_times(1);
  auto post = BuildPost(r, "p_e", ToMs(r.publish_at()), kNow);
  int64_t at = ToMs(post.publish_at());
  auto e = ApplyResult(post, Result("ch1", herald::events::v1::PUBLISH_OUTCOME_PUBLISHED, at), at);
  EXPECT_EQ(e.requeue_at_ms, at + 30 * 86'400'000LL);
  int64_t again = ToMs(post.publish_at());
  e = ApplyResult(post, Result("ch1", herald::events::v1::PUBLISH_OUTCOME_PUBLISHED, again), again);
  EXPECT_EQ(e.requeue_at_ms, 0);  // recycled once: done
  EXPECT_EQ(post.state(), v1::POST_STATE_PUBLISHED);
}

// The post store takes ids and instants as their own types: a workspace id
// where a post id is wanted, or milliseconds where an instant is, does not compile.
TEST(Holds, ACampaignPauseHoldsOnlyThatCampaignsPosts) {
  auto post = TwoTargets();
  std::map<std::string, std::string> holds{{HoldKey("ws1", "", "c_other"), "x"}};
  EXPECT_FALSE(CoveredByHold(post, holds));
  post.set_campaign_id("c_1");
  EXPECT_FALSE(CoveredByHold(post, holds));
  holds[HoldKey("ws1", "", "c_1")] = "campaign paused";
  EXPECT_TRUE(CoveredByHold(post, holds));
  // The kinds of key never collide: a channel named like a campaign key is a channel.
  EXPECT_EQ(HoldKey("ws", "", ""), "ws");
  EXPECT_EQ(HoldKey("ws", "ch2", ""), "ws/ch2");
  EXPECT_NE(HoldKey("ws", "", "ch2"), HoldKey("ws", "ch2", ""));
  EXPECT_TRUE(CoveredByHold(TwoTargets(), {{"ws1/ch2", "x"}}));
  EXPECT_TRUE(CoveredByHold(TwoTargets(), {{"ws1", "x"}}));
  EXPECT_FALSE(CoveredByHold(TwoTargets(), {{"other", "x"}}));
}

TEST(Membership, AnnouncesTheJoinAndOnlyWhatWentOutBeforeIt) {
  auto post = TwoTargets();
  EXPECT_TRUE(MembershipEvents(post).empty());  // no campaign, nothing to say
  int64_t occ = ToMs(post.publish_at());
  ApplyResult(post, Result("ch1", herald::events::v1::PUBLISH_OUTCOME_PUBLISHED, occ), kNow);
  EXPECT_EQ(PublishedDeliveries(post), std::vector<std::string>{"ch1@" + std::to_string(occ)});
  post.set_campaign_id("c_1");
  post.set_variant("a");
  // Created in the campaign: its deliveries carry it, only the join is announced.
  auto events = MembershipEvents(post);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].membership().campaign_id(), "c_1");
  EXPECT_EQ(events[0].membership().variant(), "a");
  EXPECT_FALSE(events[0].membership().delivery());
  // Joined late: what was published before is announced, one event each.
  for (const auto& d : PublishedDeliveries(post)) post.add_published_before_campaign(d);
  events = MembershipEvents(post);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(events[1].membership().delivery());
  EXPECT_EQ(events[1].membership().channel_id(), "ch1");
  EXPECT_EQ(events[1].membership().occurrence_ms(), occ);

  // A result that went out without the campaign is announced for it.
  auto r = Result("ch2", herald::events::v1::PUBLISH_OUTCOME_PUBLISHED, occ);
  *r.mutable_published_at() = FromMs(occ + 1500);
  auto late = DeliveryMembership(post, r);
  EXPECT_EQ(late.post_id(), "p_1");
  EXPECT_EQ(late.membership().channel_id(), "ch2");
  EXPECT_EQ(ToMs(late.membership().published_at()), occ + 1500);
}

TEST(PublishedText, TheTrackedLinkTakesTheLinksPlace) {
  auto post = TwoTargets();
  post.set_text("New arrivals: https://shop.example.com/new today");
  post.set_link("https://shop.example.com/new");
  v1::Target plain = post.targets(0);
  EXPECT_EQ(PublishedText(post, plain), "New arrivals: https://shop.example.com/new today");
  v1::Target tracked = plain;
  tracked.set_tracked_link("http://go.example/l/Ab3dE5gH");
  EXPECT_EQ(PublishedText(post, tracked), "New arrivals: http://go.example/l/Ab3dE5gH today");
  post.set_text("New arrivals");  // the link is not in the text: appended
  EXPECT_EQ(PublishedText(post, tracked), "New arrivals http://go.example/l/Ab3dE5gH");
  EXPECT_EQ(PublishedText(post, plain), "New arrivals https://shop.example.com/new");
  tracked.set_text_override("Für Sie: http://go.example/l/Ab3dE5gH");
  EXPECT_EQ(PublishedText(post, tracked), "Für Sie: http://go.example/l/Ab3dE5gH");
}

TEST(StrongTypes, PostStoreCallsWithSwappedArgumentsDoNotCompile) {
  static_assert(std::is_invocable_v<decltype(&PostStore::Get), PostStore&, PostId>);
  static_assert(!std::is_invocable_v<decltype(&PostStore::Get), PostStore&, std::string>);
  static_assert(!std::is_invocable_v<decltype(&PostStore::Get), PostStore&, ChannelId>);
  static_assert(!std::is_invocable_v<decltype(&PostStore::GetQueue), PostStore&, PostId>);
  static_assert(std::is_invocable_v<decltype(&PostStore::ClaimAll), PostStore&, TimePoint, Millis, int>);
  static_assert(!std::is_invocable_v<decltype(&PostStore::ClaimAll), PostStore&, Millis, TimePoint, int>);
  static_assert(!std::is_invocable_v<decltype(&PostStore::ReapAll), PostStore&, int64_t>);
  using Reserve = decltype(&PostStore::ReserveSlot);
  static_assert(std::is_invocable_v<Reserve, PostStore&, ChannelId, std::vector<TimePoint>, PostId, TimePoint>);
  static_assert(!std::is_invocable_v<Reserve, PostStore&, PostId, std::vector<TimePoint>, ChannelId, TimePoint>);
  // And the instant the store files a post under: its due time, else publish_at.
  v1::Post post;
  *post.mutable_publish_at() = FromMs(9000);
  EXPECT_EQ(DueMs(post), 9000);
  *post.mutable_due_time() = FromMs(5000);
  EXPECT_EQ(DueMs(post), 5000);
}

}  // namespace
}  // namespace herald::scheduler
