// Recommendations from a campaign's figures: budget follows the better
// return only on enough evidence, a queue slot moves to a clearly better free
// hour, a winning experiment's losers are stopped — each with its numbers,
// an expected effect that follows from them, and an id that changes when
// its ground does.
#include <gtest/gtest.h>

#include "campaign/recommendations/recommendation_rules.h"
#include "common/time_util.h"

namespace herald::campaign {
namespace {

v1::Campaign Campaign() {
  v1::Campaign c;
  c.set_id("c_1");
  c.set_workspace_id("ws");
  c.set_version(3);
  c.mutable_daily_budget()->set_micros(100'000'000);
  c.mutable_daily_budget()->set_currency("EUR");
  return c;
}

ChannelResult Result(const std::string& id, double spend, double revenue, double sales) {
  return {id, static_cast<int64_t>(spend * 1e6), static_cast<int64_t>(revenue * 1e6), sales};
}

bool Mentions(const v1::Recommendation& r, const std::string& text) {
  for (const auto& why : r.reasons()) {
    if (why.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(ShiftBudget, AFifthOfTheWorseChannelsShareGoesToTheBetterOne) {
  std::vector<ChannelResult> channels{Result("ch_a", 100, 320, 12), Result("ch_b", 100, 40, 1)};
  auto r = ShiftBudget(Campaign(), channels, 28);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->kind(), v1::RECOMMENDATION_KIND_SHIFT_BUDGET);
  const auto& s = r->budget_shift();
  EXPECT_EQ(s.from_channel_id(), "ch_b");
  EXPECT_EQ(s.to_channel_id(), "ch_a");
  EXPECT_EQ(s.from_basis_points_before(), 5000);  // no split set: the spend's shares
  EXPECT_EQ(s.basis_points(), 1000);
  EXPECT_EQ(s.daily_micros(), 10'000'000);
  EXPECT_DOUBLE_EQ(s.to_roas(), 3.2);
  EXPECT_DOUBLE_EQ(s.from_roas(), 0.4);
  // 10 EUR a day moved from 0.40 to 3.20: +28 EUR; of the campaign's 1.80 a unit, +15.6 %.
  EXPECT_NEAR(r->expected_change(), 0.1 * 2.8 / 1.8, 1e-9);
  EXPECT_NE(r->expected_effect().find("+28.00 EUR revenue a day"), std::string::npos) << r->expected_effect();
  EXPECT_TRUE(Mentions(*r, "ROAS 3.20")) << r->DebugString();
  EXPECT_TRUE(Mentions(*r, "no budget_split"));
  EXPECT_EQ(r->id().size(), 28u);
  auto after = SplitAfter(Campaign(), channels, s);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].channel_id(), "ch_a");
  EXPECT_EQ(after[0].basis_points(), 6000);
  EXPECT_EQ(after[1].basis_points(), 4000);
}

TEST(ShiftBudget, ASetSplitIsTheOneMoved) {
  v1::Campaign c = Campaign();
  for (auto [id, bp] : {std::pair{"ch_a", 3000}, std::pair{"ch_b", 7000}}) {
    auto* share = c.add_budget_split();
    share->set_channel_id(id);
    share->set_basis_points(bp);
  }
  std::vector<ChannelResult> channels{Result("ch_a", 30, 120, 5), Result("ch_b", 70, 70, 4)};
  auto r = ShiftBudget(c, channels, 28);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->budget_shift().basis_points(), 1400);
  auto after = SplitAfter(c, channels, r->budget_shift());
  EXPECT_EQ(after[0].basis_points(), 4400);
  EXPECT_EQ(after[1].basis_points(), 5600);
}

TEST(ShiftBudget, NothingWithoutEnoughEvidenceOrDifference) {
  // The better channel has too few sales to follow.
  EXPECT_FALSE(ShiftBudget(Campaign(), {Result("a", 100, 320, 2), Result("b", 100, 40, 1)}, 28));
  // Returns too close (1.2x).
  EXPECT_FALSE(ShiftBudget(Campaign(), {Result("a", 100, 120, 10), Result("b", 100, 100, 10)}, 28));
  // One channel, or none spent on.
  EXPECT_FALSE(ShiftBudget(Campaign(), {Result("a", 100, 320, 12)}, 28));
  EXPECT_FALSE(ShiftBudget(Campaign(), {Result("a", 0, 0, 0), Result("b", 0, 0, 0)}, 28));
  // A channel under 5 % of the spend is not judged: its poor return is no ground.
  EXPECT_FALSE(ShiftBudget(Campaign(), {Result("a", 100, 320, 12), Result("b", 4, 0, 0)}, 28));
}

TEST(ShiftBudget, TheIdChangesWithTheCampaignAndTheFigures) {
  std::vector<ChannelResult> channels{Result("ch_a", 100, 320, 12), Result("ch_b", 100, 40, 1)};
  const std::string id = ShiftBudget(Campaign(), channels, 28)->id();
  EXPECT_EQ(ShiftBudget(Campaign(), channels, 28)->id(), id);  // the same ground: the same id
  v1::Campaign edited = Campaign();
  edited.set_version(4);
  EXPECT_NE(ShiftBudget(edited, channels, 28)->id(), id);
  channels[1].spend_micros = 150'000'000;  // the spend's shares moved
  EXPECT_NE(ShiftBudget(Campaign(), channels, 28)->id(), id);
}

QueueView Queue() {
  QueueView q;
  q.channel_id = "ch_x";
  q.time_zone = "Europe/Berlin";
  q.slots = {{2, 3, 15}, {3, 9, 0}};  // Tue 03:15, Wed 09:00
  q.scores.fill(1.0);
  q.scores[1 * 24 + 3] = 0.4;
  q.scores[3 * 24 + 10] = 1.8;  // Thu 10:00
  q.channel_posts = 40;
  return q;
}

TEST(MoveQueueSlot, ThePoorestSlotMovesToTheBestFreeHour) {
  auto r = MoveQueueSlot(Campaign(), Queue());
  ASSERT_TRUE(r.has_value());
  const auto& m = r->slot_move();
  EXPECT_EQ(m.from_day_of_week(), 2);
  EXPECT_EQ(m.from_hour(), 3);
  EXPECT_EQ(m.to_day_of_week(), 4);
  EXPECT_EQ(m.to_hour(), 10);
  EXPECT_EQ(m.minute(), 15);
  EXPECT_NEAR(r->expected_change(), 1.8 / 0.4 - 1, 1e-9);
  EXPECT_NE(r->title().find("Tue 03:15 to Thu 10:15"), std::string::npos) << r->title();
  auto after = SlotsAfter(Queue().slots, m);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ((*after)[0].day_of_week, 4);
  EXPECT_EQ((*after)[0].hour, 10);
  EXPECT_EQ((*after)[1].day_of_week, 3);
  // The queue changed since: the slot is gone, or the hour taken.
  EXPECT_FALSE(SlotsAfter({{3, 9, 0}}, m).has_value());
  EXPECT_FALSE(SlotsAfter({{2, 3, 15}, {4, 10, 0}}, m).has_value());
}

TEST(MoveQueueSlot, NothingOnLittleHistoryOrASmallGain) {
  QueueView few = Queue();
  few.channel_posts = 19;
  EXPECT_FALSE(MoveQueueSlot(Campaign(), few));
  QueueView close = Queue();
  close.scores[3 * 24 + 10] = 1.0;
  close.scores[1 * 24 + 3] = 0.9;  // the best free hour does only 1.11x as well
  EXPECT_FALSE(MoveQueueSlot(Campaign(), close));
  QueueView empty = Queue();
  empty.slots.clear();
  EXPECT_FALSE(MoveQueueSlot(Campaign(), empty));
}

v1::Experiment Running(const std::string& verdict) {
  v1::Experiment e;
  e.set_id("exp_1");
  e.set_name("headline");
  e.set_status("running");
  e.set_metric(v1::EXPERIMENT_METRIC_CONVERSION_RATE);
  for (const char* name : {"A", "B"}) e.add_variants()->set_name(name);
  auto* r = e.mutable_result();
  r->set_verdict(verdict);
  r->set_winner(verdict == "winner" ? "B" : "");
  r->set_needed_per_arm(1000);
  r->set_sample_ratio_p_value(0.61);
  auto* a = r->add_variants();
  a->set_variant("A");
  a->set_exposures(1000);
  a->set_successes(30);
  a->set_rate(0.03);
  auto* b = r->add_variants();
  b->set_variant("B");
  b->set_exposures(1000);
  b->set_successes(61);
  b->set_rate(0.061);
  b->set_lift(0.031);
  b->set_p_value(0.004);
  b->set_significant(true);
  const int64_t now = 1'800'000'000'000;
  for (int i = 0; i < 6; ++i) {
    auto* cell = e.add_cells();
    cell->set_arm(i % 2 ? "B" : "A");
    cell->set_post_id("p" + std::to_string(i));
    *cell->mutable_slot() = FromMs(now + (i - 2) * 3600 * 1000);  // cells 0 and 1 gone out
  }
  return e;
}

TEST(PauseLosingVariants, AWinnerStopsTheLosersPostsStillToGo) {
  v1::Campaign c = Campaign();
  c.set_allow_cancel_losers(true);
  auto r = PauseLosingVariants(c, Running("winner"), 1'800'000'000'000);
  ASSERT_TRUE(r.has_value());
  const auto& p = r->variant_pause();
  EXPECT_EQ(p.winner(), "B");
  ASSERT_EQ(p.losers_size(), 1);
  EXPECT_EQ(p.losers(0), "A");
  EXPECT_EQ(p.pending_posts(), 1);  // A's cells 2 and 4: cell 2 is now, cell 4 later
  EXPECT_TRUE(p.cancels_posts());
  EXPECT_NEAR(r->expected_change(), 0.061 / 0.03 - 1, 1e-9);
  EXPECT_TRUE(Mentions(*r, "p = 0.0040"));
  EXPECT_TRUE(Mentions(*r, "sample-ratio p = 0.61"));
  EXPECT_TRUE(Mentions(*r, "cancels the 1 losing posts"));
  c.set_allow_cancel_losers(false);
  EXPECT_TRUE(Mentions(*PauseLosingVariants(c, Running("winner"), 1'800'000'000'000), "does not allow cancelling"));
}

TEST(PauseLosingVariants, NothingBeforeAWinner) {
  EXPECT_FALSE(PauseLosingVariants(Campaign(), Running("collecting"), 0));
  EXPECT_FALSE(PauseLosingVariants(Campaign(), Running("sample_ratio_mismatch"), 0));
  v1::Experiment done = Running("winner");
  done.set_status("concluded");
  EXPECT_FALSE(PauseLosingVariants(Campaign(), done, 0));
}

}  // namespace
}  // namespace herald::campaign
