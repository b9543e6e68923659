#include "campaign/experiments/experiment_rules.h"

#include <algorithm>
#include <set>

#include "campaign/experiments/assignment.h"
#include "common/ids.h"
#include "common/time_util.h"

namespace herald::campaign {
namespace {

bool IsVariantName(const std::string& n) {
  return !n.empty() && n.size() <= 16 &&
         std::all_of(n.begin(), n.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; });
}

std::string MetricName(v1::ExperimentMetric m) {
  switch (m) {
    case v1::EXPERIMENT_METRIC_ENGAGEMENT_RATE: return "engagement_rate";
    case v1::EXPERIMENT_METRIC_CTR: return "ctr";
    case v1::EXPERIMENT_METRIC_CONVERSION_RATE: return "conversion_rate";
    default: return "";
  }
}

std::string VerdictName(VerdictKind k) {
  switch (k) {
    case VerdictKind::kInvalidPlan: return "invalid_plan";
    case VerdictKind::kSampleRatioMismatch: return "sample_ratio_mismatch";
    case VerdictKind::kCollecting: return "collecting";
    case VerdictKind::kNoSignificantDifference: return "no_difference";
    case VerdictKind::kWinner: return "winner";
  }
  return "";
}

}  // namespace

FieldErrors ValidateCreateExperiment(const v1::CreateExperimentRequest& r, int64_t now_ms) {
  FieldErrors errors;
  constexpr const char* kIdRule = "required, 1-64 of [A-Za-z0-9_-]";
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(r.campaign_id())) errors.Add("campaign_id", kIdRule);
  if (r.name().empty() || r.name().size() > 200) errors.Add("name", "1-200 bytes");
  if (!r.request_id().empty() && !IsValidId(r.request_id())) errors.Add("request_id", "1-64 of [A-Za-z0-9_-]");
  if (r.variants_size() < 2 || r.variants_size() > kMaxVariants) errors.Add("variants", "2-5 (the first is the control)");
  std::set<std::string> names;
  for (int i = 0; i < r.variants_size() && i < kMaxVariants; ++i) {
    const auto& v = r.variants(i);
    const std::string at = "variants[" + std::to_string(i) + "]";
    if (!IsVariantName(v.name()) || v.name() == kHoldout) {
      errors.Add(at + ".name", "1-16 of [A-Za-z0-9_-], not \"holdout\"");
    } else if (!names.insert(v.name()).second) {
      errors.Add(at + ".name", "named twice");
    }
    if (v.text().empty() || v.text().size() > 5000) errors.Add(at + ".text", "1-5000 bytes");
    if (!v.link().empty() && (v.link().size() > 2048 || (v.link().rfind("https://", 0) != 0 && v.link().rfind("http://", 0) != 0))) {
      errors.Add(at + ".link", "an http(s) URL of at most 2,048 bytes");
    }
    if (v.weight() < 0 || v.weight() > 100) errors.Add(at + ".weight", "0-100 (0: 1)");
  }
  if (r.holdout_weight() < 0 || r.holdout_weight() > 100) errors.Add("holdout_weight", "0-100");
  if (r.slots_size() < 1 || r.slots_size() > kMaxSlots) errors.Add("slots", "1-50 times");
  for (int i = 0; i < r.slots_size() && i < kMaxSlots; ++i) {
    if (!ValidTimestamp(r.slots(i)) || ToMs(r.slots(i)) <= now_ms) {
      errors.Add("slots[" + std::to_string(i) + "]", "a time in the future");
    }
  }
  if (r.channel_ids_size() < 1 || r.channel_ids_size() > kMaxExperimentChannels) errors.Add("channel_ids", "1-10");
  std::set<std::string> channels;
  for (int i = 0; i < r.channel_ids_size() && i < kMaxExperimentChannels; ++i) {
    if (!IsValidId(r.channel_ids(i))) {
      errors.Add("channel_ids[" + std::to_string(i) + "]", kIdRule);
    } else if (!channels.insert(r.channel_ids(i)).second) {
      errors.Add("channel_ids[" + std::to_string(i) + "]", "named twice");
    }
  }
  if (r.slots_size() * r.channel_ids_size() > kMaxCells) errors.Add("slots", "slots × channels is at most 200 cells");
  if (MetricName(r.metric()).empty()) errors.Add("metric", "ENGAGEMENT_RATE, CTR or CONVERSION_RATE");
  if (!(r.baseline_rate() > 0 && r.baseline_rate() < 1)) errors.Add("baseline_rate", "the control's expected rate, in (0, 1)");
  if (!(r.minimum_detectable_effect() > 0 && r.baseline_rate() + r.minimum_detectable_effect() < 1)) {
    errors.Add("minimum_detectable_effect", "an absolute lift > 0 that keeps the rate below 1");
  }
  if (r.alpha() != 0 && !(r.alpha() > 0 && r.alpha() <= 0.2)) errors.Add("alpha", "(0, 0.2] (0: 0.05)");
  if (r.power() != 0 && !(r.power() >= 0.5 && r.power() <= 0.99)) errors.Add("power", "[0.5, 0.99] (0: 0.8)");
  return errors;
}

