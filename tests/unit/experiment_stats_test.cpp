// Experiment statistics against textbook values: normal and chi-square
// tables, a worked two-proportion z-test, the usual sample-size formula
// (10% → 12%, α = 0.05 two-sided, 80% power: 3,841 per arm), and
// sample-ratio-mismatch checks.
#include "campaign/experiments/experiment_stats.h"

#include <gtest/gtest.h>

#include <cmath>

namespace herald::campaign {
namespace {

TEST(ExperimentStats, NormalTableValues) {
  EXPECT_NEAR(NormalCdf(0), 0.5, 1e-12);
  EXPECT_NEAR(NormalCdf(1.96), 0.9750021048517795, 1e-12);
  EXPECT_NEAR(NormalCdf(-1.644853627), 0.05, 1e-9);
  EXPECT_NEAR(NormalQuantile(0.975), 1.959963984540054, 1e-9);
  EXPECT_NEAR(NormalQuantile(0.8), 0.8416212335729143, 1e-9);
  EXPECT_NEAR(NormalQuantile(0.001), -3.090232306167813, 1e-9);
  EXPECT_TRUE(std::isnan(NormalQuantile(0)));
}

TEST(ExperimentStats, ChiSquareTableValues) {
  // The 5% critical values of the chi-square table.
  EXPECT_NEAR(ChiSquareSurvival(3.841458820694124, 1), 0.05, 1e-9);
  EXPECT_NEAR(ChiSquareSurvival(5.991464547107979, 2), 0.05, 1e-9);
  EXPECT_NEAR(ChiSquareSurvival(18.307038053275146, 10), 0.05, 1e-9);
  // And the 0.1% one for 1 degree of freedom.
  EXPECT_NEAR(ChiSquareSurvival(10.827566170662733, 1), 0.001, 1e-9);
  EXPECT_NEAR(ChiSquareSurvival(0, 3), 1.0, 1e-12);
}

TEST(ExperimentStats, TwoProportionZTestWorkedExample) {
  // 200 of 1,000 against 250 of 1,000.
  auto t = TwoProportionZTest(200, 1000, 250, 1000);
  ASSERT_TRUE(t.has_value());
  EXPECT_NEAR(t->difference, 0.05, 1e-12);
  EXPECT_NEAR(t->z, 2.6773977630083294, 1e-9);
  EXPECT_NEAR(t->p_value, 0.007419649261025679, 1e-9);
  EXPECT_NEAR(t->ci_low, 0.013463621678965837, 1e-9);
  EXPECT_NEAR(t->ci_high, 0.08653637832103417, 1e-9);
  // No difference: z 0, p 1, an interval around 0.
  auto same = TwoProportionZTest(100, 1000, 100, 1000);
  EXPECT_NEAR(same->z, 0, 1e-12);
  EXPECT_NEAR(same->p_value, 1, 1e-12);
  EXPECT_LT(same->ci_low, 0);
  EXPECT_GT(same->ci_high, 0);
  // Nothing to test.
  EXPECT_FALSE(TwoProportionZTest(0, 1000, 0, 1000).has_value());
  EXPECT_FALSE(TwoProportionZTest(5, 0, 5, 10).has_value());
  EXPECT_FALSE(TwoProportionZTest(11, 10, 5, 10).has_value());
}

TEST(ExperimentStats, SampleSizeFromThePowerCalculation) {
  EXPECT_EQ(SampleSizePerArm(0.10, 0.02), 3841);
  // A smaller effect needs more: a quarter of the effect, about sixteen times the sample.
  auto small = SampleSizePerArm(0.10, 0.005);
  ASSERT_TRUE(small.has_value());
  EXPECT_GT(*small, 15 * 3841);
  EXPECT_LT(*small, 17 * 3841);
  // More power or a stricter alpha costs samples.
  EXPECT_GT(*SampleSizePerArm(0.10, 0.02, 0.05, 0.9), 3841);
  EXPECT_GT(*SampleSizePerArm(0.10, 0.02, 0.01, 0.8), 3841);
  EXPECT_FALSE(SampleSizePerArm(0.10, 0).has_value());
  EXPECT_FALSE(SampleSizePerArm(0.99, 0.02).has_value());
}

TEST(ExperimentStats, SampleRatioMismatchIsFlaggedBeforeAnyResult) {
  // 5,000 against 5,200 on a planned 50/50: chi-square 3.92, p 0.048 —
  // suspicious, but not past the 0.001 bar.
  auto near = CheckSampleRatio({5000, 5200}, {1, 1});
  ASSERT_TRUE(near.has_value());
  EXPECT_NEAR(near->chi_square, 3.9215686274509802, 1e-9);
  EXPECT_NEAR(near->p_value, 0.0476703814345209, 1e-9);
  EXPECT_FALSE(near->mismatch);
  // 5,000 against 5,500: broken.
  EXPECT_TRUE(CheckSampleRatio({5000, 5500}, {1, 1})->mismatch);
  // A planned 90/10 split observed as planned, three arms with a holdout.
  EXPECT_FALSE(CheckSampleRatio({9010, 990}, {0.9, 0.1})->mismatch);
  auto three = CheckSampleRatio({1000, 1000, 1100}, {1, 1, 1});
  EXPECT_NEAR(three->p_value, std::exp(-three->chi_square / 2), 1e-12);  // 2 degrees of freedom
  EXPECT_FALSE(CheckSampleRatio({10}, {1}).has_value());
  EXPECT_FALSE(CheckSampleRatio({10, 10}, {1, 0}).has_value());
}

}  // namespace
}  // namespace herald::campaign

