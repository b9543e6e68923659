// A stored conversation's steps (conversation_record.h) and the SLA policy
// they are timed by (sla_policy.h), on an injected timeline. No I/O.
#include <gtest/gtest.h>

#include "common/time_util.h"
#include "listener/inbox/auto_answer.h"
#include "listener/inbox/conversation_record.h"
#include "listener/inbox/sla_policy.h"
#include "listener/inbox/sla_report.h"

namespace herald::listener {
namespace {

constexpr int64_t kMinute = 60'000, kHour = 60 * kMinute;
constexpr int64_t kT0 = 1'800'000'000'000;  // 2027-01-15, a Friday, 08:00 UTC

v1::InboxItem Item(const std::string& id, const std::string& text, double compound = 0.0) {
  v1::InboxItem item;
  item.set_id(id);
  item.set_conversation_id("c_1");
  item.set_network(herald::common::v1::NETWORK_MASTODON);
  item.set_channel_id("ch");
  item.set_author_handle("fan@example.social");
  item.set_remote_id("r" + id);
  item.set_text(text);
  item.mutable_sentiment()->set_scored(true);
  item.mutable_sentiment()->set_compound(compound);
  return item;
}

v1::ConversationMessage Reply(bool automated) {
  v1::ConversationMessage m;
  m.set_id("r");
  m.set_kind(automated ? v1::MESSAGE_KIND_AUTOMATED_REPLY : v1::MESSAGE_KIND_AGENT_REPLY);
  return m;
}

CompiledSlaPolicy Policy(int64_t first_s, int64_t next_s, int64_t resolution_s, const std::string& tag = "") {
  v1::SlaPolicy p;
  auto* rule = p.add_rules();
  rule->set_tag(tag);
  rule->mutable_targets()->set_first_response_seconds(first_s);
  rule->mutable_targets()->set_next_response_seconds(next_s);
  rule->mutable_targets()->set_resolution_seconds(resolution_s);
  auto compiled = CompiledSlaPolicy::Compile(p);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  return *compiled;
}

TEST(ConversationRecord, TheFirstMessageOpensItAndLaterOnesRaiseItsPriorityNeverLowerIt) {
  v1::ConversationRecord r;
  EXPECT_TRUE(IsNew(r));
  auto m = AddCustomerMessage(r, "ws", Item("m1", "this is awful, I hate it", -0.8), kT0);
  EXPECT_FALSE(IsNew(r));
  EXPECT_EQ(m.kind(), v1::MESSAGE_KIND_CUSTOMER);
  EXPECT_EQ(m.item_id(), "m1");
  const auto& c = r.conversation();
  EXPECT_EQ(c.id(), "c_1");
  EXPECT_EQ(c.state(), v1::CONVERSATION_STATE_OPEN);
  EXPECT_EQ(c.customer_handle(), "fan@example.social");
  EXPECT_EQ(c.priority(), v1::CONVERSATION_PRIORITY_HIGH);  // strongly negative
  EXPECT_EQ(c.message_count(), 1);
  (void)AddCustomerMessage(r, "ws", Item("m2", "thanks, all good now!", 0.7), kT0 + kMinute);
  EXPECT_EQ(r.conversation().priority(), v1::CONVERSATION_PRIORITY_HIGH);
  EXPECT_EQ(r.conversation().message_count(), 2);
  EXPECT_EQ(r.last_customer_item_id(), "m2");
}

TEST(ConversationRecord, APreviewIsCutBetweenCharactersNeverInsideOne) {
  v1::ConversationRecord r;
  std::string text(279, 'a');
  text += "\xC3\xA9\xC3\xA9";  // é é: the 280-byte cut falls inside the first
  (void)AddCustomerMessage(r, "ws", Item("m1", text), kT0);
  EXPECT_EQ(r.conversation().preview(), std::string(279, 'a'));
}

TEST(ConversationRecord, VerbsFollowTheLifecycleAndRefuseWhatItForbids) {
  v1::ConversationRecord r;
  (void)AddCustomerMessage(r, "ws", Item("m1", "hi"), kT0);
  ASSERT_TRUE(AssignTo(r, "ana", kT0 + 1).ok());
  EXPECT_EQ(r.conversation().state(), v1::CONVERSATION_STATE_ASSIGNED);
  EXPECT_TRUE(absl::IsInvalidArgument(SnoozeUntil(r, kT0, kT0 + 2)));  // not in the future
  ASSERT_TRUE(SnoozeUntil(r, kT0 + kHour, kT0 + 2).ok());
  EXPECT_EQ(r.conversation().state(), v1::CONVERSATION_STATE_SNOOZED);
  EXPECT_FALSE(WakeIfDue(r, kT0 + kHour - 1));
  EXPECT_TRUE(WakeIfDue(r, kT0 + kHour));
  EXPECT_EQ(r.conversation().state(), v1::CONVERSATION_STATE_ASSIGNED);
  EXPECT_EQ(r.conversation().assignee_id(), "ana");
  EXPECT_TRUE(absl::IsFailedPrecondition(Reopen(r, kT0 + kHour)));  // not closed
  ASSERT_TRUE(CloseConversation(r, kT0 + 2 * kHour).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(CloseConversation(r, kT0 + 2 * kHour)));
  EXPECT_TRUE(absl::IsFailedPrecondition(AssignTo(r, "bo", kT0 + 2 * kHour)));
  const v1::ConversationRecord closed = r;
  EXPECT_TRUE(absl::IsFailedPrecondition(SnoozeUntil(r, kT0 + 5 * kHour, kT0 + 3 * kHour)));
  EXPECT_EQ(r.SerializeAsString(), closed.SerializeAsString()) << "a refused verb changes nothing";
  // A new message reopens it to its assignee.
  (void)AddCustomerMessage(r, "ws", Item("m2", "still broken"), kT0 + 4 * kHour);
  EXPECT_EQ(r.conversation().state(), v1::CONVERSATION_STATE_ASSIGNED);
  ASSERT_TRUE(Unassign(r, kT0 + 5 * kHour).ok());
  EXPECT_EQ(r.conversation().state(), v1::CONVERSATION_STATE_OPEN);
}

TEST(ConversationRecord, TagsAreAddedOnceRemovedAndCapped) {
  v1::ConversationRecord r;
  (void)AddCustomerMessage(r, "ws", Item("m1", "hi"), kT0);
  ASSERT_TRUE(Retag(r, {"billing", "vip", "billing"}, {}, kT0).ok());
  EXPECT_EQ(r.conversation().tags_size(), 2);
  ASSERT_TRUE(Retag(r, {}, {"vip"}, kT0).ok());
  ASSERT_EQ(r.conversation().tags_size(), 1);
  EXPECT_EQ(r.conversation().tags(0), "billing");
  EXPECT_TRUE(absl::IsInvalidArgument(Retag(r, {"Bad Tag"}, {}, kT0)));
  std::vector<std::string> many;
  for (int i = 0; i < 20; ++i) many.push_back("t" + std::to_string(i));
  EXPECT_TRUE(absl::IsFailedPrecondition(Retag(r, many, {}, kT0)));
  EXPECT_EQ(r.conversation().tags_size(), 1) << "refused whole";
}

TEST(ConversationRecord, AHumanReplyTakesOverAndStopsTheClockAnAutomatedOneDoesNeither) {
  const auto policy = Policy(/*first*/ 3600, /*next*/ 1800, /*resolution*/ 0);
  v1::ConversationRecord r;
  (void)AddCustomerMessage(r, "ws", Item("m1", "hello?"), kT0);
  AddReply(r, Reply(/*automated=*/true), kT0 + kMinute);
  EXPECT_TRUE(r.conversation().automated_answered());
  EXPECT_FALSE(r.conversation().human_took_over());
  auto sla = JudgeSla(r, policy, kT0 + 2 * kMinute);
  EXPECT_EQ(sla.status.first_response().state(), v1::SLA_CLOCK_STATE_RUNNING) << "a bot's answer is not the team's";
  AddReply(r, Reply(/*automated=*/false), kT0 + 10 * kMinute);
  EXPECT_TRUE(r.conversation().human_took_over());
  sla = JudgeSla(r, policy, kT0 + 11 * kMinute);
  EXPECT_EQ(sla.status.first_response().state(), v1::SLA_CLOCK_STATE_MET);
  EXPECT_EQ(sla.status.first_response().used_ms(), 10 * kMinute);
  EXPECT_EQ(sla.next_check_ms, 0) << "nothing runs";
}

TEST(ConversationRecord, EachSlaAlertIsDueOnceAtItsInstant) {
  const auto policy = Policy(3600, 0, 0);  // first response within an hour, warned at 80 %
  v1::ConversationRecord r;
  (void)AddCustomerMessage(r, "ws", Item("m1", "hello?"), kT0);
  auto sla = JudgeSla(r, policy, kT0);
  EXPECT_TRUE(sla.alerts.empty());
  EXPECT_EQ(sla.next_check_ms, kT0 + 48 * kMinute);  // the warning's instant
  sla = JudgeSla(r, policy, kT0 + 48 * kMinute);
  ASSERT_EQ(sla.alerts.size(), 1u);
  EXPECT_FALSE(sla.alerts[0].breached);
  EXPECT_EQ(sla.alerts[0].target, "first_response");
  MarkAlertSent(r, sla.alerts[0]);
  sla = JudgeSla(r, policy, kT0 + 50 * kMinute);
  EXPECT_TRUE(sla.alerts.empty()) << "a warning is sent once";
  EXPECT_EQ(sla.next_check_ms, kT0 + kHour);  // the breach's instant
  sla = JudgeSla(r, policy, kT0 + kHour);
  ASSERT_EQ(sla.alerts.size(), 1u);
  EXPECT_TRUE(sla.alerts[0].breached);
  MarkAlertSent(r, sla.alerts[0]);
  sla = JudgeSla(r, policy, kT0 + 2 * kHour);
  EXPECT_TRUE(sla.alerts.empty());
  EXPECT_EQ(sla.next_check_ms, 0);
  EXPECT_TRUE(sla.status.first_response().breached());
}

TEST(ConversationRecord, ABreachAlreadyDueSkipsItsWarning) {
  const auto policy = Policy(3600, 0, 0);
  v1::ConversationRecord r;
  (void)AddCustomerMessage(r, "ws", Item("m1", "hello?"), kT0);
  auto sla = JudgeSla(r, policy, kT0 + 2 * kHour);  // the listener was down through both instants
  ASSERT_EQ(sla.alerts.size(), 1u);
  EXPECT_TRUE(sla.alerts[0].breached);
}

TEST(ConversationRecord, EachNextResponseWaitAlertsOnItsOwn) {
  const auto policy = Policy(0, 600, 0);  // next response within 10 minutes
  v1::ConversationRecord r;
  (void)AddCustomerMessage(r, "ws", Item("m1", "a"), kT0);
  AddReply(r, Reply(false), kT0 + kMinute);
  (void)AddCustomerMessage(r, "ws", Item("m2", "b"), kT0 + 2 * kMinute);
  auto sla = JudgeSla(r, policy, kT0 + 13 * kMinute);
  ASSERT_EQ(sla.alerts.size(), 1u);
  MarkAlertSent(r, sla.alerts[0]);
  AddReply(r, Reply(false), kT0 + 14 * kMinute);
  (void)AddCustomerMessage(r, "ws", Item("m3", "c"), kT0 + 15 * kMinute);
  sla = JudgeSla(r, policy, kT0 + 26 * kMinute);
  ASSERT_EQ(sla.alerts.size(), 1u) << "the second wait breaches on its own";
  EXPECT_TRUE(sla.alerts[0].breached);
}

TEST(ConversationRecord, SnoozingPausesResolutionUntilTheCustomerWrites) {
  const auto policy = Policy(0, 0, 2 * 3600);
  v1::ConversationRecord r;
  (void)AddCustomerMessage(r, "ws", Item("m1", "a"), kT0);
  ASSERT_TRUE(SnoozeUntil(r, kT0 + 48 * kHour, kT0 + kHour).ok());
  auto sla = JudgeSla(r, policy, kT0 + 10 * kHour);
  EXPECT_EQ(sla.status.resolution().state(), v1::SLA_CLOCK_STATE_PAUSED);
  EXPECT_EQ(sla.status.resolution().used_ms(), kHour);
  EXPECT_EQ(NextTimerMs(r, sla), kT0 + 48 * kHour) << "the snooze's end";
  (void)AddCustomerMessage(r, "ws", Item("m2", "b"), kT0 + 20 * kHour);
  sla = JudgeSla(r, policy, kT0 + 20 * kHour);
  EXPECT_EQ(sla.status.resolution().state(), v1::SLA_CLOCK_STATE_RUNNING);
  EXPECT_EQ(ToMs(sla.status.resolution().due_at()), kT0 + 21 * kHour);
}

TEST(SlaPolicy, TheFirstMatchingRuleApplies) {
  v1::SlaPolicy p;
  auto* vip = p.add_rules();
  vip->set_tag("vip");
  vip->mutable_targets()->set_first_response_seconds(300);
  auto* urgent = p.add_rules();
  urgent->set_min_priority(v1::CONVERSATION_PRIORITY_HIGH);
  urgent->mutable_targets()->set_first_response_seconds(900);
  auto* rest = p.add_rules();
  rest->mutable_targets()->set_first_response_seconds(3600);
  auto compiled = CompiledSlaPolicy::Compile(p);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  google::protobuf::RepeatedPtrField<std::string> tags;
  EXPECT_EQ(compiled->For(v1::CONVERSATION_PRIORITY_NORMAL, tags).targets.first_response_ms, 3600'000);
  EXPECT_EQ(compiled->For(v1::CONVERSATION_PRIORITY_URGENT, tags).targets.first_response_ms, 900'000);
  *tags.Add() = "vip";
  EXPECT_EQ(compiled->For(v1::CONVERSATION_PRIORITY_LOW, tags).targets.first_response_ms, 300'000);
  EXPECT_EQ(CompiledSlaPolicy().For(v1::CONVERSATION_PRIORITY_URGENT, tags).targets.first_response_ms, 0);
}

TEST(SlaPolicy, ABadPolicyIsRefusedNamingTheField) {
  auto refused = [](const v1::SlaPolicy& p, const std::string& field) {
    auto c = CompiledSlaPolicy::Compile(p);
    EXPECT_TRUE(absl::IsInvalidArgument(c.status())) << field;
    EXPECT_NE(c.status().message().find(field), std::string::npos) << c.status();
  };
  v1::SlaPolicy hours_without_zone;
  auto* h = hours_without_zone.add_hours();
  h->set_weekday(1);
  h->set_start_minute(540);
  h->set_end_minute(1020);
  refused(hours_without_zone, "policy.time_zone");
  v1::SlaPolicy bad_zone = hours_without_zone;
  bad_zone.set_time_zone("Mars/Olympus");
  refused(bad_zone, "policy.time_zone");
  v1::SlaPolicy backwards = hours_without_zone;
  backwards.set_time_zone("Europe/Paris");
  backwards.mutable_hours(0)->set_end_minute(500);
  refused(backwards, "policy.hours[0].end_minute");
  v1::SlaPolicy day8 = backwards;
  day8.mutable_hours(0)->set_end_minute(1020);
  day8.mutable_hours(0)->set_weekday(8);
  refused(day8, "policy.hours[0].weekday");
  v1::SlaPolicy overlap = backwards;
  overlap.mutable_hours(0)->set_end_minute(1020);
  auto* o = overlap.add_hours();
  o->set_weekday(1);
  o->set_start_minute(600);
  o->set_end_minute(700);
  refused(overlap, "policy.hours");
  v1::SlaPolicy holiday;
  holiday.add_holidays("2026-13-01");
  refused(holiday, "policy.holidays[0]");
  v1::SlaPolicy tag;
  tag.add_rules()->set_tag("Not A Tag");
  refused(tag, "policy.rules[0].tag");
  v1::SlaPolicy warn;
  warn.set_warn_at_percent(100);
  refused(warn, "policy.warn_at_percent");
}

TEST(SlaPolicy, BusinessHoursCountOnlyOpenTime) {
  v1::SlaPolicy p;
  p.set_time_zone("UTC");
  for (int d = 1; d <= 5; ++d) {
    auto* h = p.add_hours();
    h->set_weekday(d);
    h->set_start_minute(9 * 60);
    h->set_end_minute(17 * 60);
  }
  p.add_rules()->mutable_targets()->set_first_response_seconds(2 * 3600);
  auto compiled = CompiledSlaPolicy::Compile(p);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  v1::ConversationRecord r;
  // Friday 16:00 UTC: one open hour left this week, the second on Monday.
  const int64_t friday_4pm = kT0 + 8 * kHour;
  (void)AddCustomerMessage(r, "ws", Item("m1", "hello?"), friday_4pm);
  auto sla = JudgeSla(r, *compiled, friday_4pm);
  EXPECT_EQ(ToMs(sla.status.first_response().due_at()), friday_4pm + 3 * 24 * kHour - 6 * kHour)
      << "Monday 10:00";
}

TEST(ConversationRecord, TemplatesFillTheAuthorAndNetwork) {
  v1::ConversationRecord r;
  (void)AddCustomerMessage(r, "ws", Item("m1", "hi"), kT0);
  EXPECT_EQ(ExpandTemplate("Hi {{author}}, thanks for writing on {{network}}! {{unknown}}", r),
            "Hi fan@example.social, thanks for writing on mastodon! {{unknown}}");
}

}  // namespace
}  // namespace herald::listener

namespace herald::listener {
namespace {

v1::AutoAnswer Answer(const std::string& id, const std::string& query, bool answer_negative = false) {
  v1::AutoAnswer a;
  a.set_id(id);
  a.set_query(query);
  a.set_template_("Hi {{author}}");
  a.set_mode(v1::AUTO_ANSWER_MODE_AUTO);
  a.set_answer_negative(answer_negative);
  return a;
}

TEST(AutoAnswers, TheFirstMatchingAnswerOnceAndNeverAfterAHuman) {
  AutoAnswerSet set({Answer("hours", "opening OR hours"), Answer("any", "hours OR price")});
  v1::ConversationRecord r;
  auto m = Item("m1", "what are your opening hours?");
  (void)AddCustomerMessage(r, "ws", m, kT0);
  auto a = set.For(r, m);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->id(), "hours") << "in order";
  EXPECT_FALSE(set.For(r, Item("m2", "nothing about it")).has_value());
  AddReply(r, Reply(/*automated=*/true), kT0 + 1);
  EXPECT_FALSE(set.For(r, m).has_value()) << "once per conversation";

  v1::ConversationRecord human;
  (void)AddCustomerMessage(human, "ws", m, kT0);
  AddReply(human, Reply(/*automated=*/false), kT0 + 1);
  EXPECT_FALSE(set.For(human, m).has_value()) << "a person answered: they have it";

  v1::ConversationRecord suggested;
  (void)AddCustomerMessage(suggested, "ws", m, kT0);
  suggested.mutable_conversation()->mutable_suggestion()->set_text("waiting");
  EXPECT_FALSE(set.For(suggested, m).has_value()) << "one suggestion at a time";
}

TEST(AutoAnswers, AStronglyNegativeMessageGetsAPersonUnlessTheAnswerSaysSo) {
  v1::ConversationRecord r;
  auto angry = Item("m1", "your opening hours are a joke, worst service ever", -0.8);
  (void)AddCustomerMessage(r, "ws", angry, kT0);
  EXPECT_FALSE(AutoAnswerSet({Answer("hours", "hours")}).For(r, angry).has_value());
  EXPECT_TRUE(AutoAnswerSet({Answer("hours", "hours", /*answer_negative=*/true)}).For(r, angry).has_value());
  auto mild = Item("m2", "hours please", -0.3);
  EXPECT_TRUE(AutoAnswerSet({Answer("hours", "hours")}).For(r, mild).has_value());
}

TEST(AutoAnswers, ABadAnswerIsRefusedNamingTheField) {
  v1::CreateAutoAnswerRequest req;
  req.set_workspace_id("ws");
  req.set_name("hours");
  req.set_query("(opening OR hours");
  req.set_template_(" ");
  req.set_request_id("bad id");
  auto errors = ValidateCreateAutoAnswer(req);
  std::string said = errors.Message();
  EXPECT_NE(said.find("query: at 18: expected ')' to close the '(' at 1"), std::string::npos) << said;
  EXPECT_NE(said.find("template"), std::string::npos) << said;
  EXPECT_NE(said.find("mode"), std::string::npos) << said;
  EXPECT_NE(said.find("request_id"), std::string::npos) << said;
  req.set_query("opening OR hours");
  req.set_template_("We open at 9.");
  req.set_mode(v1::AUTO_ANSWER_MODE_SUGGEST);
  req.clear_request_id();
  EXPECT_TRUE(ValidateCreateAutoAnswer(req).ok()) << ValidateCreateAutoAnswer(req).Message();
}

}  // namespace
}  // namespace herald::listener

namespace herald::listener {
namespace {

TEST(SlaReport, CountsAndNearestRankPercentiles) {
  std::vector<std::pair<int64_t, bool>> samples;
  for (int i = 100; i >= 1; --i) samples.emplace_back(i * 1000, i <= 90);  // 1 s … 100 s; the slowest 10 missed
  auto r = Summarize("first_response", samples);
  EXPECT_EQ(r.target(), "first_response");
  EXPECT_EQ(r.count(), 100);
  EXPECT_EQ(r.met(), 90);
  EXPECT_EQ(r.missed(), 10);
  EXPECT_EQ(r.p50_ms(), 50'000);
  EXPECT_EQ(r.p90_ms(), 90'000);
  EXPECT_EQ(r.p99_ms(), 99'000);
  auto one = Summarize("resolution", {{7, false}});
  EXPECT_EQ(one.p50_ms(), 7);
  EXPECT_EQ(one.p99_ms(), 7);
  auto none = Summarize("next_response", {});
  EXPECT_EQ(none.count(), 0);
  EXPECT_EQ(none.p50_ms(), 0);
}

TEST(SlaReport, AClockIsCountedWhenAChangeStopsIt) {
  const auto policy = Policy(3600, 600, 7200);
  v1::ConversationRecord r;
  (void)AddCustomerMessage(r, "ws", Item("m1", "a"), kT0);
  auto before = JudgeSla(r, policy, kT0 + 20 * kMinute);
  AddReply(r, Reply(false), kT0 + 20 * kMinute);
  auto after = JudgeSla(r, policy, kT0 + 20 * kMinute);
  auto stopped = StoppedClocks(before, after);
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0].target, "first_response");
  EXPECT_EQ(stopped[0].ms, 20 * kMinute);
  EXPECT_TRUE(stopped[0].met);
  EXPECT_TRUE(StoppedClocks(after, after).empty()) << "nothing stops twice";
  (void)AddCustomerMessage(r, "ws", Item("m2", "b"), kT0 + 30 * kMinute);
  before = JudgeSla(r, policy, kT0 + 45 * kMinute);
  AddReply(r, Reply(false), kT0 + 45 * kMinute);
  after = JudgeSla(r, policy, kT0 + 45 * kMinute);
  stopped = StoppedClocks(before, after);
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0].target, "next_response");
  EXPECT_EQ(stopped[0].ms, 15 * kMinute);
  EXPECT_FALSE(stopped[0].met) << "15 minutes against a 10-minute target";
  before = after;
  ASSERT_TRUE(CloseConversation(r, kT0 + 50 * kMinute).ok());
  after = JudgeSla(r, policy, kT0 + 50 * kMinute);
  stopped = StoppedClocks(before, after);
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0].target, "resolution");
  EXPECT_EQ(stopped[0].ms, 50 * kMinute);
  EXPECT_TRUE(stopped[0].met);
}

}  // namespace
}  // namespace herald::listener
