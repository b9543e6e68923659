#include "analytics/analytics_service.h"

#include "common/ids.h"
#include "common/status.h"
#include "common/unary.h"
#include "herald/topics.h"

namespace herald::analytics {
namespace {

int PartitionsOf(std::string_view topic) {
  for (const auto& t : topics::kAll) {
    if (t.name == topic) return t.partitions;
  }
  return 0;
}

}  // namespace

absl::StatusOr<int64_t> AnalyticsService::Sum(std::string_view topic, const std::string& field) {
  return store_.Sum(std::string(topic), PartitionsOf(topic), field);
}

grpc::ServerUnaryReactor* AnalyticsService::GetChannelStats(grpc::CallbackServerContext* ctx,
                                                            const v1::GetChannelStatsRequest* request,
                                                            v1::ChannelStats* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoGetChannelStats(*request, response); });
}

grpc::ServerUnaryReactor* AnalyticsService::GetWorkspaceStats(grpc::CallbackServerContext* ctx,
                                                              const v1::GetWorkspaceStatsRequest* request,
                                                              v1::WorkspaceStats* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoGetWorkspaceStats(*request, response); });
}

grpc::ServerUnaryReactor* AnalyticsService::GetCampaignStats(grpc::CallbackServerContext* ctx,
                                                             const v1::GetCampaignStatsRequest* request,
                                                             v1::CampaignStats* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoGetCampaignStats(*request, response); });
}

grpc::Status AnalyticsService::DoGetChannelStats(const v1::GetChannelStatsRequest& r, v1::ChannelStats* response) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!IsValidId(r.channel_id())) errors.Add("channel_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!errors.ok()) return errors.ToGrpc();
  auto published = Sum(topics::k_publish_results, Field({"published", r.workspace_id(), r.channel_id()}));
  auto failed = Sum(topics::k_publish_results, Field({"failed", r.workspace_id(), r.channel_id()}));
  if (!published.ok()) return ToGrpc(published.status());
  if (!failed.ok()) return ToGrpc(failed.status());
  response->set_channel_id(r.channel_id());
  response->set_posts_published(*published);
  response->set_posts_failed(*failed);
  return grpc::Status::OK;
}

grpc::Status AnalyticsService::DoGetWorkspaceStats(const v1::GetWorkspaceStatsRequest& r,
                                                   v1::WorkspaceStats* response) {
  if (!IsValidId(r.workspace_id())) return InvalidArgument("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  auto published = Sum(topics::k_publish_results, Field({"published", r.workspace_id()}));
  auto failed = Sum(topics::k_publish_results, Field({"failed", r.workspace_id()}));
  auto mentions = Sum(topics::k_mentions, Field({"mentions", r.workspace_id()}));
  auto campaigns = Sum(topics::k_campaign_lifecycle, Field({"campaigns", r.workspace_id()}));
  for (const auto* s : {&published, &failed, &mentions, &campaigns}) {
    if (!s->ok()) return ToGrpc(s->status());
  }
  response->set_posts_published(*published);
  response->set_posts_failed(*failed);
  response->set_mentions(*mentions);
  response->set_campaigns(*campaigns);
  return grpc::Status::OK;
}

grpc::Status AnalyticsService::DoGetCampaignStats(const v1::GetCampaignStatsRequest& r, v1::CampaignStats* response) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!IsValidId(r.campaign_id())) errors.Add("campaign_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!errors.ok()) return errors.ToGrpc();
  auto posts = Sum(topics::k_campaign_lifecycle, Field({"campaign_posts", r.workspace_id(), r.campaign_id()}));
  auto published = Sum(topics::k_publish_results, Field({"campaign_published", r.workspace_id(), r.campaign_id()}));
  if (!posts.ok()) return ToGrpc(posts.status());
  if (!published.ok()) return ToGrpc(published.status());
  response->set_campaign_id(r.campaign_id());
  response->set_posts(*posts);
  response->set_posts_published(*published);
  return grpc::Status::OK;
}

}  // namespace herald::analytics
