// Business hours and SLA targets on an injected timeline (instants are
// given, no clock): a weekend, both DST changes in Europe/Berlin, a holiday,
// a pause while waiting on the customer, a reopen. No I/O.
#include <gtest/gtest.h>

#include "common/time_util.h"
#include "listener/inbox/sla.h"

namespace herald::listener {
namespace {

using Kind = ConversationEvent::Kind;
using State = SlaTarget::State;

constexpr int64_t kMinute = 60'000, kHour = 60 * kMinute;

absl::TimeZone Berlin() { return *LoadZone("Europe/Berlin"); }
// A local Berlin wall-clock time as an instant.
int64_t Local(int y, int mo, int d, int h, int mi) {
  return absl::ToUnixMillis(Berlin().At(absl::CivilSecond(y, mo, d, h, mi, 0)).pre);
}
int64_t Utc(int y, int mo, int d, int h, int mi) {
  return absl::ToUnixMillis(absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone()));
}

BusinessHours OfficeHours() {
  std::array<std::vector<std::pair<int, int>>, 7> week;
  for (int d = 0; d < 5; ++d) week[static_cast<size_t>(d)] = {{9 * 60, 17 * 60}};
  auto hours = BusinessHours::Weekly(Berlin(), week, {absl::CivilDay(2026, 12, 25)});
  EXPECT_TRUE(hours.ok()) << hours.status();
  return *hours;
}

TEST(BusinessHours, AWeekendAndBothDstChangesAreSkippedOnTheLocalClock) {
  auto h = OfficeHours();
  // Friday 27 March 16:30 CET; the clocks go forward on Sunday 29 March.
  int64_t friday = Local(2026, 3, 27, 16, 30);
  EXPECT_EQ(friday, Utc(2026, 3, 27, 15, 30));
  EXPECT_EQ(h.Add(friday, kHour), Utc(2026, 3, 30, 7, 30));  // Monday 09:30 CEST
  EXPECT_EQ(h.Elapsed(friday, Utc(2026, 3, 30, 7, 30)), kHour);
  // Friday 23 October 16:00 CEST; the clocks go back on Sunday 25 October.
  EXPECT_EQ(h.Add(Local(2026, 10, 23, 16, 0), 2 * kHour), Utc(2026, 10, 26, 9, 0));  // Monday 10:00 CET
  // Christmas Day is a holiday: Thursday 24 December 16:00 + 2 h is Monday 10:00.
  EXPECT_EQ(h.Add(Local(2026, 12, 24, 16, 0), 2 * kHour), Local(2026, 12, 28, 10, 0));
  // Outside hours nothing counts; an amount of 0 starts at the next opening.
  EXPECT_EQ(h.Elapsed(Local(2026, 3, 28, 10, 0), Local(2026, 3, 29, 20, 0)), 0);
  EXPECT_EQ(h.Add(Local(2026, 3, 28, 10, 0), 0), Local(2026, 3, 30, 9, 0));
}

TEST(BusinessHours, AnAllDaySundayOnTheSpringNightHas23Hours) {
  std::array<std::vector<std::pair<int, int>>, 7> week;
  week[6] = {{0, 1440}};
  auto h = BusinessHours::Weekly(Berlin(), week);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->Elapsed(Local(2026, 3, 28, 12, 0), Local(2026, 3, 31, 12, 0)), 23 * kHour);
  EXPECT_EQ(h->Elapsed(Local(2026, 10, 24, 12, 0), Local(2026, 10, 27, 12, 0)), 25 * kHour);
  // Around the clock counts real time.
  EXPECT_EQ(BusinessHours::Always().Elapsed(Local(2026, 3, 28, 12, 0), Local(2026, 3, 29, 12, 0)), 23 * kHour);
}

TEST(BusinessHours, BadHoursAreRefusedNamingTheDay) {
  std::array<std::vector<std::pair<int, int>>, 7> week;
  week[2] = {{9 * 60, 8 * 60}};
  EXPECT_EQ(BusinessHours::Weekly(Berlin(), week).status().message(),
            "wednesday[0]: want 0 <= start < end <= 1440 minutes");
  week[2] = {{9 * 60, 13 * 60}, {12 * 60, 17 * 60}};
  EXPECT_EQ(BusinessHours::Weekly(Berlin(), week).status().message(), "wednesday[1]: overlaps the one before");
  week[2] = {{0, 1441}};
  EXPECT_FALSE(BusinessHours::Weekly(Berlin(), week).ok());
}

TEST(Sla, FirstResponseWarnsThenBreachesInBusinessTimeAcrossTheWeekend) {
  SlaPolicy policy{{kHour, 0, 0}, 0.8};
  auto hours = OfficeHours();
  std::vector<ConversationEvent> events{{Kind::kCustomerMessage, Local(2026, 3, 27, 16, 30)}};
  auto at = [&](int64_t now) { return EvaluateSla(policy, hours, events, now).first_response; };
  auto monday_9 = at(Local(2026, 3, 30, 9, 0));
  EXPECT_EQ(monday_9.state, State::kRunning);
  EXPECT_EQ(monday_9.used_ms, 30 * kMinute);
  EXPECT_FALSE(monday_9.warning);
  EXPECT_EQ(monday_9.due_ms, Local(2026, 3, 30, 9, 30));
  EXPECT_TRUE(at(Local(2026, 3, 30, 9, 20)).warning);  // 50 of 60 minutes used
  auto late = at(Local(2026, 3, 30, 9, 45));
  EXPECT_TRUE(late.breached);
  EXPECT_FALSE(late.warning);
  // Answered at 09:20: met, in 50 business minutes (not the 64 hours on the wall clock).
  events.push_back({Kind::kAgentReply, Local(2026, 3, 30, 9, 20)});
  auto met = at(Local(2026, 3, 30, 12, 0));
  EXPECT_EQ(met.state, State::kMet);
  EXPECT_EQ(met.used_ms, 50 * kMinute);
  EXPECT_FALSE(met.breached);
}

