// The team inbox against a real Redis, on a manual clock: messages grouped
// into conversations (and their mentions completed in the same step), racing
// writers losing nothing, round-robin assignment within capacity, SLA alerts
// once even with two replicas sweeping, snoozes waking, replies sent once,
// and the live feed's tokens.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <prometheus/registry.h>

#include "common/clock.h"
#include "common/time_util.h"
#include "listener/inbox/conversation_store.h"
#include "listener/inbox/inbox_desk.h"
#include "listener/inbox/inbox_feed.h"
#include "listener/inbox/inbox_settings_store.h"
#include "listener/inbox/inbox_timers.h"
#include "redis_fixture.h"

namespace herald::listener {
namespace {

constexpr int64_t kMinute = 60'000, kHour = 60 * kMinute;

// Replies land here: each request id once, like the scheduler's dedupe.
class RecordingSender : public ReplySender {
 public:
  absl::StatusOr<std::string> Send(const std::string&, const v1::InboxItem& item, const std::string& text,
                                   const std::string& request_id) override {
    std::lock_guard lock(mu_);
    ++sends;
    last_text = text;
    last_item = item.id();
    return "post-" + request_id;
  }
  std::mutex mu_;
  int sends = 0;
  std::string last_text, last_item;
};

class InboxDeskTest : public herald::testing::RedisTest {
 protected:
  v1::InboxItem Item(const std::string& id, const std::string& conversation = "c_1") {
    v1::InboxItem item;
    item.set_id(id);
    item.set_conversation_id(conversation);
    item.set_network(herald::common::v1::NETWORK_MASTODON);
    item.set_channel_id("ch");
    item.set_author_handle("fan");
    item.set_remote_id("remote-" + id);
    item.set_text("message " + id);
    return item;
  }
  v1::Agent Agent(const std::string& id, bool available, int capacity) {
    v1::Agent a;
    a.set_id(id);
    a.set_available(available);
    a.set_capacity(capacity);
    return a;
  }
  std::vector<v1::InboxChange> Feed(const std::string& after = "0-0") {
    auto changes = feed_.After("ws", after, 100000);
    EXPECT_TRUE(changes.ok()) << changes.status();
    return changes.ok() ? *changes : std::vector<v1::InboxChange>{};
  }
  int Count(const std::vector<v1::InboxChange>& changes, v1::InboxChange::Kind kind) {
    return static_cast<int>(
        std::count_if(changes.begin(), changes.end(), [kind](const auto& c) { return c.kind() == kind; }));
  }
  void SetPolicy(int64_t first_s) {
    v1::SlaPolicy p;
    p.add_rules()->mutable_targets()->set_first_response_seconds(first_s);
    ASSERT_TRUE(settings_.SetSlaPolicy("ws", p).ok());
  }

