#include "campaign/campaign_service.h"

#include "campaign/campaign_rules.h"
#include "common/events.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/status.h"
#include "common/time_util.h"
#include "common/unary.h"
#include "herald/events/v1/events.pb.h"
#include "herald/topics.h"

namespace herald::campaign {

using herald::events::v1::CampaignEvent;

grpc::ServerUnaryReactor* CampaignService::CreateCampaign(grpc::CallbackServerContext* ctx,
                                                          const v1::CreateCampaignRequest* request,
                                                          v1::Campaign* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoCreateCampaign(*request, response); });
}

grpc::ServerUnaryReactor* CampaignService::GetCampaign(grpc::CallbackServerContext* ctx,
                                                       const v1::GetCampaignRequest* request, v1::Campaign* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoGetCampaign(*request, response); });
}

grpc::ServerUnaryReactor* CampaignService::AttachPost(grpc::CallbackServerContext* ctx,
                                                      const v1::AttachPostRequest* request, v1::Campaign* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoAttachPost(*request, response); });
}

absl::Status CampaignService::Announce(const std::string& ws, const std::string& campaign_id, int kind,
                                       const std::string& name, const std::string& post_id) {
  CampaignEvent event;
  event.set_campaign_id(campaign_id);
  event.set_kind(static_cast<herald::events::v1::CampaignEventKind>(kind));
  event.set_name(name);
  event.set_post_id(post_id);
  // Deterministic id: consumers can drop a duplicate of the same change.
  *event.mutable_meta() = NewEventMeta(event, ws, clock_, "cmp_" + campaign_id + "_" + std::to_string(kind) + "_" + post_id);
  return producer_.ProduceSync(topics::k_campaign_lifecycle, campaign_id, event.SerializeAsString(),
                               EventHeaders(event.meta()));
}

grpc::Status CampaignService::DoCreateCampaign(const v1::CreateCampaignRequest& request, v1::Campaign* response) {
  FieldErrors errors = ValidateCreate(request);
  if (!errors.ok()) return errors.ToGrpc();
  v1::Campaign c;
  c.set_id(NewId("c_"));
  c.set_workspace_id(request.workspace_id());
  c.set_name(request.name());
  c.set_objective(request.objective());
  if (request.has_budget()) *c.mutable_budget() = request.budget();
  *c.mutable_create_time() = FromMs(clock_.NowMs());
  if (auto s = store_.Create(c); !s.ok()) return ToGrpc(s);
  if (auto s = Announce(c.workspace_id(), c.id(), herald::events::v1::CAMPAIGN_EVENT_KIND_CREATED, c.name(), "");
      !s.ok()) {
    (void)store_.Delete(c.workspace_id(), c.id());
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "campaign not created: " + std::string(s.message()));
  }
  log::Info("campaign created", {{"campaign_id", c.id()}, {"workspace_id", c.workspace_id()}});
  *response = c;
  return grpc::Status::OK;
}

grpc::Status CampaignService::DoGetCampaign(const v1::GetCampaignRequest& request, v1::Campaign* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!IsValidId(request.campaign_id())) errors.Add("campaign_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!errors.ok()) return errors.ToGrpc();
  auto c = store_.Get(request.workspace_id(), request.campaign_id());
  if (!c.ok()) return ToGrpc(c.status());
  *response = std::move(*c);
  return grpc::Status::OK;
}

grpc::Status CampaignService::DoAttachPost(const v1::AttachPostRequest& request, v1::Campaign* response) {
  FieldErrors errors = ValidateAttach(request);
  if (!errors.ok()) return errors.ToGrpc();
  auto exists = posts_.Exists(request.workspace_id(), request.post_id());
  if (!exists.ok()) return ToGrpc(exists.status());
  if (!*exists) return InvalidArgument("post_id", "unknown post " + request.post_id());
  auto added = store_.Attach(request.workspace_id(), request.campaign_id(), request.post_id());
  if (!added.ok()) return ToGrpc(added.status());
  if (*added) {
    auto s = Announce(request.workspace_id(), request.campaign_id(),
                      herald::events::v1::CAMPAIGN_EVENT_KIND_POST_ATTACHED, "", request.post_id());
    if (!s.ok()) {
      (void)store_.Detach(request.workspace_id(), request.campaign_id(), request.post_id());
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "post not attached: " + std::string(s.message()));
    }
  }
  auto c = store_.Get(request.workspace_id(), request.campaign_id());
  if (!c.ok()) return ToGrpc(c.status());
  *response = std::move(*c);
  return grpc::Status::OK;
}

}  // namespace herald::campaign
