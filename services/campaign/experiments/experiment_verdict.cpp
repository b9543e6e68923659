#include "campaign/experiments/experiment_verdict.h"

#include <algorithm>

namespace herald::campaign {

Verdict Judge(const ExperimentPlan& plan, const std::vector<ArmCounts>& arms, const SequentialState& state) {
  Verdict v;
  auto needed = SampleSizePerArm(plan.baseline_rate, plan.minimum_detectable_effect, plan.alpha, plan.power);
  if (!needed || arms.size() < 2) {
    v.reason = arms.size() < 2 ? "an experiment needs a control and at least one variant"
                               : "baseline rate, effect, alpha and power do not make a testable plan";
    return v;
  }
  v.needed_per_arm = *needed;
  std::vector<int64_t> observed;
  std::vector<double> weights;
  for (const auto& a : arms) {
    observed.push_back(a.units >= 0 ? a.units : a.trials);
    weights.push_back(a.planned_weight);
  }
  v.sample_ratio = CheckSampleRatio(observed, weights, plan.srm_threshold);
  if (v.sample_ratio && v.sample_ratio->mismatch) {
    v.kind = VerdictKind::kSampleRatioMismatch;
    v.reason = "the arms' sizes do not match the planned split (p = " + std::to_string(v.sample_ratio->p_value) +
               "): the assignment is broken, results are withheld";
    return v;
  }
  int64_t smallest = arms[0].trials;
  std::string short_arm = arms[0].name;
  for (const auto& a : arms) {
    if (a.trials < smallest) {
      smallest = a.trials;
      short_arm = a.name;
    }
  }
  v.after = state;
  double look_alpha = plan.alpha;
  if (plan.sequential) {
    // Only the alpha released since the last look is spent now; a look with
    // no new information spends nothing.
    const double t = std::min(1.0, static_cast<double>(smallest) / static_cast<double>(*needed));
    const double spent = std::max(state.alpha_spent, ObrienFlemingSpent(plan.alpha, t));
    look_alpha = t > state.information ? spent - state.alpha_spent : 0;
    v.after = {std::max(t, state.information), spent};
  } else if (smallest < *needed) {
    v.kind = VerdictKind::kCollecting;
    v.reason = "arm " + short_arm + " has " + std::to_string(smallest) + " of the " + std::to_string(*needed) +
               " it needs";
    return v;
  }
  // Several variants against one control: each tested at alpha / k.
  const double alpha = look_alpha / static_cast<double>(arms.size() - 1);
  v.look_alpha = look_alpha;
  if (alpha <= 0) {
    v.kind = VerdictKind::kCollecting;
    v.reason = "no new information since the last look";
    return v;
  }
  const ArmCounts& control = arms[0];
  const Comparison* best = nullptr;
  for (size_t i = 1; i < arms.size(); ++i) {
    auto t = TwoProportionZTest(control.successes, control.trials, arms[i].successes, arms[i].trials, 1 - alpha);
    if (!t) continue;
    v.comparisons.push_back({arms[i].name, *t, t->p_value < alpha && t->difference > 0});
  }
  for (const auto& c : v.comparisons) {
    if (c.significant && (!best || c.test.difference > best->test.difference)) best = &c;
  }
  if (!best && plan.sequential && smallest < *needed) {
    v.kind = VerdictKind::kCollecting;
    v.reason = "nothing crossed this look's boundary (alpha " + std::to_string(alpha) + "); " + short_arm + " has " +
               std::to_string(smallest) + " of " + std::to_string(*needed);
    return v;
  }
  if (!best) {
    v.kind = VerdictKind::kNoSignificantDifference;
    v.reason = "no variant beat " + control.name + " at alpha " + std::to_string(alpha);
    return v;
  }
  v.kind = VerdictKind::kWinner;
  v.winner = best->arm;
  v.reason = best->arm + " beat " + control.name + " by " + std::to_string(best->test.difference) + " (p = " +
             std::to_string(best->test.p_value) + ")";
  return v;
}

}  // namespace herald::campaign
