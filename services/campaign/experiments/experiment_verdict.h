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
  // Sequential: the caller may look before the minimum sample. Each look
  // tests at the alpha the O'Brien-Fleming spending function releases
  // between the previous look's information fraction and this one's
  // (information: the smallest arm's share of the minimum sample).
  bool sequential = false;
};

struct ArmCounts {
  std::string name;
  double planned_weight = 1;
  int64_t trials = 0;     // e.g. impressions, clicks or sessions: the metric's denominator
  int64_t successes = 0;  // engagements, clicks, conversions
  // What the split assigned and the sample-ratio check counts (posts
  // published, say); -1: the trials.
  int64_t units = -1;
};

// Where a sequential experiment stands between looks.
struct SequentialState {
  double information = 0;   // fraction at the previous look
  double alpha_spent = 0;   // alpha spent by the previous looks
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
  // Sequential: the alpha this look tested at, and the state after it.
  double look_alpha = 0;
  SequentialState after;
};

// arms[0] is the control (or holdout); the rest are variants. `state`:
// the previous looks of a sequential plan (ignored otherwise).
Verdict Judge(const ExperimentPlan& plan, const std::vector<ArmCounts>& arms, const SequentialState& state = {});

}  // namespace herald::campaign
