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
