// The verdict's rules: no winner before the pre-registered sample, none from
// a broken split, none without significance.
#include "campaign/experiments/experiment_verdict.h"

#include <gtest/gtest.h>

namespace herald::campaign {
namespace {

ExperimentPlan TenToTwelve() {
  ExperimentPlan plan;
  plan.baseline_rate = 0.10;
  plan.minimum_detectable_effect = 0.02;
  return plan;  // 3,841 per arm
}

TEST(ExperimentVerdict, NoWinnerIsDeclaredBeforeTheMinimumSampleHoweverLargeTheLead) {
  // Halfway through, B leads by 5 points — significant if one peeked
  // (p ≈ 2e-6), and still no winner.
  std::vector<ArmCounts> arms{{"A", 1, 2000, 200}, {"B", 1, 2000, 300}};
  ASSERT_LT(TwoProportionZTest(200, 2000, 300, 2000)->p_value, 1e-5);
  Verdict v = Judge(TenToTwelve(), arms);
  EXPECT_EQ(v.kind, VerdictKind::kCollecting) << v.reason;
  EXPECT_TRUE(v.winner.empty());
  EXPECT_TRUE(v.comparisons.empty());  // no result shown, so none to peek at
  EXPECT_EQ(v.needed_per_arm, 3841);
  // With the sample in, the same lead wins.
  arms = {{"A", 1, 3900, 390}, {"B", 1, 3900, 585}};
  v = Judge(TenToTwelve(), arms);
  EXPECT_EQ(v.kind, VerdictKind::kWinner) << v.reason;
  EXPECT_EQ(v.winner, "B");
}

TEST(ExperimentVerdict, ABrokenSplitWithholdsEveryResult) {
  std::vector<ArmCounts> arms{{"A", 1, 4000, 400}, {"B", 1, 5000, 650}};
  Verdict v = Judge(TenToTwelve(), arms);
  EXPECT_EQ(v.kind, VerdictKind::kSampleRatioMismatch) << v.reason;
  EXPECT_TRUE(v.comparisons.empty());
  EXPECT_TRUE(v.winner.empty());
}

TEST(ExperimentVerdict, WithoutSignificanceThereIsNoWinnerAndVariantsShareAlpha) {
  // 10.0% against 10.9% on 4,000 each: p ≈ 0.18.
  Verdict v = Judge(TenToTwelve(), {{"A", 1, 4000, 400}, {"B", 1, 4000, 436}});
  EXPECT_EQ(v.kind, VerdictKind::kNoSignificantDifference) << v.reason;
  ASSERT_EQ(v.comparisons.size(), 1u);
  EXPECT_FALSE(v.comparisons[0].significant);
  // A variant worse than the control is no winner either.
  v = Judge(TenToTwelve(), {{"A", 1, 4000, 480}, {"B", 1, 4000, 380}});
  EXPECT_EQ(v.kind, VerdictKind::kNoSignificantDifference);
  // p ≈ 0.03 wins against one variant (alpha 0.05) but not as one of three
  // (each tested at 0.05 / 3).
  std::vector<ArmCounts> two{{"A", 1, 4000, 400}, {"B", 1, 4000, 460}};
  ASSERT_LT(TwoProportionZTest(400, 4000, 460, 4000)->p_value, 0.05);
  ASSERT_GT(TwoProportionZTest(400, 4000, 460, 4000)->p_value, 0.05 / 3);
  EXPECT_EQ(Judge(TenToTwelve(), two).kind, VerdictKind::kWinner);
  std::vector<ArmCounts> four{{"A", 1, 4000, 400}, {"B", 1, 4000, 460}, {"C", 1, 4000, 405}, {"D", 1, 4000, 398}};
  EXPECT_EQ(Judge(TenToTwelve(), four).kind, VerdictKind::kNoSignificantDifference);
  EXPECT_EQ(Judge(TenToTwelve(), {{"A", 1, 4000, 400}}).kind, VerdictKind::kInvalidPlan);
}

}  // namespace
}  // namespace herald::campaign

// Sequential testing with O'Brien-Fleming alpha spending, and the split.
#include "campaign/experiments/assignment.h"