  ManualClock clock_{1'800'000'000'000};
  prometheus::Registry registry_;
  RecordingSender sender_;
  InboxStore inbox_{redis()};
  ConversationStore conversations_{redis()};
  InboxSettingsStore settings_{redis()};
  InboxDesk desk_{conversations_, settings_, inbox_, sender_, clock_, registry_};
  InboxFeed feed_{redis(), server().options()};
};

TEST_F(InboxDeskTest, MessagesOfAThreadAreOneConversationAndTheirMentionsAreDoneWithIt) {
  ASSERT_TRUE(desk_.TakeCustomerMessage("ws", Item("m1")).ok());
  clock_.AdvanceMs(kMinute);
  ASSERT_TRUE(desk_.TakeCustomerMessage("ws", Item("m2")).ok());
  ASSERT_TRUE(desk_.TakeCustomerMessage("ws", Item("m3", "c_2")).ok());
  auto detail = desk_.Get("ws", "c_1");
  ASSERT_TRUE(detail.ok()) << detail.status();
  EXPECT_EQ(detail->conversation().message_count(), 2);
  ASSERT_EQ(detail->messages_size(), 2);
  EXPECT_EQ(detail->messages(0).item_id(), "m1");
  EXPECT_EQ(detail->messages(1).item_id(), "m2");
  // Each mention is done (a redelivery is a duplicate) and in the inbox.
  for (const char* id : {"m1", "m2", "m3"}) {
    auto claim = inbox_.ClaimMention("ws", id);
    ASSERT_TRUE(claim.ok());
    EXPECT_EQ(*claim, InboxStore::Claim::kDone) << id;
    EXPECT_TRUE(inbox_.Find("ws", id).ok()) << id;
  }
  auto changes = Feed();
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(Count(changes, v1::InboxChange::KIND_MESSAGE), 3);
  EXPECT_EQ(changes[1].conversation().message_count(), 2) << "each change carries the conversation after it";
  EXPECT_EQ(changes[1].message().item_id(), "m2") << "and the message it added";
  EXPECT_TRUE(absl::IsNotFound(desk_.Get("ws", "c_404").status()));
  EXPECT_TRUE(absl::IsNotFound(desk_.Get("other-ws", "c_1").status())) << "workspaces are apart";
}

TEST_F(InboxDeskTest, RacingWritersOnOneConversationLoseNothing) {
  ASSERT_TRUE(desk_.TakeCustomerMessage("ws", Item("first")).ok());
  constexpr int kThreads = 6, kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (!desk_.TakeCustomerMessage("ws", Item("m" + std::to_string(t) + "-" + std::to_string(i))).ok()) ++failures;
      }
    });
  }
  threads.emplace_back([&] {  // an agent tagging meanwhile
    for (int i = 0; i < kEach; ++i) {
      auto c = desk_.Act("ws", "c_1", "ana", [i](v1::ConversationRecord& r, int64_t now) {
        return Retag(r, {"t" + std::to_string(i % 5)}, {}, now);
      });
      if (!c.ok()) ++failures;
    }
  });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  auto detail = desk_.Get("ws", "c_1");
  ASSERT_TRUE(detail.ok());
  EXPECT_EQ(detail->conversation().message_count(), 1 + kThreads * kEach);
  EXPECT_EQ(detail->messages_size(), 1 + kThreads * kEach);
  EXPECT_EQ(detail->conversation().tags_size(), 5);
  auto changes = Feed();
  EXPECT_EQ(Count(changes, v1::InboxChange::KIND_MESSAGE), 1 + kThreads * kEach);
  EXPECT_EQ(Count(changes, v1::InboxChange::KIND_UPDATED), kEach);
}

TEST_F(InboxDeskTest, RoundRobinSkipsAgentsAwayOrFullAndCountsExactly) {
  ASSERT_TRUE(settings_.PutAgent("ws", Agent("ana", true, 1)).ok());
  ASSERT_TRUE(settings_.PutAgent("ws", Agent("bo", false, 5)).ok());
  ASSERT_TRUE(settings_.PutAgent("ws", Agent("cy", true, 2)).ok());
  std::vector<std::string> assigned;
  for (int i = 0; i < 4; ++i) {
    const std::string c = "c_" + std::to_string(i);
    ASSERT_TRUE(desk_.TakeCustomerMessage("ws", Item("m" + std::to_string(i), c)).ok());
    assigned.push_back(conversations_.Load("ws", c)->record.conversation().assignee_id());
  }
  EXPECT_EQ(assigned, (std::vector<std::string>{"ana", "cy", "cy", ""})) << "the fourth waits in the queue";
  auto loads = conversations_.Loads("ws");
  ASSERT_TRUE(loads.ok());
  EXPECT_EQ(loads->second["ana"], 1);
  EXPECT_EQ(loads->second["cy"], 2);
  EXPECT_TRUE(absl::IsFailedPrecondition(desk_.Assign("ws", "c_3", "", "lead").status())) << "nobody has room";
  // Closing frees room; the queue's conversation goes to whoever has it.
  ASSERT_TRUE(desk_.Act("ws", "c_0", "ana", [](v1::ConversationRecord& r, int64_t now) {
                     return CloseConversation(r, now);
                   }).ok());
  auto c3 = desk_.Assign("ws", "c_3", "", "lead");
  ASSERT_TRUE(c3.ok()) << c3.status();
  EXPECT_EQ(c3->assignee_id(), "ana");
  // By hand, past capacity (a lead may); moving it takes it off the first agent.
  ASSERT_TRUE(desk_.Assign("ws", "c_3", "bo", "lead").ok());
  loads = conversations_.Loads("ws");
  EXPECT_EQ(loads->second["ana"], 0);
  EXPECT_EQ(loads->second["bo"], 1);
  EXPECT_EQ(loads->second["cy"], 2);
  // A customer writing into a closed conversation reopens it to its agent, counted again.
  ASSERT_TRUE(desk_.TakeCustomerMessage("ws", Item("m9", "c_0")).ok());
  auto c0 = conversations_.Load("ws", "c_0");
  EXPECT_EQ(c0->record.conversation().state(), v1::CONVERSATION_STATE_ASSIGNED);
  EXPECT_EQ(conversations_.Loads("ws")->second["ana"], 1);
}

