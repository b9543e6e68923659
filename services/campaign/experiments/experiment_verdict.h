#pragma once
// When an experiment may name a winner, free of I/O. In this order: the
// assignment must match the plan (sample-ratio check), every arm must have
// the pre-registered minimum sample (no peeking), and a variant must beat the
// control significantly on the primary metric (Bonferroni-corrected for
// several variants). Until then there is no winner, whatever the rates say.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "campaign/experiments/experiment_stats.h"

namespace herald::campaign {

struct ExperimentPlan {
  // The primary metric's expected rate for the control, and the smallest
  // absolute lift worth detecting: together they fix the minimum sample.
  double baseline_rate = 0;
  double minimum_detectable_effect = 0;
  double alpha = 0.05;
  double power = 0.8;
  // Below this p the split is broken.
  double srm_threshold = 0.001;
};

struct ArmCounts {
  std::string name;
  double planned_weight = 1;
  int64_t trials = 0;     // e.g. impressions, clicks or sessions: the metric's denominator
  int64_t successes = 0;  // engagements, clicks, conversions
};

enum class VerdictKind {
  kInvalidPlan,              // the plan cannot be tested (rates, effect, arms)
  kSampleRatioMismatch,      // assignment broken: no result is shown
  kCollecting,               // below the minimum sample: no result is shown
  kNoSignificantDifference,  // enough sample, nothing beat the control
  kWinner,
};

struct Comparison {
  std::string arm;
  ZTest test;
  bool significant = false;
};

struct Verdict {
  VerdictKind kind = VerdictKind::kInvalidPlan;
  std::string winner;  // with kWinner: the best significant variant
  int64_t needed_per_arm = 0;
  std::optional<SampleRatioCheck> sample_ratio;
  // Each variant against the control (arms[0]); only once the sample is in.
  std::vector<Comparison> comparisons;
  std::string reason;
};

// arms[0] is the control (or holdout); the rest are variants.
Verdict Judge(const ExperimentPlan& plan, const std::vector<ArmCounts>& arms);

}  // namespace herald::campaign