namespace herald::campaign {
namespace {

TEST(AlphaSpending, ObrienFlemingSpendsAlmostNothingEarlyAndAllAtTheEnd) {
  // Lan-DeMets O'Brien-Fleming at alpha 0.05 (two-sided): the textbook values.
  EXPECT_NEAR(ObrienFlemingSpent(0.05, 0.25), 0.0000889, 2e-6);
  EXPECT_NEAR(ObrienFlemingSpent(0.05, 0.5), 0.00557, 2e-5);
  EXPECT_NEAR(ObrienFlemingSpent(0.05, 0.75), 0.0236, 1e-4);
  EXPECT_DOUBLE_EQ(ObrienFlemingSpent(0.05, 1.0), 0.05);
  EXPECT_DOUBLE_EQ(ObrienFlemingSpent(0.05, 0.0), 0.0);
}

TEST(SequentialVerdict, AnEarlyLookNeedsAFarStrongerResult) {
  ExperimentPlan plan = TenToTwelve();  // 3,841 per arm
  plan.sequential = true;
  // A quarter in: B ahead 10% → 13% (p ≈ 0.04): significant to a peeker, not at this look.
  std::vector<ArmCounts> quarter{{"A", 1, 960, 96}, {"B", 1, 960, 125}};
  Verdict early = Judge(plan, quarter);
  EXPECT_EQ(early.kind, VerdictKind::kCollecting) << early.reason;
  EXPECT_NEAR(early.look_alpha, 0.0000889, 2e-6);
  ASSERT_EQ(early.comparisons.size(), 1u);  // sequential results are shown: they are valid at every look
  EXPECT_LT(early.comparisons[0].test.p_value, 0.05);
  EXPECT_FALSE(early.comparisons[0].significant);
  // Halfway, an overwhelming lead (p ≈ 2e-6) crosses the boundary: a winner early.
  std::vector<ArmCounts> half{{"A", 1, 2000, 200}, {"B", 1, 2000, 300}};
  Verdict stop = Judge(plan, half, early.after);
  EXPECT_EQ(stop.kind, VerdictKind::kWinner) << stop.reason;
  EXPECT_EQ(stop.winner, "B");
  // Looking again at the same information spends nothing and decides nothing.
  Verdict again = Judge(plan, quarter, early.after);
  EXPECT_EQ(again.kind, VerdictKind::kCollecting);
  EXPECT_DOUBLE_EQ(again.look_alpha, 0);
  // The whole budget over all looks never exceeds alpha.
  EXPECT_LE(stop.after.alpha_spent, plan.alpha);
}

TEST(SequentialVerdict, ABrokenSplitStillWithholdsEverything) {
  ExperimentPlan plan = TenToTwelve();
  plan.sequential = true;
  // The split counts posts published (units), not impressions.
  std::vector<ArmCounts> arms{{"A", 1, 5000, 500, 40}, {"B", 1, 5000, 800, 10}};
  EXPECT_EQ(Judge(plan, arms).kind, VerdictKind::kSampleRatioMismatch);
}

TEST(Assignment, EveryChannelGetsThePlannedSplitExactlyAndTheSameOnReplay) {
  const std::vector<double> weights{1, 1, 0.5};  // A, B and a holdout half their size
  auto cells = AssignCells(10, 3, weights, "exp_1");
  ASSERT_EQ(cells.size(), 30u);
  for (int channel = 0; channel < 3; ++channel) {
    std::vector<int> count(3);
    for (const auto& c : cells) {
      if (c.channel == channel) ++count[static_cast<size_t>(c.arm)];
    }
    EXPECT_EQ(count, (std::vector<int>{4, 4, 2})) << channel;  // 10 × 1/2.5, 1/2.5, 0.5/2.5
  }
  EXPECT_EQ(AssignArms(10, weights, 42), AssignArms(10, weights, 42));
  // Shuffled: not the arms in blocks, and channels differ from each other.
  EXPECT_NE(AssignArms(10, weights, 42), (std::vector<int>{0, 0, 0, 0, 1, 1, 1, 1, 2, 2}));
  EXPECT_NE(AssignArms(10, weights, 1), AssignArms(10, weights, 2));
  // Shares that do not divide: the leftovers go to the largest remainders.
  auto uneven = AssignArms(7, {1, 1}, 3);
  EXPECT_EQ(std::count(uneven.begin(), uneven.end(), 0), 4);
  EXPECT_EQ(std::count(uneven.begin(), uneven.end(), 1), 3);
}

}  // namespace
}  // namespace herald::campaign
