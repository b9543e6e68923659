#pragma once
// gRPC query API of analytics (herald.analytics.v1.AnalyticsService).
#include "analytics/store/rollup_reader.h"
#include "common/clock.h"
#include "common/executor.h"
#include "herald/analytics/v1/analytics.grpc.pb.h"

namespace herald::analytics {

class AnalyticsService final : public v1::AnalyticsService::CallbackService {
 public:
  AnalyticsService(RollupReader& reader, Executor& executor, const Clock& clock)
      : reader_(reader), executor_(executor), clock_(clock) {}

  grpc::ServerUnaryReactor* GetChannelStats(grpc::CallbackServerContext* ctx, const v1::GetChannelStatsRequest* request,
                                            v1::ChannelStats* response) override;
  grpc::ServerUnaryReactor* GetWorkspaceStats(grpc::CallbackServerContext* ctx,
                                              const v1::GetWorkspaceStatsRequest* request,
                                              v1::WorkspaceStats* response) override;
  grpc::ServerUnaryReactor* GetCampaignStats(grpc::CallbackServerContext* ctx,
                                             const v1::GetCampaignStatsRequest* request,
                                             v1::CampaignStats* response) override;
  grpc::ServerUnaryReactor* GetReport(grpc::CallbackServerContext* ctx, const v1::GetReportRequest* request,
                                      v1::Report* response) override;
  grpc::ServerWriteReactor<v1::CsvChunk>* ExportReport(grpc::CallbackServerContext* ctx,
                                                       const v1::GetReportRequest* request) override;
  grpc::ServerUnaryReactor* GetTopPosts(grpc::CallbackServerContext* ctx, const v1::GetTopPostsRequest* request,
                                        v1::TopPosts* response) override;
  grpc::ServerUnaryReactor* GetPostTimeline(grpc::CallbackServerContext* ctx,
                                            const v1::GetPostTimelineRequest* request,
                                            v1::PostTimeline* response) override;
  grpc::ServerUnaryReactor* GetBestTimes(grpc::CallbackServerContext* ctx, const v1::GetBestTimesRequest* request,
                                         v1::BestTimes* response) override;

  grpc::Status DoGetChannelStats(const v1::GetChannelStatsRequest& request, v1::ChannelStats* response);
  grpc::Status DoGetWorkspaceStats(const v1::GetWorkspaceStatsRequest& request, v1::WorkspaceStats* response);
  grpc::Status DoGetCampaignStats(const v1::GetCampaignStatsRequest& request, v1::CampaignStats* response);
  grpc::Status DoGetReport(const v1::GetReportRequest& request, v1::Report* response);
  grpc::Status DoGetTopPosts(const v1::GetTopPostsRequest& request, v1::TopPosts* response);
  grpc::Status DoGetPostTimeline(const v1::GetPostTimelineRequest& request, v1::PostTimeline* response);
  grpc::Status DoGetBestTimes(const v1::GetBestTimesRequest& request, v1::BestTimes* response);

 private:
  absl::StatusOr<std::map<std::string, int64_t>> Totals(const std::string& ws, const std::string& series);

  RollupReader& reader_;
  Executor& executor_;
  const Clock& clock_;
};

}  // namespace herald::analytics
