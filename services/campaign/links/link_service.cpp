#include "campaign/links/link_service.h"

#include "campaign/campaign_rules.h"
#include "campaign/links/link_rules.h"
#include "common/ids.h"
#include "common/status.h"

namespace herald::campaign {
namespace {
constexpr const char* kIdRule = "required, 1-64 of [A-Za-z0-9_-]";
}  // namespace

HERALD_UNARY_RPC_IMPL(LinkService, CreateLink, CreateLinkRequest, TrackedLink)
HERALD_UNARY_RPC_IMPL(LinkService, CreatePostLinks, CreatePostLinksRequest, CreatePostLinksResponse)
HERALD_UNARY_RPC_IMPL(LinkService, GetLink, GetLinkRequest, TrackedLink)
HERALD_UNARY_RPC_IMPL(LinkService, ListLinks, ListLinksRequest, ListLinksResponse)

grpc::Status LinkService::LoadOpenCampaign(const std::string& ws, const std::string& id, v1::Campaign* campaign) {
  auto c = campaigns_.Get(ws, id);
  if (!c.ok()) return ToGrpc(c.status());
  if (!TakesPosts(c->status())) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "campaign " + id + " is " + StatusName(c->status()) + " and takes no new links");
  }
  *campaign = std::move(*c);
  return grpc::Status::OK;
}

grpc::Status LinkService::DoCreateLink(const v1::CreateLinkRequest& request, v1::TrackedLink* response) {
  FieldErrors errors = ValidateCreateLink(request);
  if (!errors.ok()) return errors.ToGrpc();
  v1::Campaign campaign;
  if (auto s = LoadOpenCampaign(request.workspace_id(), request.campaign_id(), &campaign); !s.ok()) return s;
  auto link = maker_.Make(campaign, request.destination_url(), request.utm(), request.post_id(), request.channel_id(),
                          request.variant());
  if (!link.ok()) return ToGrpc(link.status());
  *response = std::move(*link);
  return grpc::Status::OK;
}

grpc::Status LinkService::DoCreatePostLinks(const v1::CreatePostLinksRequest& request,
                                            v1::CreatePostLinksResponse* response) {
  FieldErrors errors = ValidatePostLinks(request);
  if (!errors.ok()) return errors.ToGrpc();
  v1::Campaign campaign;
  if (auto s = LoadOpenCampaign(request.workspace_id(), request.campaign_id(), &campaign); !s.ok()) return s;
  for (const auto& channel : request.channel_ids()) {
    auto link = maker_.Make(campaign, request.destination_url(), v1::Utm(), request.post_id(), channel, request.variant());
    if (!link.ok()) return ToGrpc(link.status());
    (*response->mutable_short_urls())[channel] = link->short_url();
  }
  return grpc::Status::OK;
}

grpc::Status LinkService::DoGetLink(const v1::GetLinkRequest& request, v1::TrackedLink* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsLinkCode(request.code())) errors.Add("code", "want 8 of [0-9A-Za-z]");
  if (!errors.ok()) return errors.ToGrpc();
  auto link = links_.Get(request.code());
  if (!link.ok()) return ToGrpc(link.status());
  // Another workspace's link does not exist for this caller.
  if (!*link || (*link)->workspace_id() != request.workspace_id()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "link " + request.code() + " not found");
  }
  *response = std::move(**link);
  maker_.Present(*response);
  return grpc::Status::OK;
}

grpc::Status LinkService::DoListLinks(const v1::ListLinksRequest& request, v1::ListLinksResponse* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(request.campaign_id())) errors.Add("campaign_id", kIdRule);
  if (request.page_size() < 0 || request.page_size() > 500) errors.Add("page_size", "must be 0..500");
  if (request.page_token().size() > 40) errors.Add("page_token", "malformed");
  if (!errors.ok()) return errors.ToGrpc();
  auto page = links_.List(request.workspace_id(), request.campaign_id(),
                          request.page_size() == 0 ? 100 : static_cast<size_t>(request.page_size()), request.page_token());
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& l : page->links) {
    maker_.Present(l);
    *response->add_links() = std::move(l);
  }
  response->set_next_page_token(page->next);
  return grpc::Status::OK;
}

}  // namespace herald::campaign
