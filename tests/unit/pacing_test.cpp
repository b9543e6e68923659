// Budget pacing in the campaign's own zone: a day is 24 hours, or 23/25 on a
// DST change; the plan by a moment is the daily budget times the share of
// that day gone; spend well past it (or past a budget) raises an alert.
#include "campaign/conversions/pacing.h"

#include <gtest/gtest.h>

#include "common/time_util.h"

namespace herald::campaign {
namespace {

constexpr int64_t kHour = 3600 * 1000;

absl::TimeZone Zone(const std::string& name) { return *LoadZone(name); }

int64_t At(const std::string& rfc3339) { return ParseRfc3339Ms(rfc3339); }

TEST(Pacing, AnOrdinaryDayIsTwentyFourLocalHours) {
  DayWindow d = LocalDayWindow({2026, 12, 1}, Zone("Europe/Berlin"));
  EXPECT_EQ(d.start_ms, At("2026-11-30T23:00:00Z"));
  EXPECT_EQ(d.end_ms, At("2026-12-01T23:00:00Z"));
  EXPECT_DOUBLE_EQ(d.hours(), 24.0);
}

TEST(Pacing, DstDaysAreTwentyThreeAndTwentyFiveHoursLong) {
  DayWindow spring = LocalDayWindow({2026, 3, 29}, Zone("Europe/Berlin"));
  EXPECT_EQ(spring.start_ms, At("2026-03-28T23:00:00Z"));
  EXPECT_EQ(spring.end_ms, At("2026-03-29T22:00:00Z"));
  EXPECT_DOUBLE_EQ(spring.hours(), 23.0);
  DayWindow autumn = LocalDayWindow({2026, 10, 25}, Zone("Europe/Berlin"));
  EXPECT_DOUBLE_EQ(autumn.hours(), 25.0);
  // Where a DST change skips midnight the day starts when the clocks jump.
  DayWindow santiago = LocalDayWindow({2026, 9, 6}, Zone("America/Santiago"));
  EXPECT_EQ(santiago.start_ms, At("2026-09-06T04:00:00Z"));  // 00:00 -04 never happens: 01:00 -03
  EXPECT_DOUBLE_EQ(santiago.hours(), 23.0);
}

TEST(Pacing, TheDayOfAMomentIsTheCampaignsLocalDay) {
  // 23:30 UTC on Nov 30 is already Dec 1 in Berlin, still Nov 30 in New York.
  EXPECT_EQ(LocalDayOf(At("2026-11-30T23:30:00Z"), Zone("Europe/Berlin")), "2026-12-01");
  EXPECT_EQ(LocalDayOf(At("2026-11-30T23:30:00Z"), Zone("America/New_York")), "2026-11-30");
  v1::Campaign none;
  EXPECT_EQ(LocalDayOf(At("2026-11-30T23:30:00Z"), CampaignZone(none)), "2026-11-30");
}

TEST(Pacing, ThePlanIsTheShareOfTheDayGone) {
  DayWindow d = LocalDayWindow({2026, 12, 1}, Zone("Europe/Berlin"));
  PaceInput in{.daily_budget_micros = 240'000'000, .day_spend_micros = 60'000'000, .day = d,
               .now_ms = d.start_ms + 6 * kHour};
  Pace p = JudgePace(in);
  EXPECT_DOUBLE_EQ(p.elapsed, 0.25);
  EXPECT_EQ(p.planned_micros, 60'000'000);
  EXPECT_EQ(p.state, v1::PACING_STATE_ON_PACE);
  EXPECT_TRUE(p.alerts.empty());
}

TEST(Pacing, OnTheShortDstDayEachHourIsAlargerShare) {
  // 23 hours: by 11.5 hours in, half the budget is planned (not 11.5/24).
  DayWindow spring = LocalDayWindow({2026, 3, 29}, Zone("Europe/Berlin"));
  PaceInput in{.daily_budget_micros = 230'000'000, .day_spend_micros = 140'000'000, .day = spring,
               .now_ms = spring.start_ms + 23 * kHour / 2};
  Pace p = JudgePace(in);
  EXPECT_EQ(p.planned_micros, 115'000'000);
  // 140 > 115 + 23 (10 %): ahead. On a 24-hour reading the plan would be 110.2.
  EXPECT_EQ(p.state, v1::PACING_STATE_AHEAD_OF_PACE);
  ASSERT_EQ(p.alerts.size(), 1u);
  EXPECT_EQ(p.alerts[0], "ahead_of_pace");
  in.day_spend_micros = 138'000'000;  // exactly at plan + tolerance: not ahead
  EXPECT_EQ(JudgePace(in).state, v1::PACING_STATE_ON_PACE);
}

TEST(Pacing, TheLongDstDayPlansOverTwentyFiveHours) {
  DayWindow autumn = LocalDayWindow({2026, 10, 25}, Zone("Europe/Berlin"));
  PaceInput in{.daily_budget_micros = 250'000'000, .day_spend_micros = 10'000'000, .day = autumn,
               .now_ms = autumn.start_ms + 24 * kHour};
  Pace p = JudgePace(in);
  EXPECT_EQ(p.planned_micros, 240'000'000);  // 24 of 25 hours, not the whole budget
  EXPECT_LT(p.elapsed, 1.0);
}

TEST(Pacing, ADayBoundaryStartsAFreshPlan) {
  // Spend judged for Dec 1 at 00:10 Dec 2 local is a finished day: all planned.
  DayWindow dec1 = LocalDayWindow({2026, 12, 1}, Zone("Europe/Berlin"));
  DayWindow dec2 = LocalDayWindow({2026, 12, 2}, Zone("Europe/Berlin"));
  EXPECT_EQ(dec1.end_ms, dec2.start_ms);
  int64_t now = dec2.start_ms + 10 * 60 * 1000;
  Pace finished = JudgePace({.daily_budget_micros = 100'000'000, .day_spend_micros = 100'000'000, .day = dec1, .now_ms = now});
  EXPECT_EQ(finished.planned_micros, 100'000'000);
  EXPECT_EQ(finished.state, v1::PACING_STATE_ON_PACE);
  // The same spend ten minutes into Dec 2 is far ahead of that day's plan.
  Pace fresh = JudgePace({.daily_budget_micros = 100'000'000, .day_spend_micros = 50'000'000, .day = dec2, .now_ms = now});
  EXPECT_LT(fresh.planned_micros, 1'000'000);
  EXPECT_EQ(fresh.state, v1::PACING_STATE_AHEAD_OF_PACE);
  // And the first minutes of a day raise nothing for a little spend.
  Pace early = JudgePace({.daily_budget_micros = 100'000'000, .day_spend_micros = 5'000'000, .day = dec2, .now_ms = now});
  EXPECT_EQ(early.state, v1::PACING_STATE_ON_PACE);
}

TEST(Pacing, BudgetsExceededOutrankPace) {
  DayWindow d = LocalDayWindow({2026, 12, 1}, Zone("UTC"));
  Pace daily = JudgePace({.daily_budget_micros = 100, .day_spend_micros = 101, .day = d, .now_ms = d.start_ms + kHour});
  EXPECT_EQ(daily.state, v1::PACING_STATE_DAILY_EXCEEDED);
  EXPECT_EQ(daily.alerts, std::vector<std::string>{"daily_exceeded"});
  Pace total = JudgePace({.daily_budget_micros = 100,
                          .day_spend_micros = 101,
                          .total_budget_micros = 1000,
                          .total_spend_micros = 1001,
                          .day = d,
                          .now_ms = d.end_ms});
  EXPECT_EQ(total.state, v1::PACING_STATE_TOTAL_EXCEEDED);
  EXPECT_EQ(total.alerts, (std::vector<std::string>{"total_exceeded", "daily_exceeded"}));
  Pace none = JudgePace({.day_spend_micros = 5, .day = d, .now_ms = d.start_ms});
  EXPECT_EQ(none.state, v1::PACING_STATE_NO_BUDGET);
  EXPECT_TRUE(none.alerts.empty());
}

v1::Campaign Berlin() {
  v1::Campaign c;
  c.set_time_zone("Europe/Berlin");
  c.set_start_date("2026-11-20");
  c.set_end_date("2026-12-20");
  c.mutable_budget()->set_currency("EUR");
  c.mutable_budget()->set_micros(1'000'000'000);
  c.add_channel_ids("ch_fb");
  return c;
}

TEST(Pacing, SpendEntriesAreCheckedFieldByField) {
  v1::RecordSpendRequest req;
  auto* e = req.add_entries();
  e->set_campaign_id("bad id");
  e->set_channel_id("");
  e->set_day("2026-13-01");
  e->set_amount_micros(-1);
  e->set_currency("eur");
  FieldErrors errors = ValidateRecordSpend(req);
  std::string m = errors.Message();
  for (const char* field : {"entries[0].campaign_id", "entries[0].channel_id", "entries[0].day",
                            "entries[0].amount_micros", "entries[0].currency"}) {
    EXPECT_NE(m.find(field), std::string::npos) << field << " in " << m;
  }
  v1::RecordSpendRequest many;
  for (int i = 0; i < kMaxSpendPerCall + 1; ++i) many.add_entries();
  EXPECT_NE(ValidateRecordSpend(many).Message().find("at most 500"), std::string::npos);
  EXPECT_NE(ValidateRecordSpend({}).Message().find("entries"), std::string::npos);
}

TEST(Pacing, SpendMustFitItsCampaign) {
  const int64_t now = At("2026-11-30T23:30:00Z");  // Dec 1 in Berlin
  v1::SpendInput ok;
  ok.set_campaign_id("c1");
  ok.set_channel_id("ch_fb");
  ok.set_day("2026-12-01");
  ok.set_amount_micros(5);
  ok.set_currency("EUR");
  FieldErrors none;
  CheckSpend(ok, Berlin(), now, "e", none);
  EXPECT_TRUE(none.ok()) << none.Message();

  auto expect = [&](v1::SpendInput in, const std::string& field) {
    FieldErrors errors;
    CheckSpend(in, Berlin(), now, "e", errors);
    EXPECT_NE(errors.Message().find(field), std::string::npos) << errors.Message();
  };
  v1::SpendInput usd = ok;
  usd.set_currency("USD");
  expect(usd, "e.currency");
  v1::SpendInput other = ok;
  other.set_channel_id("ch_x");
  expect(other, "e.channel_id");
  v1::SpendInput tomorrow = ok;
  tomorrow.set_day("2026-12-02");
  expect(tomorrow, "future");
  v1::SpendInput before = ok;
  before.set_day("2026-11-19");
  expect(before, "before the campaign's flight");
}

}  // namespace
}  // namespace herald::campaign
