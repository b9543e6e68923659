#pragma once
// gRPC API of the campaign service (herald.campaign.v1.CampaignService).
// A change is stored, then announced on campaign.lifecycle; if the
// announcement fails the change is undone and the caller gets UNAVAILABLE, so
// state and events never disagree. What a status change asks of the
// scheduler (hold, release, cancel) is done in the order that leaves nothing
// firing that should not, and is repeated safely by a retry.
#include "campaign/campaign_store.h"
#include "campaign/links/link_maker.h"
#include "campaign/scheduler_posts.h"
#include "common/clock.h"
#include "common/executor.h"
#include "common/unary.h"
#include "common/kafka.h"
#include "herald/campaign/v1/campaign.grpc.pb.h"

namespace herald::campaign {

class CampaignService final : public v1::CampaignService::CallbackService {
 public:
  CampaignService(CampaignStore& store, SchedulerPosts& posts, LinkMaker& links, KafkaProducer& producer,
                  Executor& executor, const Clock& clock)
      : store_(store), posts_(posts), links_(links), producer_(producer), executor_(executor), clock_(clock) {}

  HERALD_UNARY_RPC(CreateCampaign, CreateCampaignRequest, Campaign)
  HERALD_UNARY_RPC(GetCampaign, GetCampaignRequest, Campaign)
  HERALD_UNARY_RPC(ListCampaigns, ListCampaignsRequest, ListCampaignsResponse)
  HERALD_UNARY_RPC(UpdateCampaign, UpdateCampaignRequest, Campaign)
  HERALD_UNARY_RPC(SetCampaignStatus, SetCampaignStatusRequest, Campaign)
  HERALD_UNARY_RPC(AttachPost, AttachPostRequest, Campaign)

 private:
  absl::Status Announce(const v1::Campaign& campaign, int kind, const std::string& post_id = "");
  // Writes `updated` (version current + 1) and announces it as `kind`;
  // undone when the announcement fails.
  grpc::Status Commit(const v1::Campaign& current, v1::Campaign updated, int kind, v1::Campaign* response);
  // Loads a campaign, with its posts unless `without_posts`.
  grpc::Status Load(const std::string& workspace_id, const std::string& campaign_id, bool without_posts,
                    v1::Campaign* campaign);

  CampaignStore& store_;
  SchedulerPosts& posts_;
  LinkMaker& links_;
  KafkaProducer& producer_;
  Executor& executor_;
  const Clock& clock_;
};

}  // namespace herald::campaign
