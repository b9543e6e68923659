#pragma once
// gRPC query API of analytics (herald.analytics.v1.AnalyticsService).
#include "analytics/rollup_store.h"
#include "common/executor.h"
#include "herald/analytics/v1/analytics.grpc.pb.h"

namespace herald::analytics {

class AnalyticsService final : public v1::AnalyticsService::CallbackService {
 public:
  AnalyticsService(RollupStore& store, Executor& executor) : store_(store), executor_(executor) {}

  grpc::ServerUnaryReactor* GetChannelStats(grpc::CallbackServerContext* ctx, const v1::GetChannelStatsRequest* request,
                                            v1::ChannelStats* response) override;
  grpc::ServerUnaryReactor* GetWorkspaceStats(grpc::CallbackServerContext* ctx,
                                              const v1::GetWorkspaceStatsRequest* request,
                                              v1::WorkspaceStats* response) override;
  grpc::ServerUnaryReactor* GetCampaignStats(grpc::CallbackServerContext* ctx,
                                             const v1::GetCampaignStatsRequest* request,
                                             v1::CampaignStats* response) override;

  grpc::Status DoGetChannelStats(const v1::GetChannelStatsRequest& request, v1::ChannelStats* response);
  grpc::Status DoGetWorkspaceStats(const v1::GetWorkspaceStatsRequest& request, v1::WorkspaceStats* response);
  grpc::Status DoGetCampaignStats(const v1::GetCampaignStatsRequest& request, v1::CampaignStats* response);

 private:
  absl::StatusOr<int64_t> Sum(std::string_view topic, const std::string& field);

  RollupStore& store_;
  Executor& executor_;
};

}  // namespace herald::analytics
