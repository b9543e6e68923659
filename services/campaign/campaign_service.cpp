#include "campaign/campaign_service.h"

#include <algorithm>
#include <map>

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
namespace {

using herald::events::v1::CampaignEvent;
namespace ev = herald::events::v1;

constexpr const char* kIdRule = "required, 1-64 of [A-Za-z0-9_-]";
constexpr int kShownPosts = 1000;

grpc::Status Precondition(const std::string& message) {
  return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, message);
}

// Both ends of a flight as dates; a campaign without one runs always.
bool FlightOverlaps(const v1::Campaign& c, const std::optional<LocalDate>& from, const std::optional<LocalDate>& to) {
  auto start = ParseDate(c.start_date());
  auto end = ParseDate(c.end_date());
  if (!start || !end) return true;
  return (!to || *start <= *to) && (!from || *end >= *from);
}

}  // namespace

HERALD_UNARY_RPC_IMPL(CampaignService, CreateCampaign, CreateCampaignRequest, Campaign)
HERALD_UNARY_RPC_IMPL(CampaignService, GetCampaign, GetCampaignRequest, Campaign)
HERALD_UNARY_RPC_IMPL(CampaignService, ListCampaigns, ListCampaignsRequest, ListCampaignsResponse)
HERALD_UNARY_RPC_IMPL(CampaignService, UpdateCampaign, UpdateCampaignRequest, Campaign)
HERALD_UNARY_RPC_IMPL(CampaignService, SetCampaignStatus, SetCampaignStatusRequest, Campaign)
HERALD_UNARY_RPC_IMPL(CampaignService, AttachPost, AttachPostRequest, Campaign)

absl::Status CampaignService::Announce(const v1::Campaign& c, int kind, const std::string& post_id) {
  CampaignEvent event;
  event.set_campaign_id(c.id());
  event.set_kind(static_cast<ev::CampaignEventKind>(kind));
  event.set_name(c.name());
  event.set_post_id(post_id);
  event.set_status(v1::CampaignStatus_Name(c.status()));
  event.set_version(c.version());
  v1::Campaign body = c;
  body.clear_post_ids();
  event.set_campaign(body.SerializeAsString());
  // Deterministic ids: consumers drop a repeat of the same change.
  std::string id = kind == ev::CAMPAIGN_EVENT_KIND_POST_ATTACHED ? "cmp_" + c.id() + "_att_" + post_id
                                                                 : "cmp_" + c.id() + "_v" + std::to_string(c.version());
  *event.mutable_meta() = NewEventMeta(event, c.workspace_id(), clock_, id);
  return producer_.ProduceSync(topics::k_campaign_lifecycle, c.id(), event.SerializeAsString(),
                               EventHeaders(event.meta()));
}

grpc::Status CampaignService::Commit(const v1::Campaign& current, v1::Campaign updated, int kind,
                                     v1::Campaign* response) {
  updated.clear_post_ids();
  updated.clear_post_count();
  updated.set_version(current.version() + 1);
  *updated.mutable_update_time() = FromMs(clock_.NowMs());
  if (auto s = store_.Replace(updated, current.version()); !s.ok()) return ToGrpc(s);
  if (auto s = Announce(updated, kind); !s.ok()) {
    // Put the old one back (with a newer version: versions only grow).
    v1::Campaign restored = current;
    restored.clear_post_ids();
    restored.clear_post_count();
    restored.set_version(updated.version() + 1);
    if (auto undo = store_.Replace(restored, updated.version()); !undo.ok()) {
      log::Error("campaign change announced nowhere and not undone",
                 {{"campaign_id", current.id()}, {"error", undo.ToString()}});
    }
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "campaign not changed: " + std::string(s.message()));
  }
  *response = std::move(updated);
  return grpc::Status::OK;
}

grpc::Status CampaignService::Load(const std::string& ws, const std::string& id, bool without_posts,
                                   v1::Campaign* campaign) {
  auto c = store_.Get(ws, id);
  if (!c.ok()) return ToGrpc(c.status());
  *campaign = std::move(*c);
  if (without_posts) return grpc::Status::OK;
  auto posts = posts_.List(ws, id, kShownPosts);
  if (!posts.ok()) return ToGrpc(posts.status());
  for (auto& p : posts->post_ids) campaign->add_post_ids(std::move(p));
  campaign->set_post_count(static_cast<int32_t>(posts->total));
  return grpc::Status::OK;
}

grpc::Status CampaignService::DoCreateCampaign(const v1::CreateCampaignRequest& request, v1::Campaign* response) {
  FieldErrors errors = ValidateCreate(request);
  if (!errors.ok()) return errors.ToGrpc();
  v1::Campaign c = BuildCampaign(request);
  c.set_id(CreatedId("c_", request.workspace_id(), request.request_id()));
  int64_t now = clock_.NowMs();
  *c.mutable_create_time() = FromMs(now);
  *c.mutable_update_time() = FromMs(now);
  c.set_version(1);
  auto stored = store_.Create(c);
  if (!stored.ok()) return ToGrpc(stored.status());
  // A retried create answers with the first; announcing it again is the same
  // event (its id names the version).
  if (stored->version() == 1) {
    if (auto s = Announce(*stored, ev::CAMPAIGN_EVENT_KIND_CREATED); !s.ok()) {
      (void)store_.Delete(c.workspace_id(), c.id());
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "campaign not created: " + std::string(s.message()));
    }
  }
  log::Info("campaign created", {{"campaign_id", stored->id()}, {"workspace_id", stored->workspace_id()}});
  *response = std::move(*stored);
  return grpc::Status::OK;
}

