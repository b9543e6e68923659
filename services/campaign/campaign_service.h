#pragma once
// gRPC API of the campaign service (herald.campaign.v1.CampaignService).
// A change is stored, then announced on campaign.lifecycle; if the
// announcement fails the change is undone and the caller gets UNAVAILABLE, so
// state and events never disagree.
#include "campaign/campaign_store.h"
#include "campaign/post_directory.h"
#include "common/clock.h"
#include "common/executor.h"
#include "common/kafka.h"
#include "herald/campaign/v1/campaign.grpc.pb.h"

namespace herald::campaign {

class CampaignService final : public v1::CampaignService::CallbackService {
 public:
  CampaignService(CampaignStore& store, PostDirectory& posts, KafkaProducer& producer, Executor& executor,
                  const Clock& clock)
      : store_(store), posts_(posts), producer_(producer), executor_(executor), clock_(clock) {}

  grpc::ServerUnaryReactor* CreateCampaign(grpc::CallbackServerContext* ctx, const v1::CreateCampaignRequest* request,
                                           v1::Campaign* response) override;
  grpc::ServerUnaryReactor* GetCampaign(grpc::CallbackServerContext* ctx, const v1::GetCampaignRequest* request,
                                        v1::Campaign* response) override;
  grpc::ServerUnaryReactor* AttachPost(grpc::CallbackServerContext* ctx, const v1::AttachPostRequest* request,
                                       v1::Campaign* response) override;

  grpc::Status DoCreateCampaign(const v1::CreateCampaignRequest& request, v1::Campaign* response);
  grpc::Status DoGetCampaign(const v1::GetCampaignRequest& request, v1::Campaign* response);
  grpc::Status DoAttachPost(const v1::AttachPostRequest& request, v1::Campaign* response);

 private:
  absl::Status Announce(const std::string& workspace_id, const std::string& campaign_id, int kind,
                        const std::string& name, const std::string& post_id);

  CampaignStore& store_;
  PostDirectory& posts_;
  KafkaProducer& producer_;
  Executor& executor_;
  const Clock& clock_;
};

}  // namespace herald::campaign