TEST(Sla, NextResponseRunsForEachCustomerMessageThatFindsTheConversationAnswered) {
  SlaPolicy policy{{0, 30 * kMinute, 0}, 0.8};
  auto hours = BusinessHours::Always();
  const int64_t t = Utc(2026, 6, 1, 10, 0);
  std::vector<ConversationEvent> events{
      {Kind::kCustomerMessage, t},
      {Kind::kAgentReply, t + 5 * kMinute},
      {Kind::kCustomerMessage, t + 10 * kMinute},   // opens a wait
      {Kind::kCustomerMessage, t + 12 * kMinute},   // the same wait
      {Kind::kAgentReply, t + 20 * kMinute},        // 10 minutes: met
      {Kind::kCustomerMessage, t + 30 * kMinute},
      {Kind::kAgentReply, t + 75 * kMinute},        // 45 minutes: missed
      {Kind::kCustomerMessage, t + 80 * kMinute},   // still waiting at "now"
  };
  auto r = EvaluateSla(policy, hours, events, t + 100 * kMinute);
  EXPECT_EQ(r.next_response_times, (std::vector<int64_t>{10 * kMinute, 45 * kMinute}));
  EXPECT_EQ(r.next_response_misses, 1);
  EXPECT_EQ(r.next_response.state, State::kRunning);
  EXPECT_EQ(r.next_response.due_ms, t + 110 * kMinute);
  EXPECT_FALSE(r.next_response.warning);  // 20 of 30 minutes: under 80 %
  EXPECT_TRUE(EvaluateSla(policy, hours, events, t + 105 * kMinute).next_response.warning);  // 25 of 30
}

TEST(Sla, ResolutionPausesWhileWaitingOnTheCustomerAndResumesOnReopen) {
  SlaPolicy policy{{0, 0, 4 * kHour}, 0.8};
  auto hours = OfficeHours();
  std::vector<ConversationEvent> events{
      {Kind::kCustomerMessage, Local(2026, 6, 1, 10, 0)},    // Monday
      {Kind::kAgentReply, Local(2026, 6, 1, 10, 30)},
      {Kind::kWaitingOnCustomer, Local(2026, 6, 1, 10, 30)},  // the clock stops: 30 min used
  };
  auto paused = EvaluateSla(policy, hours, events, Local(2026, 6, 2, 9, 55)).resolution;
  EXPECT_EQ(paused.state, State::kPaused);
  EXPECT_EQ(paused.used_ms, 30 * kMinute);
  events.push_back({Kind::kCustomerMessage, Local(2026, 6, 2, 10, 0)});  // Tuesday: resumes
  auto running = EvaluateSla(policy, hours, events, Local(2026, 6, 2, 10, 30)).resolution;
  EXPECT_EQ(running.state, State::kRunning);
  EXPECT_EQ(running.used_ms, 60 * kMinute);
  EXPECT_EQ(running.due_ms, Local(2026, 6, 2, 13, 30));
  events.push_back({Kind::kClosed, Local(2026, 6, 2, 11, 0)});
  auto closed = EvaluateSla(policy, hours, events, Local(2026, 6, 3, 9, 0)).resolution;
  EXPECT_EQ(closed.state, State::kMet);
  EXPECT_EQ(closed.used_ms, 90 * kMinute);
  // A new message reopens it; the clock goes on from 90 minutes and breaches at 4 hours.
  events.push_back({Kind::kCustomerMessage, Local(2026, 6, 3, 9, 0)});
  auto reopened = EvaluateSla(policy, hours, events, Local(2026, 6, 3, 12, 0)).resolution;
  EXPECT_EQ(reopened.state, State::kRunning);
  EXPECT_EQ(reopened.used_ms, 90 * kMinute + 3 * kHour);
  EXPECT_TRUE(reopened.breached);
  EXPECT_EQ(reopened.due_ms, Local(2026, 6, 3, 11, 30));
}

TEST(Sla, EventsAfterNowAndNoTargetsChangeNothing) {
  auto hours = BusinessHours::Always();
  const int64_t t = Utc(2026, 6, 1, 10, 0);
  std::vector<ConversationEvent> events{{Kind::kCustomerMessage, t}, {Kind::kAgentReply, t + kHour}};
  auto r = EvaluateSla({{kHour / 2, 0, 0}, 0.8}, hours, events, t + 10 * kMinute);
  EXPECT_EQ(r.first_response.state, State::kRunning);  // the reply has not happened yet at "now"
  auto none = EvaluateSla({}, hours, events, t + 2 * kHour);
  EXPECT_EQ(none.first_response.state, State::kNone);
  EXPECT_EQ(none.resolution.state, State::kNone);
  // An outbound first message (the brand wrote first) starts no clock.
  auto outbound = EvaluateSla({{kHour, kHour, kHour}, 0.8}, hours, {{Kind::kAgentReply, t}}, t + 3 * kHour);
  EXPECT_EQ(outbound.first_response.state, State::kNone);
  EXPECT_EQ(outbound.resolution.state, State::kNone);
}

}  // namespace
}  // namespace herald::listener