grpc::Status CampaignService::DoGetCampaign(const v1::GetCampaignRequest& request, v1::Campaign* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(request.campaign_id())) errors.Add("campaign_id", kIdRule);
  if (!errors.ok()) return errors.ToGrpc();
  return Load(request.workspace_id(), request.campaign_id(), request.without_posts(), response);
}

grpc::Status CampaignService::DoListCampaigns(const v1::ListCampaignsRequest& request,
                                              v1::ListCampaignsResponse* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (request.statuses_size() > 5) errors.Add("statuses", "at most 5");
  for (int i = 0; i < request.statuses_size() && i < 5; ++i) {
    if (request.statuses(i) == v1::CAMPAIGN_STATUS_UNSPECIFIED || !v1::CampaignStatus_IsValid(request.statuses(i))) {
      errors.Add("statuses[" + std::to_string(i) + "]", "not a campaign status");
    }
  }
  if (!v1::Objective_IsValid(request.objective())) errors.Add("objective", "unknown value");
  if (request.owner().size() > kMaxOwnerBytes) errors.Add("owner", "longer than the longest owner");
  std::optional<LocalDate> from, to;
  if (!request.from_date().empty() && !(from = ParseDate(request.from_date()))) errors.Add("from_date", "want YYYY-MM-DD");
  if (!request.to_date().empty() && !(to = ParseDate(request.to_date()))) errors.Add("to_date", "want YYYY-MM-DD");
  if (from && to && *to < *from) errors.Add("to_date", "before from_date");
  if (request.page_size() < 0 || request.page_size() > 200) errors.Add("page_size", "must be 0..200");
  if (request.page_token().size() > 100) errors.Add("page_token", "malformed");
  if (!errors.ok()) return errors.ToGrpc();

  size_t limit = request.page_size() == 0 ? 50 : static_cast<size_t>(request.page_size());
  auto wanted = [&](const v1::Campaign& c) {
    bool status_ok = request.statuses().empty()
                         ? c.status() != v1::CAMPAIGN_STATUS_ARCHIVED
                         : std::find(request.statuses().begin(), request.statuses().end(), c.status()) !=
                               request.statuses().end();
    return status_ok && (request.objective() == v1::OBJECTIVE_UNSPECIFIED || c.objective() == request.objective()) &&
           (request.owner().empty() || c.owner() == request.owner()) && FlightOverlaps(c, from, to);
  };
  std::string cursor = request.page_token();
  // Filters apply after the read: keep reading (a bounded number of pages) until full.
  for (int rounds = 0; rounds < 20 && static_cast<size_t>(response->campaigns_size()) < limit; ++rounds) {
    auto page = store_.List(request.workspace_id(), limit - static_cast<size_t>(response->campaigns_size()), cursor);
    if (!page.ok()) return ToGrpc(page.status());
    for (auto& c : page->campaigns) {
      if (wanted(c)) *response->add_campaigns() = std::move(c);
    }
    cursor = page->next;
    if (cursor.empty()) break;
  }
  response->set_next_page_token(cursor);
  return grpc::Status::OK;
}

grpc::Status CampaignService::DoUpdateCampaign(const v1::UpdateCampaignRequest& request, v1::Campaign* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(request.campaign_id())) errors.Add("campaign_id", kIdRule);
  if (request.expected_version() < 0) errors.Add("expected_version", "must not be negative");
  if (!errors.ok()) return errors.ToGrpc();
  v1::Campaign current;
  if (auto s = Load(request.workspace_id(), request.campaign_id(), true, &current); !s.ok()) return s;
  v1::Campaign updated = current;
  if (auto bad = ApplyUpdate(request, updated); !bad.ok()) return bad.ToGrpc();
  if (!Editable(current.status())) {
    return Precondition("campaign " + current.id() + " is " + StatusName(current.status()) + " and read-only");
  }
  if (request.expected_version() != 0 && request.expected_version() != current.version()) {
    return grpc::Status(grpc::StatusCode::ABORTED, "campaign is at version " + std::to_string(current.version()) +
                                                       ", not " + std::to_string(request.expected_version()));
  }
  if (updated.SerializeAsString() == current.SerializeAsString()) {
    *response = std::move(current);  // nothing to change, nothing to announce
    return grpc::Status::OK;
  }
  return Commit(current, std::move(updated), ev::CAMPAIGN_EVENT_KIND_UPDATED, response);
}