v1::Experiment PlanExperiment(const v1::CreateExperimentRequest& r, const std::string& id, int64_t now_ms) {
  v1::Experiment e;
  e.set_id(id);
  e.set_workspace_id(r.workspace_id());
  e.set_campaign_id(r.campaign_id());
  e.set_name(r.name());
  std::vector<double> weights;
  for (const auto& v : r.variants()) {
    auto* out = e.add_variants();
    *out = v;
    if (out->weight() == 0) out->set_weight(1);
    weights.push_back(out->weight());
  }
  e.set_holdout_weight(r.holdout_weight());
  if (r.holdout_weight() > 0) weights.push_back(r.holdout_weight());
  e.set_metric(r.metric());
  e.set_baseline_rate(r.baseline_rate());
  e.set_minimum_detectable_effect(r.minimum_detectable_effect());
  e.set_alpha(r.alpha() == 0 ? 0.05 : r.alpha());
  e.set_power(r.power() == 0 ? 0.8 : r.power());
  e.set_sequential(r.sequential());
  // Slots in time order: the cell list reads like the calendar.
  std::vector<int64_t> slots;
  for (const auto& s : r.slots()) slots.push_back(ToMs(s));
  std::sort(slots.begin(), slots.end());
  for (const auto& c : AssignCells(static_cast<int>(slots.size()), r.channel_ids_size(), weights, id)) {
    auto* cell = e.add_cells();
    *cell->mutable_slot() = FromMs(slots[static_cast<size_t>(c.slot)]);
    cell->set_channel_id(r.channel_ids(c.channel));
    cell->set_arm(c.arm < r.variants_size() ? r.variants(c.arm).name() : kHoldout);
  }
  e.set_status("scheduling");
  *e.mutable_create_time() = FromMs(now_ms);
  return e;
}

std::string CellRequestId(const v1::Experiment& e, int cell) { return e.id() + "-c" + std::to_string(cell); }

Verdict JudgeExperiment(const v1::Experiment& e, const std::map<std::string, VariantCounts>& counts,
                        const SequentialState& state, v1::ExperimentResult* result) {
  ExperimentPlan plan;
  plan.baseline_rate = e.baseline_rate();
  plan.minimum_detectable_effect = e.minimum_detectable_effect();
  plan.alpha = e.alpha();
  plan.power = e.power();
  plan.sequential = e.sequential();
  std::vector<ArmCounts> arms;
  for (const auto& v : e.variants()) {
    auto it = counts.find(v.name());
    VariantCounts c = it == counts.end() ? VariantCounts{} : it->second;
    ArmCounts a{v.name(), v.weight(), 0, 0, c.published};
    switch (e.metric()) {
      case v1::EXPERIMENT_METRIC_ENGAGEMENT_RATE: a.trials = c.impressions, a.successes = c.engagements; break;
      case v1::EXPERIMENT_METRIC_CTR: a.trials = c.impressions, a.successes = c.clicks; break;
      default: a.trials = c.clicks, a.successes = c.sales; break;
    }
    a.successes = std::min(a.successes, a.trials);  // a rate is at most 1 (a click can be credited later)
    arms.push_back(a);
  }
  Verdict v = Judge(plan, arms, state);
  result->Clear();
  result->set_verdict(VerdictName(v.kind));
  result->set_reason(v.reason);
  result->set_winner(v.winner);
  result->set_needed_per_arm(v.needed_per_arm);
  result->set_sample_ratio_p_value(v.sample_ratio ? v.sample_ratio->p_value : 1);
  result->set_look_alpha(v.look_alpha);
  for (size_t i = 0; i < arms.size(); ++i) {
    auto* o = result->add_variants();
    o->set_variant(arms[i].name);
    o->set_exposures(arms[i].trials);
    o->set_successes(arms[i].successes);
    o->set_rate(arms[i].trials > 0 ? static_cast<double>(arms[i].successes) / static_cast<double>(arms[i].trials) : 0);
    for (const auto& c : v.comparisons) {
      if (c.arm != arms[i].name) continue;
      o->set_lift(c.test.difference);
      o->set_ci_low(c.test.ci_low);
      o->set_ci_high(c.test.ci_high);
      o->set_p_value(c.test.p_value);
      o->set_significant(c.significant);
    }
  }
  return v;
}

bool IsFinal(const v1::ExperimentResult& r) {
  return r.verdict() == "winner" || r.verdict() == "no_difference" || r.verdict() == "sample_ratio_mismatch";
}

herald::events::v1::ExperimentConcluded ConcludedEvent(const v1::Experiment& e) {
  herald::events::v1::ExperimentConcluded out;
  out.set_experiment_id(e.id());
  out.set_name(e.name());
  out.set_metric(MetricName(e.metric()));
  out.set_outcome(e.result().verdict());
  out.set_winner(e.result().winner());
  *out.mutable_variants() = e.result().variants();
  *out.mutable_cancelled_post_ids() = e.cancelled_post_ids();
  return out;
}

}  // namespace herald::campaign
