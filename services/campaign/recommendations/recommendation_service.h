#pragma once
// gRPC API of recommendations (herald.campaign.v1.RecommendationService):
// gathers a campaign's figures (analytics), its channels' queues (scheduler)
// and its experiments' verdicts, asks the rules what to change, and applies
// a proposal through the same paths a user's call takes — UpdateCampaign for
// the budget split, the scheduler's SetQueue, ConcludeExperiment.
#include <map>
#include <string>
#include <vector>

#include "campaign/campaign_service.h"
#include "campaign/campaign_store.h"
#include "campaign/experiments/experiment_service.h"
#include "campaign/recommendations/applied_store.h"
#include "campaign/recommendations/campaign_figures.h"
#include "campaign/recommendations/scheduler_queues.h"
#include "common/clock.h"
#include "common/executor.h"
#include "common/unary.h"
#include "herald/campaign/v1/recommendations.grpc.pb.h"

namespace herald::campaign {

// Queues of at most this many of a campaign's channels are judged per call.
inline constexpr int kMaxQueuesJudged = 10;
// After a budget shift, the next is judged on a week of figures since.
inline constexpr int64_t kBudgetCoolDownMs = 7LL * 24 * 3600 * 1000;

class RecommendationService final : public v1::RecommendationService::CallbackService {
 public:
  // `figures` may be null (no analytics configured): only experiments are judged.
  RecommendationService(CampaignService& campaign_api, CampaignStore& campaigns, ExperimentService& experiments,
                        CampaignFigures* figures, SchedulerQueues& queues, AppliedStore& applied, Executor& executor,
                        const Clock& clock)
      : campaign_api_(campaign_api),
        campaigns_(campaigns),
        experiments_(experiments),
        figures_(figures),
        queues_(queues),
        applied_(applied),
        executor_(executor),
        clock_(clock) {}

  HERALD_UNARY_RPC(ListRecommendations, ListRecommendationsRequest, ListRecommendationsResponse)
  HERALD_UNARY_RPC(ApplyRecommendation, ApplyRecommendationRequest, AppliedRecommendation)

 private:
  // What the proposals were made from: applying one needs it again.
  struct Ground {
    v1::Campaign campaign;
    std::vector<ChannelResult> channels;
    std::map<std::string, QueueState> queues;
    v1::ListRecommendationsResponse listed;
  };
  grpc::Status Gather(const std::string& workspace_id, const std::string& campaign_id, int lookback_days,
                      Ground* ground);
  grpc::Status Apply(const Ground& ground, const v1::Recommendation& r, std::string* result);

  CampaignService& campaign_api_;
  CampaignStore& campaigns_;
  ExperimentService& experiments_;
  CampaignFigures* figures_;
  SchedulerQueues& queues_;
  AppliedStore& applied_;
  Executor& executor_;
  const Clock& clock_;
};

}  // namespace herald::campaign
