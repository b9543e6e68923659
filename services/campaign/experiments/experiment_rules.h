#pragma once
// What a valid experiment is, how it is laid out, and how its counts become a
// result; no I/O.
#include <cstdint>
#include <map>
#include <string>

#include "campaign/experiments/experiment_verdict.h"
#include "campaign/experiments/variant_figures.h"
#include "common/status.h"
#include "herald/campaign/v1/campaign.pb.h"
#include "herald/campaign/v1/experiments.pb.h"
#include "herald/events/v1/events.pb.h"

namespace herald::campaign {

inline constexpr char kHoldout[] = "holdout";
inline constexpr int kMaxVariants = 5;
inline constexpr int kMaxSlots = 50;
inline constexpr int kMaxExperimentChannels = 10;
inline constexpr int kMaxCells = 200;

// Every field; the campaign's channels and status are checked by the caller.
FieldErrors ValidateCreateExperiment(const v1::CreateExperimentRequest& request, int64_t now_ms);
// The experiment a request makes (id and times set), every cell assigned.
v1::Experiment PlanExperiment(const v1::CreateExperimentRequest& request, const std::string& id, int64_t now_ms);
// The scheduler's request id of a cell's post: a retry makes the same post.
std::string CellRequestId(const v1::Experiment& e, int cell);

// The result of the counts; `state` and the returned verdict's `after`
// carry a sequential plan's looks.
Verdict JudgeExperiment(const v1::Experiment& e, const std::map<std::string, VariantCounts>& counts,
                        const SequentialState& state, v1::ExperimentResult* result);
// Final verdicts conclude an experiment; "collecting" and "invalid_plan" do not.
bool IsFinal(const v1::ExperimentResult& result);
// The announcement of a concluded experiment.
herald::events::v1::ExperimentConcluded ConcludedEvent(const v1::Experiment& e);

}  // namespace herald::campaign
