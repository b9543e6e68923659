// Spike alerts: a step fires once, noise does not, small numbers never do.
// Seeded noise; no clock (buckets are numbered). No I/O.
#include <gtest/gtest.h>

#include <random>

#include "listener/alerts/spike_detector.h"

namespace herald::listener {
namespace {

TEST(SpikeDetector, AStepFiresOnceNotOncePerBucket) {
  SpikeDetector detector;
  SpikeState state;
  std::mt19937 rng(7);
  std::poisson_distribution<int> quiet(8), loud(60);
  std::vector<Spike> fired;
  int64_t bucket = 1000;
  for (int i = 0; i < 50; ++i, ++bucket) {
    if (auto s = detector.Close(state, bucket, quiet(rng))) fired.push_back(*s);
  }
  EXPECT_TRUE(fired.empty()) << "fired on the quiet stretch at " << fired.front().bucket;
  const int64_t step = bucket;
  for (int i = 0; i < 10; ++i, ++bucket) {  // under the adaptation time: one spike
    if (auto s = detector.Close(state, bucket, loud(rng))) fired.push_back(*s);
  }
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].bucket, step);
  EXPECT_GE(fired[0].z, detector.policy().z);
  EXPECT_NEAR(fired[0].baseline, 8, 3);
  // Back to quiet, then the same step again: a new spike.
  for (int i = 0; i < 30; ++i, ++bucket) {
    if (auto s = detector.Close(state, bucket, quiet(rng))) fired.push_back(*s);
  }
  EXPECT_EQ(fired.size(), 1u);
  if (auto s = detector.Close(state, bucket, 60)) fired.push_back(*s);
  EXPECT_EQ(fired.size(), 2u);
}

TEST(SpikeDetector, NoiseDoesNotFire) {
  SpikeDetector detector;
  for (int mean : {5, 20, 200}) {
    SpikeState state;
    std::mt19937 rng(static_cast<unsigned>(mean));
    std::poisson_distribution<int> noise(mean);
    int fired = 0;
    for (int64_t b = 0; b < 2000; ++b) fired += detector.Close(state, b, noise(rng)).has_value();
    // Poisson noise passes 4 deviations of a noisy baseline rarely: at most 3 in 2,000 buckets (a week).
    EXPECT_LE(fired, 3) << "mean " << mean;
    RecordProperty("fired_at_mean_" + std::to_string(mean), fired);
  }
}

TEST(SpikeDetector, SmallNumbersWarmUpAndReplaysNeverFire) {
  SpikeDetector detector;
  SpikeState state;
  // From nothing to 3 mentions is a big z but below the minimum volume.
  for (int64_t b = 0; b < 20; ++b) EXPECT_FALSE(detector.Close(state, b, 0).has_value());
  EXPECT_FALSE(detector.Close(state, 20, 3).has_value());
  // Before the warm-up, nothing is judged.
  SpikeState fresh;
  EXPECT_FALSE(detector.Close(fresh, 0, 1).has_value());
  EXPECT_FALSE(detector.Close(fresh, 1, 500).has_value());
  // A bucket already judged (a replay after a restart) changes nothing.
  SpikeState s;
  for (int64_t b = 0; b < 20; ++b) detector.Close(s, b, 5);
  ASSERT_TRUE(detector.Close(s, 20, 80).has_value());
  SpikeState before = s;
  EXPECT_FALSE(detector.Close(s, 20, 80).has_value());
  EXPECT_FALSE(detector.Close(s, 19, 500).has_value());
  EXPECT_EQ(s.mean, before.mean);
  EXPECT_EQ(s.in_spike, before.in_spike);
}

TEST(SpikeDetector, ASustainedLevelBecomesTheBaselineAndARiseFromItFiresAgain) {
  SpikePolicy policy;
  SpikeDetector detector(policy);
  SpikeState state;
  int fired = 0;
  int64_t b = 0;
  for (; b < 20; ++b) fired += detector.Close(state, b, 10).has_value();
  for (int i = 0; i < 60; ++i, ++b) fired += detector.Close(state, b, 100).has_value();  // five hours at 100
  EXPECT_EQ(fired, 1);
  EXPECT_GT(state.mean, 60);  // learned the new level
  fired += detector.Close(state, b++, 400).has_value();
  EXPECT_EQ(fired, 2);
  // A silent gap ends a spike; the quiet buckets count as zeros.
  EXPECT_TRUE(state.in_spike);
  detector.Close(state, b + 10, 0);
  EXPECT_FALSE(state.in_spike);
}

}  // namespace
}  // namespace herald::listener