grpc::Status CampaignService::DoSetCampaignStatus(const v1::SetCampaignStatusRequest& request,
                                                  v1::Campaign* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(request.campaign_id())) errors.Add("campaign_id", kIdRule);
  if (request.status() == v1::CAMPAIGN_STATUS_UNSPECIFIED || !v1::CampaignStatus_IsValid(request.status())) {
    errors.Add("status", "want active, paused, completed or archived");
  }
  if (request.reason().size() > 2000) errors.Add("reason", "longer than 2000 bytes");
  if (!errors.ok()) return errors.ToGrpc();
  v1::Campaign current;
  if (auto s = Load(request.workspace_id(), request.campaign_id(), true, &current); !s.ok()) return s;
  const auto from = current.status(), to = request.status();
  if (!TransitionAllowed(from, to)) {
    return Precondition("campaign " + current.id() + " cannot go from " + StatusName(from) + " to " + StatusName(to));
  }
  const std::string& ws = current.workspace_id();
  const std::string reason = request.reason().empty() ? "campaign " + StatusName(to) : request.reason();
  // Nothing of the campaign may fire once it is paused, completed or
  // discarded: hold first, then change.
  const bool stops = to == v1::CAMPAIGN_STATUS_PAUSED || to == v1::CAMPAIGN_STATUS_COMPLETED ||
                     (to == v1::CAMPAIGN_STATUS_ARCHIVED && from == v1::CAMPAIGN_STATUS_DRAFT);
  if (stops) {
    if (auto s = posts_.Hold(ws, current.id(), reason); !s.ok()) return ToGrpc(s);
  }
  auto undo_hold = [&] {
    if (from == v1::CAMPAIGN_STATUS_ACTIVE || from == v1::CAMPAIGN_STATUS_DRAFT) {
      if (auto s = posts_.Release(ws, current.id(), false); !s.ok()) {
        log::Error("campaign left held after a failed status change", {{"campaign_id", current.id()}});
      }
    }
  };
  int canceled = 0;
  if (to == v1::CAMPAIGN_STATUS_COMPLETED || (to == v1::CAMPAIGN_STATUS_ARCHIVED && from == v1::CAMPAIGN_STATUS_DRAFT)) {
    auto n = posts_.CancelRemaining(ws, current.id());
    if (!n.ok()) {
      undo_hold();
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          "not " + StatusName(to) + " (retry): canceling its posts failed: " + std::string(n.status().message()));
    }
    canceled = *n;
  }
  if (from != to) {
    v1::Campaign updated = current;
    updated.set_status(to);
    if (auto s = Commit(current, std::move(updated), ev::CAMPAIGN_EVENT_KIND_STATUS_CHANGED, response); !s.ok()) {
      if (to == v1::CAMPAIGN_STATUS_PAUSED) undo_hold();
      return s;
    }
  } else {
    *response = current;  // a retry: its effects were re-applied above or below
  }
  if (to == v1::CAMPAIGN_STATUS_ACTIVE) {
    if (auto s = posts_.Release(ws, current.id(), request.skip_missed()); !s.ok()) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "campaign is active but its posts are still held (retry): " +
                                                             std::string(s.message()));
    }
  }
  log::Info("campaign status changed", {{"campaign_id", current.id()},
                                        {"from", StatusName(from)},
                                        {"to", StatusName(to)},
                                        {"posts_canceled", canceled}});
  return grpc::Status::OK;
}

grpc::Status CampaignService::DoAttachPost(const v1::AttachPostRequest& request, v1::Campaign* response) {
  FieldErrors errors = ValidateAttach(request);
  if (!errors.ok()) return errors.ToGrpc();
  v1::Campaign c;
  if (auto s = Load(request.workspace_id(), request.campaign_id(), true, &c); !s.ok()) return s;
  if (!TakesPosts(c.status())) {
    return Precondition("campaign " + c.id() + " is " + StatusName(c.status()) + " and takes no more posts");
  }
  auto post = posts_.Describe(request.workspace_id(), request.post_id());
  if (!post.ok()) {
    if (absl::IsNotFound(post.status())) return InvalidArgument("post_id", "unknown post " + request.post_id());
    return ToGrpc(post.status());
  }
  // Its link goes out as the campaign's short link on each channel (what
  // has gone out already keeps the link it had).
  std::map<std::string, std::string> tracked;
  if (!post->link.empty()) {
    for (const auto& channel : post->channel_ids) {
      auto link = links_.Make(c, post->link, v1::Utm(), request.post_id(), channel, post->variant);
      if (!link.ok()) return ToGrpc(link.status());
      tracked[channel] = link->short_url();
    }
  }
  if (auto s = posts_.Attach(request.workspace_id(), request.post_id(), c.id(), tracked); !s.ok()) {
    if (absl::IsNotFound(s)) return InvalidArgument("post_id", "unknown post " + request.post_id());
    return ToGrpc(s);
  }
  if (auto s = Announce(c, ev::CAMPAIGN_EVENT_KIND_POST_ATTACHED, request.post_id()); !s.ok()) {
    // The scheduler keeps the attachment; a retry announces it again.
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "post attached, not announced (retry): " + std::string(s.message()));
  }
  return Load(request.workspace_id(), request.campaign_id(), false, response);
}

}  // namespace herald::campaign
