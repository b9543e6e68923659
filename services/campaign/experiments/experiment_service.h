#pragma once
// gRPC API of experiments (herald.campaign.v1.ExperimentService): planned
// and scheduled through the scheduler, judged on analytics' counts per
// variant, concluded once with an experiment.concluded event.
#include "campaign/campaign_store.h"
#include "campaign/experiments/experiment_store.h"
#include "campaign/experiments/variant_figures.h"
#include "campaign/outbox.h"
#include "campaign/scheduler_posts.h"
#include "common/clock.h"
#include "common/executor.h"
#include "common/unary.h"
#include "herald/campaign/v1/experiments.grpc.pb.h"

namespace herald::campaign {

class ExperimentService final : public v1::ExperimentService::CallbackService {
 public:
  // `figures` may be null (no analytics configured): experiments then stay "collecting".
  ExperimentService(ExperimentStore& experiments, CampaignStore& campaigns, SchedulerPosts& posts,
                    VariantFigures* figures, Outbox& outbox, Executor& executor, const Clock& clock)
      : experiments_(experiments),
        campaigns_(campaigns),
        posts_(posts),
        figures_(figures),
        outbox_(outbox),
        executor_(executor),
        clock_(clock) {}

  HERALD_UNARY_RPC(CreateExperiment, CreateExperimentRequest, Experiment)
  HERALD_UNARY_RPC(GetExperiment, GetExperimentRequest, Experiment)
  HERALD_UNARY_RPC(ListExperiments, ListExperimentsRequest, ListExperimentsResponse)
  HERALD_UNARY_RPC(ConcludeExperiment, ConcludeExperimentRequest, Experiment)

  // The campaign's running experiments, each with its verdict as of now (a
  // preview: no sequential look is recorded). For recommendations.
  absl::StatusOr<std::vector<v1::Experiment>> RunningJudged(const std::string& workspace_id,
                                                            const std::string& campaign_id);

 private:
  grpc::Status Load(const std::string& workspace_id, const std::string& id, v1::Experiment* e);
  // The verdict as of now, from analytics (state: the looks so far).
  absl::StatusOr<struct Verdict> Evaluate(v1::Experiment& e);

  ExperimentStore& experiments_;
  CampaignStore& campaigns_;
  SchedulerPosts& posts_;
  VariantFigures* figures_;
  Outbox& outbox_;
  Executor& executor_;
  const Clock& clock_;
};

}  // namespace herald::campaign