TEST_F(InboxDeskTest, SlaAlertsAreSentOnceEvenWithTwoReplicasSweeping) {
  SetPolicy(3600);  // first response within an hour, warned at 80 %
  ASSERT_TRUE(desk_.TakeCustomerMessage("ws", Item("m1")).ok());
  // A second replica: its own desk on the same Redis.
  InboxDesk other(conversations_, settings_, inbox_, sender_, clock_, registry_);
  InboxTimers a(conversations_, desk_, clock_), b(conversations_, other, clock_);
  auto sweep_both = [&] {
    std::thread t1([&] { ASSERT_TRUE(a.RunOnce().ok()); });
    std::thread t2([&] { ASSERT_TRUE(b.RunOnce().ok()); });
    t1.join();
    t2.join();
  };
  clock_.AdvanceMs(47 * kMinute);
  sweep_both();
  EXPECT_EQ(Count(Feed(), v1::InboxChange::KIND_SLA_WARNING), 0) << "not yet";
  clock_.AdvanceMs(kMinute);
  sweep_both();
  sweep_both();
  auto changes = Feed();
  ASSERT_EQ(Count(changes, v1::InboxChange::KIND_SLA_WARNING), 1);
  EXPECT_EQ(changes.back().sla_target(), "first_response");
  EXPECT_TRUE(changes.back().conversation().sla().first_response().warning());
  clock_.AdvanceMs(12 * kMinute);
  sweep_both();
  sweep_both();
  changes = Feed();
  EXPECT_EQ(Count(changes, v1::InboxChange::KIND_SLA_BREACHED), 1);
  EXPECT_EQ(Count(changes, v1::InboxChange::KIND_SLA_WARNING), 1);
  // Answered: nothing runs, nothing is due.
  ASSERT_TRUE(desk_.Reply("ws", "c_1", "sorry for the wait", "req-1", "ana").ok());
  EXPECT_TRUE(conversations_.Due("ws", clock_.NowMs() + 100 * kHour, 10)->empty());
}

TEST_F(InboxDeskTest, ASnoozeWakesAtItsTimeAndTheSweepSaysSo) {
  ASSERT_TRUE(desk_.TakeCustomerMessage("ws", Item("m1")).ok());
  const int64_t until = clock_.NowMs() + kHour;
  ASSERT_TRUE(desk_.Act("ws", "c_1", "ana", [until](v1::ConversationRecord& r, int64_t now) {
                     return SnoozeUntil(r, until, now);
                   }).ok());
  InboxTimers timers(conversations_, desk_, clock_);
  clock_.AdvanceMs(kHour - 1);
  ASSERT_TRUE(timers.RunOnce().ok());
  EXPECT_EQ(conversations_.Load("ws", "c_1")->record.conversation().state(), v1::CONVERSATION_STATE_SNOOZED);
  clock_.AdvanceMs(1);
  auto looked = timers.RunOnce();
  ASSERT_TRUE(looked.ok());
  EXPECT_EQ(*looked, 1);
  EXPECT_EQ(conversations_.Load("ws", "c_1")->record.conversation().state(), v1::CONVERSATION_STATE_OPEN);
  EXPECT_EQ(Feed().back().kind(), v1::InboxChange::KIND_UPDATED);
  EXPECT_EQ(*timers.RunOnce(), 0) << "nothing more is due";
}

