#pragma once
// The statistics of A/B/n experiments, free of I/O: a two-proportion z-test
// with its confidence interval, the sample a test needs (power analysis),
// and the sample-ratio-mismatch check that catches a broken assignment
// before any result is believed. Checked against textbook values in
// tests/unit/experiment_stats_test.cpp.
#include <cstdint>
#include <optional>
#include <vector>

namespace herald::campaign {

// Standard normal CDF Φ(z), and its inverse (|error| < 1e-9 after one Newton step).
double NormalCdf(double z);
double NormalQuantile(double p);

// Regularized upper incomplete gamma Q(a, x), and the chi-square survival
// function P(X > x) for `df` degrees of freedom.
double UpperGammaQ(double a, double x);
double ChiSquareSurvival(double x, int df);

struct ZTest {
  double control_rate = 0, variant_rate = 0;
  double difference = 0;  // variant − control
  double z = 0;           // pooled standard error
  double p_value = 0;     // two-sided
  // Confidence interval of the difference (unpooled standard error).
  double ci_low = 0, ci_high = 0;
};
// Successes of trials in each arm; nullopt when an arm has no trials or the
// pooled rate is 0 or 1 (no variance: nothing to test).
std::optional<ZTest> TwoProportionZTest(int64_t control_successes, int64_t control_trials, int64_t variant_successes,
                                        int64_t variant_trials, double confidence = 0.95);

// Trials each arm needs to detect an absolute lift of `mde` over
// `baseline_rate` with a two-sided test at `alpha` and the given power
// (the normal-approximation formula); nullopt for impossible inputs.
std::optional<int64_t> SampleSizePerArm(double baseline_rate, double mde, double alpha = 0.05, double power = 0.8);

// The share of alpha an O'Brien-Fleming-type spending function (Lan-DeMets)
// allows to have been spent by information fraction t in (0, 1]:
// 2 − 2Φ(z_{1−α/2} / √t). Almost nothing early, all of alpha at t = 1.
double ObrienFlemingSpent(double alpha, double t);

struct SampleRatioCheck {
  double chi_square = 0;
  double p_value = 1;
  // p below the threshold: the split is not what was planned; results are not shown.
  bool mismatch = false;
};
// Observed assignments per arm against the planned weights (any positive
// scale). A mismatch is flagged at p < threshold (0.001 is the usual bar:
// with many experiments a looser one cries wolf).
std::optional<SampleRatioCheck> CheckSampleRatio(const std::vector<int64_t>& observed,
                                                 const std::vector<double>& planned_weights,
                                                 double threshold = 0.001);

}  // namespace herald::campaign