TEST_F(InboxDeskTest, AReplyIsSentOnceFilledInAndRecorded) {
  ASSERT_TRUE(desk_.TakeCustomerMessage("ws", Item("m1")).ok());
  ASSERT_TRUE(desk_.TakeCustomerMessage("ws", Item("m2")).ok());
  auto first = desk_.Reply("ws", "c_1", "Hi {{author}}!", "req-7", "ana");
  ASSERT_TRUE(first.ok()) << first.status();
  auto again = desk_.Reply("ws", "c_1", "Hi {{author}}!", "req-7", "ana");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(sender_.sends, 1) << "a retry is answered from the first";
  EXPECT_EQ(again->post_id(), first->post_id());
  EXPECT_EQ(sender_.last_text, "Hi fan!");
  EXPECT_EQ(sender_.last_item, "m2") << "the latest customer message is answered";
  auto detail = desk_.Get("ws", "c_1");
  ASSERT_EQ(detail->messages_size(), 3);
  EXPECT_EQ(detail->messages(2).kind(), v1::MESSAGE_KIND_AGENT_REPLY);
  EXPECT_TRUE(detail->conversation().human_took_over());
  auto note = desk_.AddNote("ws", "c_1", "customer is a VIP", "n-1", "ana");
  auto note_again = desk_.AddNote("ws", "c_1", "customer is a VIP", "n-1", "ana");
  ASSERT_TRUE(note.ok() && note_again.ok());
  EXPECT_EQ(note->id(), note_again->id());
  EXPECT_EQ(desk_.Get("ws", "c_1")->messages_size(), 4) << "a retried note is stored once";
  EXPECT_TRUE(absl::IsNotFound(desk_.Reply("ws", "c_404", "hi", "", "ana").status()));
}

TEST_F(InboxDeskTest, TheFeedResumesAfterATokenAndSaysWhenItCannot) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(desk_.TakeCustomerMessage("ws", Item("m" + std::to_string(i))).ok());
  auto all = Feed();
  ASSERT_EQ(all.size(), 5u);
  auto rest = Feed(all[1].token());
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_EQ(rest[0].token(), all[2].token());
  EXPECT_TRUE(feed_.CheckResumable("ws", all[0].token()).ok());
  auto latest = feed_.Latest("ws");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(*latest, all.back().token());
  // The oldest changes dropped: a token before them cannot resume.
  ASSERT_TRUE(redis().Command({"XTRIM", "lst:{ws}:feed", "MAXLEN", "2"}).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(feed_.CheckResumable("ws", all[0].token())));
  EXPECT_TRUE(feed_.CheckResumable("ws", all[3].token()).ok()) << "kept: nothing after it was dropped";
  EXPECT_EQ(Feed(all[3].token()).size(), 1u);
  EXPECT_TRUE(absl::IsInvalidArgument(feed_.CheckResumable("ws", "99999999999999-0"))) << "from the future";
  EXPECT_TRUE(feed_.CheckResumable("empty-ws", "0-0").ok());
  EXPECT_TRUE(absl::IsInvalidArgument(feed_.CheckResumable("empty-ws", "1700000000000-0"))) << "never given";
  EXPECT_FALSE(InboxFeed::IsToken("12-"));
  EXPECT_FALSE(InboxFeed::IsToken("a-1"));
  EXPECT_TRUE(InboxFeed::IsToken("1700000000000-3"));
}

TEST_F(InboxDeskTest, TheBellRingsForChangesWrittenAfterSubscribing) {
  std::atomic<int> rings{0};
  auto sub = feed_.Subscribe("ws", [&] { ++rings; });
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(desk_.TakeCustomerMessage("ws", Item("m1")).ok());
  for (int i = 0; i < 100 && rings == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_GE(rings.load(), 1);
  feed_.Unsubscribe("ws", *sub);
  int after = rings;
  ASSERT_TRUE(desk_.TakeCustomerMessage("ws", Item("m2")).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(rings.load(), after) << "no ring after unsubscribing";
}

TEST_F(InboxDeskTest, AnAutomatedAnswerIsSentOnceAndAHumanReplyStopsAutomation) {
  v1::AutoAnswer hours;
  hours.set_id("aa_hours");
  hours.set_query("hours OR open");
  hours.set_template_("Hi {{author}}, we open at 9.");
  hours.set_mode(v1::AUTO_ANSWER_MODE_AUTO);
  ASSERT_TRUE(settings_.CreateAutoAnswer("ws", hours).ok());
  auto message = [&](const std::string& id, const std::string& conversation, const std::string& text) {
    auto item = Item(id, conversation);
    item.set_text(text);
    return desk_.TakeCustomerMessage("ws", item);
  };
  ASSERT_TRUE(message("m1", "c_1", "when do you open?").ok());
  ASSERT_TRUE(message("m2", "c_1", "what are your hours?").ok());
  EXPECT_EQ(sender_.sends, 1) << "once per conversation";
  EXPECT_EQ(sender_.last_text, "Hi fan, we open at 9.");
  auto detail = desk_.Get("ws", "c_1");
  ASSERT_EQ(detail->messages_size(), 3);
  EXPECT_EQ(detail->messages(1).kind(), v1::MESSAGE_KIND_AUTOMATED_REPLY) << "always marked automated";
  EXPECT_TRUE(detail->conversation().automated_answered());
  EXPECT_FALSE(detail->conversation().human_took_over());
  EXPECT_EQ(detail->conversation().sla().first_response().state(), v1::SLA_CLOCK_STATE_NONE) << "no policy set";

  // Another conversation: an agent answers first; automation stays away after.
  ASSERT_TRUE(message("m3", "c_2", "hello").ok());
  ASSERT_TRUE(desk_.Reply("ws", "c_2", "hi, how can I help?", "h-1", "ana").ok());
  const int before = sender_.sends;
  ASSERT_TRUE(message("m4", "c_2", "when do you open?").ok());
  EXPECT_EQ(sender_.sends, before) << "a human took it over";
}

TEST_F(InboxDeskTest, ASuggestionWaitsForAnAgentAndIsSentOnceApproved) {
  v1::AutoAnswer hours;
  hours.set_id("aa_hours");
  hours.set_query("hours");
  hours.set_template_("We open at 9, {{author}}.");
  hours.set_mode(v1::AUTO_ANSWER_MODE_SUGGEST);
  ASSERT_TRUE(settings_.CreateAutoAnswer("ws", hours).ok());
  auto item = Item("m1");
  item.set_text("your hours?");
  ASSERT_TRUE(desk_.TakeCustomerMessage("ws", item).ok());
  EXPECT_EQ(sender_.sends, 0) << "suggested, not sent";
  auto c = conversations_.Load("ws", "c_1")->record.conversation();
  ASSERT_TRUE(c.has_suggestion());
  EXPECT_EQ(c.suggestion().text(), "We open at 9, fan.");
  auto sent = desk_.ApproveSuggestion("ws", "c_1", "ana");
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(sent->kind(), v1::MESSAGE_KIND_AUTOMATED_REPLY);
  EXPECT_EQ(sent->approved_by(), "ana");
  EXPECT_TRUE(absl::IsFailedPrecondition(desk_.ApproveSuggestion("ws", "c_1", "bo").status())) << "sent: none left";
  EXPECT_EQ(sender_.sends, 1);
  // Dismissed in another conversation: no other suggestion follows.
  auto other = Item("m2", "c_2");
  other.set_text("hours?");
  ASSERT_TRUE(desk_.TakeCustomerMessage("ws", other).ok());
  ASSERT_TRUE(desk_.DismissSuggestion("ws", "c_2", "ana").ok());
  auto later = Item("m3", "c_2");
  later.set_text("hours??");
  ASSERT_TRUE(desk_.TakeCustomerMessage("ws", later).ok());
  EXPECT_FALSE(conversations_.Load("ws", "c_2")->record.conversation().has_suggestion());
  EXPECT_EQ(sender_.sends, 1);
}

TEST_F(InboxDeskTest, EveryStoppedClockIsCountedOnceForTheReport) {
  SetPolicy(600);  // first response within 10 minutes
  // Ten conversations answered after 1..10 minutes... and one after 15.
  for (int i = 1; i <= 11; ++i) {
    ASSERT_TRUE(desk_.TakeCustomerMessage("ws", Item("m" + std::to_string(i), "c_" + std::to_string(i))).ok());
  }
  for (int i = 1; i <= 11; ++i) {
    clock_.AdvanceMs(i == 11 ? 5 * kMinute : kMinute);
    ASSERT_TRUE(desk_.Reply("ws", "c_" + std::to_string(i), "on it", "a", "ana").ok());
    ASSERT_TRUE(desk_.Reply("ws", "c_" + std::to_string(i), "on it", "a", "ana").ok());  // a retry counts nothing
    ASSERT_TRUE(desk_.Reply("ws", "c_" + std::to_string(i), "more", "b", "ana").ok());  // nor does a second answer
  }
  const std::string day = absl::FormatTime("%Y%m%d", absl::FromUnixMillis(clock_.NowMs()), absl::UTCTimeZone());
  auto samples = conversations_.SlaSamples("ws", "first_response", day);
  ASSERT_TRUE(samples.ok());
  ASSERT_EQ(samples->size(), 11u);
  int met = 0;
  for (const auto& [ms, ok] : *samples) met += ok;
  EXPECT_EQ(met, 10);
  EXPECT_TRUE(conversations_.SlaSamples("ws", "next_response", day)->empty());
}

TEST_F(InboxDeskTest, AnSlaAlertIsAnnouncedBeforeItCountsAsSentAndAgainIfTheAnnouncementFailed) {
  SetPolicy(3600);
  std::vector<herald::events::v1::InboxSlaAlert> announced;
  bool broker_down = true;
  InboxDesk desk(conversations_, settings_, inbox_, sender_, clock_, registry_,
                 [&](const herald::events::v1::InboxSlaAlert& a) {
                   if (broker_down) return absl::UnavailableError("broker down");
                   announced.push_back(a);
                   return absl::OkStatus();
                 });
  ASSERT_TRUE(desk.TakeCustomerMessage("ws", Item("m1")).ok());
  InboxTimers timers(conversations_, desk, clock_);
  clock_.AdvanceMs(61 * kMinute);  // past both the warning and the breach
  ASSERT_TRUE(timers.RunOnce().ok());
  EXPECT_EQ(Count(Feed(), v1::InboxChange::KIND_SLA_BREACHED), 0) << "not announced: not sent";
  broker_down = false;
  clock_.AdvanceMs(2000);
  ASSERT_TRUE(timers.RunOnce().ok());
  EXPECT_TRUE(announced.empty()) << "a failed look is put off for 30 s";
  clock_.AdvanceMs(30'000);
  ASSERT_TRUE(timers.RunOnce().ok());
  ASSERT_EQ(announced.size(), 1u);
  EXPECT_EQ(announced[0].kind(), "breached");
  EXPECT_EQ(announced[0].target(), "first_response");
  EXPECT_EQ(announced[0].conversation_id(), "c_1");
  EXPECT_EQ(ToMs(announced[0].due_at()), 1'800'000'000'000 + kHour);
  EXPECT_EQ(Count(Feed(), v1::InboxChange::KIND_SLA_BREACHED), 1);
  clock_.AdvanceMs(kHour);
  ASSERT_TRUE(timers.RunOnce().ok());
  EXPECT_EQ(announced.size(), 1u) << "once";
}

TEST_F(InboxDeskTest, AConversationWhoseLookFailsIsPutOffAndHoldsUpNoOther) {
  ASSERT_TRUE(desk_.TakeCustomerMessage("ws", Item("m1")).ok());
  const int64_t until = clock_.NowMs() + kMinute;
  ASSERT_TRUE(desk_.Act("ws", "c_1", "ana", [until](v1::ConversationRecord& r, int64_t now) {
                     return SnoozeUntil(r, until, now);
                   }).ok());
  // Another conversation stored unreadable, due first.
  ASSERT_TRUE(redis().Command({"HSET", "lst:{ws}:conv:c_bad", "v", "1", "r", "not a record"}).ok());
  ASSERT_TRUE(redis().Command({"ZADD", "lst:{ws}:due", "1", "c_bad"}).ok());
  InboxTimers timers(conversations_, desk_, clock_);
  clock_.AdvanceMs(kMinute);
  ASSERT_TRUE(timers.RunOnce().ok());
  EXPECT_EQ(conversations_.Load("ws", "c_1")->record.conversation().state(), v1::CONVERSATION_STATE_OPEN)
      << "the good one woke";
  auto score = redis().Command({"ZSCORE", "lst:{ws}:due", "c_bad"});
  ASSERT_TRUE(score.ok());
  EXPECT_EQ(score->AsInt(), clock_.NowMs() + 30'000) << "the bad one is put off, not retried at once forever";
}

}  // namespace
}  // namespace herald::listener
