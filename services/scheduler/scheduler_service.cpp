#include "scheduler/scheduler_service.h"

#include <algorithm>
#include <map>
#include <optional>

#include "common/events.h"
#include "common/ids.h"
#include "common/row_import.h"
#include "common/log.h"
#include "common/status.h"
#include "common/time_util.h"
#include "common/unary.h"
#include "herald/events/v1/events.pb.h"
#include "herald/topics.h"
#include "scheduler/best_time_slots.h"
#include "scheduler/post_rules.h"
#include "scheduler/recurrence.h"

namespace herald::scheduler {
namespace {

constexpr const char* kIdRule = "required, 1-64 of [A-Za-z0-9_-]";

void RequireIds(FieldErrors& errors, const std::string& workspace_id, const std::string& post_id) {
  if (!IsValidId(workspace_id)) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(post_id)) errors.Add("post_id", kIdRule);
}

grpc::Status Precondition(const std::string& message) {
  return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, message);
}

std::string StateName(v1::PostState s) { return v1::PostState_Name(s).substr(11); }

std::vector<QueueSlot> ToSlots(const v1::Queue& q) {
  std::vector<QueueSlot> out;
  for (const auto& s : q.slots()) {
    out.push_back({static_cast<absl::Weekday>(s.day_of_week() - 1), s.hour(), s.minute()});
  }
  return out;
}

}  // namespace

HERALD_UNARY_RPC_IMPL(SchedulerService, CreatePost, CreatePostRequest, Post)
HERALD_UNARY_RPC_IMPL(SchedulerService, GetPost, GetPostRequest, Post)
HERALD_UNARY_RPC_IMPL(SchedulerService, ListPosts, ListPostsRequest, ListPostsResponse)
HERALD_UNARY_RPC_IMPL(SchedulerService, UpdatePost, UpdatePostRequest, Post)
HERALD_UNARY_RPC_IMPL(SchedulerService, ReschedulePost, ReschedulePostRequest, Post)
HERALD_UNARY_RPC_IMPL(SchedulerService, CancelPost, CancelPostRequest, Post)
HERALD_UNARY_RPC_IMPL(SchedulerService, SubmitPost, SubmitPostRequest, Post)
HERALD_UNARY_RPC_IMPL(SchedulerService, ApprovePost, ApprovePostRequest, Post)
HERALD_UNARY_RPC_IMPL(SchedulerService, RejectPost, RejectPostRequest, Post)
HERALD_UNARY_RPC_IMPL(SchedulerService, GetQueue, GetQueueRequest, Queue)
HERALD_UNARY_RPC_IMPL(SchedulerService, SetQueue, SetQueueRequest, Queue)
HERALD_UNARY_RPC_IMPL(SchedulerService, GetCalendar, GetCalendarRequest, Calendar)
HERALD_UNARY_RPC_IMPL(SchedulerService, SuggestTimes, SuggestTimesRequest, SuggestTimesResponse)
HERALD_UNARY_RPC_IMPL(SchedulerService, Pause, PauseRequest, PauseState)
HERALD_UNARY_RPC_IMPL(SchedulerService, Resume, ResumeRequest, ResumeResponse)
HERALD_UNARY_RPC_IMPL(SchedulerService, AttachToCampaign, AttachToCampaignRequest, Post)

// ---------------------------------------------------------------- posts

grpc::Status SchedulerService::CheckContent(const std::string& workspace_id, const v1::Post& post) {
  FieldErrors errors;
  for (int i = 0; i < post.targets_size(); ++i) {
    const auto& t = post.targets(i);
    std::vector<std::string> media(post.media_urls().begin(), post.media_urls().end());
    auto problems = channels_.ValidateContent(workspace_id, t.channel_id(),
                                              t.text_override().empty() ? post.text() : t.text_override(), media,
                                              post.link(), !post.in_reply_to_remote_id().empty(),
                                              post.split_into_thread());
    if (!problems.ok()) return ToGrpc(problems.status());
    for (const auto& p : *problems) errors.Add("targets[" + t.channel_id() + "]." + p.field, p.message);
  }
  return errors.ToGrpc();
}

grpc::Status SchedulerService::DoCreatePost(const v1::CreatePostRequest& request, v1::Post* response) {
  int64_t now = clock_.NowMs();
  FieldErrors errors = ValidateCreate(request, now);
  if (request.add_to_queue() && request.channel_ids_size() != 1) {
    errors.Add("channel_ids", "add_to_queue needs exactly one channel (each channel has its own queue)");
  }
  if (!errors.ok()) return errors.ToGrpc();
  std::vector<ChannelInfo> infos;
  for (int i = 0; i < request.channel_ids_size(); ++i) {
    auto info = channels_.Lookup(request.workspace_id(), request.channel_ids(i));
    if (!info.ok()) return ToGrpc(info.status());
    if (!*info) {
      errors.Add("channel_ids[" + std::to_string(i) + "]", "unknown channel " + request.channel_ids(i));
    } else {
      infos.push_back(**info);
    }
  }
  if (!errors.ok()) return errors.ToGrpc();
  if (!request.campaign_id().empty()) {
    if (auto s = CheckCampaign(request.workspace_id(), request.campaign_id(),
                               {request.channel_ids().begin(), request.channel_ids().end()});
        !s.ok()) {
      return s;
    }
  }

  std::string post_id = NewPostId(request.workspace_id(), request.request_id());
  if (!request.request_id().empty()) {
    // A retried create: answer with the first one, taking no second queue slot.
    auto existing = store_.Get(PostId(post_id));
    if (existing.ok() && existing->workspace_id() == request.workspace_id()) {
      *response = *existing;
      return grpc::Status::OK;
    }
  }
  v1::Post draft = BuildPost(request, post_id, 0, now);
  if (auto s = CheckContent(request.workspace_id(), draft); !s.ok()) return s;

  int64_t first_due = 0;
  if (request.publish_now()) {
    first_due = now;
  } else if (request.has_publish_at()) {
    first_due = ToMs(request.publish_at());
  } else if (request.has_recurrence()) {
    first_due = *NextRecurrence(request.recurrence(), now - kPastToleranceMs);
  } else if (request.add_to_queue()) {
    auto queue = store_.GetQueue(ChannelId(infos[0].id));
    if (!queue.ok()) return ToGrpc(queue.status());
    if (!*queue || (*queue)->slots().empty()) {
      return InvalidArgument("add_to_queue", "channel " + infos[0].id + " has no queue slots (SetQueue first)");
    }
    auto zone = LoadZone((*queue)->time_zone());
    std::vector<TimePoint> candidates;
    for (int64_t t : NextSlotTimes(ToSlots(**queue), *zone, now, 500)) candidates.push_back(AtMs(t));
    auto slot = store_.ReserveSlot(ChannelId(infos[0].id), candidates, PostId(post_id), AtMs(now));
    if (!slot.ok()) return ToGrpc(slot.status());
    if (!*slot) return Precondition("the queue of " + infos[0].id + " is full for the next 500 slots");
    first_due = Ms(**slot);
  }
  v1::Post post = BuildPost(request, post_id, first_due, now);
  if (!post.campaign_id().empty() && !post.link().empty()) {
    // The campaign's short link per channel goes out in place of the link.
    if (auto s = TrackLinks(post); !s.ok()) return s;
  }
  auto stored = store_.Create(post);
  if (!stored.ok()) return ToGrpc(stored.status());
  if (stored->workspace_id() != request.workspace_id()) {
    return grpc::Status(grpc::StatusCode::ALREADY_EXISTS, "request_id: used by another post");
  }
  *response = *stored;
  EmitLifecycle(*stored);
  if (!stored->campaign_id().empty()) {
    // The campaign counts its posts from this: the post is stored either way,
    // so a failed announcement is logged, as EmitLifecycle's are.
    if (auto s = AnnounceMembership(*stored); !s.ok()) {
      log::Warn("campaign membership not announced", {{"post_id", stored->id()}, {"error", s.ToString()}});
    }
  }
  log::Info("post created", {{"post_id", stored->id()},
                             {"workspace_id", stored->workspace_id()},
                             {"state", StateName(stored->state())},
                             {"targets", stored->targets_size()}});
  return grpc::Status::OK;
}

grpc::Status SchedulerService::Load(const std::string& workspace_id, const std::string& post_id, v1::Post* post) {
  auto loaded = store_.Get(PostId(post_id));
  if (!loaded.ok()) return ToGrpc(loaded.status());
  // Another workspace's post does not exist for this caller.
  if (loaded->workspace_id() != workspace_id) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "post " + post_id + " not found");
  }
  *post = std::move(*loaded);
  return grpc::Status::OK;
}

grpc::Status SchedulerService::Apply(const std::string& workspace_id, const std::string& post_id, const Verb& verb,
                                     v1::Post* response, const Precheck& precheck) {
  v1::Post post;
  if (auto s = Load(workspace_id, post_id, &post); !s.ok()) return s;
  // The early answer, on the loaded copy: a post that cannot take the verb is
  // refused before anything is asked of other services or written.
  DueChange ignored;
  if (auto s = verb(post, &ignored); !s.ok()) return ToGrpc(s);
  if (precheck) {
    if (auto s = precheck(post); !s.ok()) return s;  // the post as the verb left it
  }
  // The same rule decides again inside the compare-and-set: a verb that lost
  // a race to another change is refused, not answered with their post.
  absl::Status verdict;
  auto updated = store_.Update(PostId(post_id), [&](v1::Post& p, DueChange* change) {
    verdict = verb(p, change);
    return verdict.ok();
  });
  if (!updated.ok()) return ToGrpc(updated.status());
  if (!verdict.ok()) return ToGrpc(verdict);
  return Load(workspace_id, post_id, response);
}

grpc::Status SchedulerService::DoGetPost(const v1::GetPostRequest& request, v1::Post* response) {
  FieldErrors errors;
  RequireIds(errors, request.workspace_id(), request.post_id());
  if (!errors.ok()) return errors.ToGrpc();
  return Load(request.workspace_id(), request.post_id(), response);
}

grpc::Status SchedulerService::DoListPosts(const v1::ListPostsRequest& request, v1::ListPostsResponse* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (request.page_size() < 0 || request.page_size() > 1000) errors.Add("page_size", "must be 0..1000");
  if (!request.channel_id().empty() && !IsValidId(request.channel_id())) errors.Add("channel_id", "not a valid id");
  if (!request.campaign_id().empty() && !IsValidId(request.campaign_id())) errors.Add("campaign_id", "not a valid id");
  int64_t from = request.has_start_time() ? ToMs(request.start_time()) : -1;
  int64_t to = request.has_end_time() ? ToMs(request.end_time()) : INT64_MAX;
  if (from > to) errors.Add("end_time", "is before start_time");
  if (!errors.ok()) return errors.ToGrpc();
  size_t limit = request.page_size() == 0 ? 100 : static_cast<size_t>(request.page_size());
  if (request.page_token().size() > 200) return InvalidArgument("page_token", "malformed");
  if (!request.campaign_id().empty()) return ListCampaignPosts(request, limit, response);
  std::string cursor = request.page_token();
  // Filters are applied after the index read: keep reading pages until full.
  for (int rounds = 0; rounds < 50 && static_cast<size_t>(response->posts_size()) < limit; ++rounds) {
    auto page = store_.List(WorkspaceId(request.workspace_id()), limit, cursor, AtMs(from), AtMs(to));
    if (!page.ok()) return ToGrpc(page.status());
    for (auto& p : *page) {
      cursor = std::to_string(p.has_publish_at() ? ToMs(p.publish_at()) : ToMs(p.create_time())) + ":" + p.id();
      bool match = request.state() == v1::POST_STATE_UNSPECIFIED || p.state() == request.state();
      match &= request.campaign_id().empty() || p.campaign_id() == request.campaign_id();
      if (match && !request.channel_id().empty()) {
        match = std::any_of(p.targets().begin(), p.targets().end(),
                            [&](const v1::Target& t) { return t.channel_id() == request.channel_id(); });
      }
      if (match) *response->add_posts() = std::move(p);
      if (static_cast<size_t>(response->posts_size()) == limit) break;
    }
    if (page->size() < limit) {
      cursor.clear();
      break;
    }
  }
  response->set_next_page_token(cursor);
  return grpc::Status::OK;
}

grpc::Status SchedulerService::ListCampaignPosts(const v1::ListPostsRequest& request, size_t limit,
                                                 v1::ListPostsResponse* response) {
  // The campaign's own index, in the order posts joined; other filters are
  // applied to its pages (a campaign holds at most kMaxCampaignPosts).
  int64_t from = request.has_start_time() ? ToMs(request.start_time()) : -1;
  int64_t to = request.has_end_time() ? ToMs(request.end_time()) : INT64_MAX;
  std::string cursor = request.page_token();
  for (int rounds = 0; rounds < 20 && static_cast<size_t>(response->posts_size()) < limit; ++rounds) {
    auto page = store_.ListCampaign(WorkspaceId(request.workspace_id()), request.campaign_id(),
                                   limit - static_cast<size_t>(response->posts_size()), cursor);
    if (!page.ok()) return ToGrpc(page.status());
    response->set_total_size(static_cast<int32_t>(page->total));
    cursor = page->next;
    for (auto& p : page->posts) {
      int64_t at = p.has_publish_at() ? ToMs(p.publish_at()) : ToMs(p.create_time());
      bool match = (request.state() == v1::POST_STATE_UNSPECIFIED || p.state() == request.state()) &&
                   at >= from && at <= to;
      if (match && !request.channel_id().empty()) {
        match = std::any_of(p.targets().begin(), p.targets().end(),
                            [&](const v1::Target& t) { return t.channel_id() == request.channel_id(); });
      }
      if (match) *response->add_posts() = std::move(p);
    }
    if (cursor.empty()) break;
  }
  response->set_next_page_token(cursor);
  return grpc::Status::OK;
}

grpc::Status SchedulerService::DoUpdatePost(const v1::UpdatePostRequest& request, v1::Post* response) {
  FieldErrors errors;
  RequireIds(errors, request.workspace_id(), request.post_id());
  ValidateContentFields(request.text(), false, request.media_urls(), request.link(), request.notes(), errors);
  if (!errors.ok()) return errors.ToGrpc();
  const int64_t now = clock_.NowMs();
  // A post in a campaign whose link changes gets the campaign's short links
  // for the new one (none when the link is removed).
  std::optional<std::map<std::string, std::string>> tracked;
  {
    v1::Post current;
    if (auto s = Load(request.workspace_id(), request.post_id(), &current); !s.ok()) return s;
    if (!current.campaign_id().empty() && current.link() != request.link()) {
      tracked.emplace();
      if (!request.link().empty() && options_.campaigns != nullptr) {
        v1::Post relinked = current;
        relinked.set_link(request.link());
        if (auto s = TrackLinks(relinked); !s.ok()) return s;
        for (const auto& t : relinked.targets()) (*tracked)[t.channel_id()] = t.tracked_link();
      }
    }
  }
  auto edit = [&](v1::Post& p, DueChange* change) {
    if (auto s = EditAllowed(p, change); !s.ok()) return s;
    FieldErrors bad;
    for (const auto& entry : request.text_overrides()) {
      const std::string& channel = entry.first;  // a named variable: lambdas may capture it (clang 14)
      if (std::none_of(p.targets().begin(), p.targets().end(),
                       [&](const v1::Target& t) { return t.channel_id() == channel; })) {
        bad.Add("text_overrides[" + channel + "]", "not one of the post's channels");
      }
    }
    if (!bad.ok()) return absl::InvalidArgumentError(bad.Message());
    if (!request.text().empty()) p.set_text(request.text());
    p.mutable_media_urls()->CopyFrom(request.media_urls());
    if (tracked && p.link() != request.link()) {
      for (auto& t : *p.mutable_targets()) {
        auto it = tracked->find(t.channel_id());
        t.set_tracked_link(it == tracked->end() ? "" : it->second);
      }
    }
    p.set_link(request.link());
    p.set_notes(request.notes());
    for (auto& t : *p.mutable_targets()) {
      if (auto it = request.text_overrides().find(t.channel_id()); it != request.text_overrides().end()) {
        t.set_text_override(it->second);
      }
    }
    *p.mutable_update_time() = FromMs(now);
    return absl::OkStatus();
  };
  // The edited post must still fit every network it goes to.
  return Apply(request.workspace_id(), request.post_id(), edit, response,
               [&](const v1::Post& edited) { return CheckContent(request.workspace_id(), edited); });
}

grpc::Status SchedulerService::DoReschedulePost(const v1::ReschedulePostRequest& request, v1::Post* response) {
  FieldErrors errors;
  RequireIds(errors, request.workspace_id(), request.post_id());
  const int64_t now = clock_.NowMs();
  if (!request.has_publish_at()) {
    errors.Add("publish_at", "required");
  } else if (ToMs(request.publish_at()) < now - kPastToleranceMs) {
    errors.Add("publish_at", "is in the past");
  }
  if (!errors.ok()) return errors.ToGrpc();
  const int64_t at = ToMs(request.publish_at());
  return Apply(request.workspace_id(), request.post_id(),
               [&](v1::Post& p, DueChange* change) { return Reschedule(p, at, now, change); }, response);
}

grpc::Status SchedulerService::DoCancelPost(const v1::CancelPostRequest& request, v1::Post* response) {
  FieldErrors errors;
  RequireIds(errors, request.workspace_id(), request.post_id());
  if (!errors.ok()) return errors.ToGrpc();
  const int64_t now = clock_.NowMs();
  return Apply(request.workspace_id(), request.post_id(),
               [&](v1::Post& p, DueChange* change) { return Cancel(p, now, change); }, response);
}

grpc::Status SchedulerService::DoSubmitPost(const v1::SubmitPostRequest& request, v1::Post* response) {
  FieldErrors errors;
  RequireIds(errors, request.workspace_id(), request.post_id());
  if (!errors.ok()) return errors.ToGrpc();
  const int64_t now = clock_.NowMs();
  return Apply(request.workspace_id(), request.post_id(),
               [&](v1::Post& p, DueChange* change) { return Submit(p, now, change); }, response);
}

grpc::Status SchedulerService::DoApprovePost(const v1::ApprovePostRequest& request, v1::Post* response) {
  FieldErrors errors;
  RequireIds(errors, request.workspace_id(), request.post_id());
  if (!errors.ok()) return errors.ToGrpc();
  const int64_t now = clock_.NowMs();
  auto s = Apply(request.workspace_id(), request.post_id(),
                 [&](v1::Post& p, DueChange* change) { return Approve(p, now, change); }, response);
  if (s.ok()) log::Info("post approved", {{"post_id", request.post_id()}, {"approver", request.approver()}});
  return s;
}

grpc::Status SchedulerService::DoRejectPost(const v1::RejectPostRequest& request, v1::Post* response) {
  FieldErrors errors;
  RequireIds(errors, request.workspace_id(), request.post_id());
  if (request.reason().find_first_not_of(" \t") == std::string::npos) errors.Add("reason", "required");
  if (request.reason().size() > 2000) errors.Add("reason", "longer than 2000 bytes");
  if (!errors.ok()) return errors.ToGrpc();
  const int64_t now = clock_.NowMs();
  return Apply(request.workspace_id(), request.post_id(),
               [&](v1::Post& p, DueChange* change) { return Reject(p, request.reason(), now, change); }, response);
}

// ---------------------------------------------------------------- queues

grpc::Status SchedulerService::DoGetQueue(const v1::GetQueueRequest& request, v1::Queue* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(request.channel_id())) errors.Add("channel_id", kIdRule);
  if (!errors.ok()) return errors.ToGrpc();
  auto info = channels_.Lookup(request.workspace_id(), request.channel_id());
  if (!info.ok()) return ToGrpc(info.status());
  if (!*info) return InvalidArgument("channel_id", "unknown channel " + request.channel_id());
  auto queue = store_.GetQueue(ChannelId(request.channel_id()));
  if (!queue.ok()) return ToGrpc(queue.status());
  if (*queue) {
    *response = **queue;
  } else {
    response->set_channel_id(request.channel_id());
    response->set_time_zone((*info)->time_zone);
  }
  return grpc::Status::OK;
}

grpc::Status SchedulerService::DoSetQueue(const v1::SetQueueRequest& request, v1::Queue* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(request.channel_id())) errors.Add("channel_id", kIdRule);
  if (request.slots_size() > 200) errors.Add("slots", "at most 200");
  for (int i = 0; i < request.slots_size(); ++i) {
    const auto& s = request.slots(i);
    std::string f = "slots[" + std::to_string(i) + "]";
    if (s.day_of_week() < 1 || s.day_of_week() > 7) errors.Add(f + ".day_of_week", "must be 1 (Monday) .. 7 (Sunday)");
    if (s.hour() < 0 || s.hour() > 23) errors.Add(f + ".hour", "must be 0..23");
    if (s.minute() < 0 || s.minute() > 59) errors.Add(f + ".minute", "must be 0..59");
  }
  if (!request.time_zone().empty() && !LoadZone(request.time_zone())) {
    errors.Add("time_zone", "unknown IANA time zone '" + request.time_zone() + "'");
  }
  if (!errors.ok()) return errors.ToGrpc();
  auto info = channels_.Lookup(request.workspace_id(), request.channel_id());
  if (!info.ok()) return ToGrpc(info.status());
  if (!*info) return InvalidArgument("channel_id", "unknown channel " + request.channel_id());
  v1::Queue queue;
  queue.set_channel_id(request.channel_id());
  std::string zone = request.time_zone().empty() ? (*info)->time_zone : request.time_zone();
  queue.set_time_zone(LoadZone(zone) ? zone : "UTC");
  queue.mutable_slots()->CopyFrom(request.slots());
  if (auto s = store_.SetQueue(queue); !s.ok()) return ToGrpc(s);
  *response = queue;
  return grpc::Status::OK;
}

grpc::Status SchedulerService::DoSuggestTimes(const v1::SuggestTimesRequest& request,
                                              v1::SuggestTimesResponse* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(request.channel_id())) errors.Add("channel_id", kIdRule);
  if (request.count() < 0 || request.count() > 100) errors.Add("count", "must be 0..100");
  if (!errors.ok()) return errors.ToGrpc();
  v1::Queue queue;
  v1::GetQueueRequest get;
  get.set_workspace_id(request.workspace_id());
  get.set_channel_id(request.channel_id());
  if (auto s = DoGetQueue(get, &queue); !s.ok()) return s;
  int64_t now = clock_.NowMs();
  auto taken = store_.TakenSlots(ChannelId(request.channel_id()), AtMs(now));
  if (!taken.ok()) return ToGrpc(taken.status());
  size_t want = request.count() == 0 ? 5 : static_cast<size_t>(request.count());
  // The hours the channel's posts do best in, when analytics has any history
  // (the channel's own, or its workspace's for a new channel).
  if (options_.advisor != nullptr) {
    auto best = options_.advisor->Best(request.workspace_id(), request.channel_id(), queue.time_zone());
    auto zone = LoadZone(queue.time_zone());
    if (best.ok() && zone && best->workspace_posts > 0 && !best->hours.empty()) {
      std::vector<int64_t> taken_ms;
      for (TimePoint t : *taken) taken_ms.push_back(Ms(t));
      for (int64_t t : BestUpcomingTimes(best->hours, *zone, now, taken_ms, want)) *response->add_times() = FromMs(t);
      for (const auto& slot : ProposedSlots(best->hours, want)) {
        auto* out = response->add_proposed_slots();
        out->set_day_of_week(slot.day_of_week);
        out->set_hour(slot.hour);
      }
      response->set_source("engagement");
      return grpc::Status::OK;
    }
    if (!best.ok()) log::Warn("best times unavailable; suggesting queue slots", {{"error", best.status().ToString()}});
  }
  if (queue.slots().empty()) return Precondition("channel " + request.channel_id() + " has no queue slots");
  for (int64_t t : NextSlotTimes(ToSlots(queue), *LoadZone(queue.time_zone()), now, want + taken->size())) {
    if (std::find(taken->begin(), taken->end(), AtMs(t)) != taken->end()) continue;
    *response->add_times() = FromMs(t);
    if (static_cast<size_t>(response->times_size()) == want) break;
  }
  response->set_source("queue");
  return grpc::Status::OK;
}

// ---------------------------------------------------------------- calendar

grpc::Status SchedulerService::DoGetCalendar(const v1::GetCalendarRequest& request, v1::Calendar* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!request.has_start_time()) errors.Add("start_time", "required");
  if (!request.has_end_time()) errors.Add("end_time", "required");
  int64_t from = ToMs(request.start_time()), to = ToMs(request.end_time());
  if (request.has_start_time() && request.has_end_time()) {
    if (to <= from) errors.Add("end_time", "must be after start_time");
    if (to - from > 93LL * 86'400'000) errors.Add("end_time", "a calendar spans at most 93 days");
  }
  if (!request.channel_id().empty() && !IsValidId(request.channel_id())) errors.Add("channel_id", "not a valid id");
  if (!errors.ok()) return errors.ToGrpc();
  // Recurring posts are indexed at their next occurrence, which may be before `from`.
  auto posts = store_.List(WorkspaceId(request.workspace_id()), 5000, "",
                           AtMs(std::min(from, clock_.NowMs() - 86'400'000)), AtMs(to));
  if (!posts.ok()) return ToGrpc(posts.status());
  for (const auto& p : *posts) {
    if (!request.channel_id().empty() &&
        std::none_of(p.targets().begin(), p.targets().end(),
                     [&](const v1::Target& t) { return t.channel_id() == request.channel_id(); })) {
      continue;
    }
    auto add = [&](int64_t at, v1::PostState state, bool projected) {
      auto* e = response->add_entries();
      e->set_post_id(p.id());
      *e->mutable_at() = FromMs(at);
      e->set_state(state);
      for (const auto& t : p.targets()) e->add_channel_ids(t.channel_id());
      e->set_text(p.text().substr(0, 280));
      e->set_projected(projected);
    };
    for (const auto& h : p.history()) {
      if (h.occurrence_ms() >= from && h.occurrence_ms() <= to) add(h.occurrence_ms(), h.state(), false);
    }
    if (!p.has_publish_at()) continue;
    int64_t at = ToMs(p.publish_at());
    if (at >= from && at <= to) add(at, p.state(), false);
    if (p.has_recurrence() && !IsFinal(p.state())) {
      for (int64_t next = at; response->entries_size() < 10000;) {
        auto n = NextRecurrence(p.recurrence(), next);
        if (!n || *n > to) break;
        if (*n >= from) add(*n, v1::POST_STATE_SCHEDULED, true);
        next = *n;
      }
    }
  }
  std::sort(response->mutable_entries()->begin(), response->mutable_entries()->end(),
            [](const v1::CalendarEntry& a, const v1::CalendarEntry& b) { return ToMs(a.at()) < ToMs(b.at()); });
  return grpc::Status::OK;
}

// ---------------------------------------------------------------- pauses

grpc::Status SchedulerService::DoPause(const v1::PauseRequest& request, v1::PauseState* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!request.channel_id().empty() && !IsValidId(request.channel_id())) errors.Add("channel_id", "not a valid id");
  if (!request.campaign_id().empty() && !IsValidId(request.campaign_id())) errors.Add("campaign_id", "not a valid id");
  if (!request.channel_id().empty() && !request.campaign_id().empty()) {
    errors.Add("campaign_id", "pause a channel or a campaign, not both");
  }
  if (request.reason().size() > 2000) errors.Add("reason", "longer than 2000 bytes");
  if (!errors.ok()) return errors.ToGrpc();
  if (!request.channel_id().empty()) {
    // Only a channel of the workspace: another tenant's id is not found, like a made-up one.
    auto info = channels_.Lookup(request.workspace_id(), request.channel_id());
    if (!info.ok()) return ToGrpc(info.status());
    if (!*info) return grpc::Status(grpc::StatusCode::NOT_FOUND, "channel not found");
  }
  std::string key = HoldKey(request.workspace_id(), request.channel_id(), request.campaign_id());
  std::string reason = request.reason().empty() ? "paused" : request.reason();
  if (auto s = store_.SetHold(key, reason); !s.ok()) return ToGrpc(s);
  log::Warn("publishing paused", {{"scope", key}, {"reason", reason}});
  response->set_paused(true);
  response->set_reason(reason);
  return grpc::Status::OK;
}

grpc::Status SchedulerService::DoResume(const v1::ResumeRequest& request, v1::ResumeResponse* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!request.channel_id().empty() && !IsValidId(request.channel_id())) errors.Add("channel_id", "not a valid id");
  if (!request.campaign_id().empty() && !IsValidId(request.campaign_id())) errors.Add("campaign_id", "not a valid id");
  if (!request.channel_id().empty() && !request.campaign_id().empty()) {
    errors.Add("campaign_id", "resume a channel or a campaign, not both");
  }
  if (request.mode() != v1::ResumeRequest::MODE_REQUEUE && request.mode() != v1::ResumeRequest::MODE_SKIP) {
    errors.Add("mode", "MODE_REQUEUE or MODE_SKIP: what to do with posts that fell due while paused");
  }
  if (!errors.ok()) return errors.ToGrpc();
  std::string key = HoldKey(request.workspace_id(), request.channel_id(), request.campaign_id());
  if (auto s = store_.ClearHold(key); !s.ok()) return ToGrpc(s.status());
  if (auto s = ReleaseHeld(request, response); !s.ok()) return s;
  log::Info("publishing resumed", {{"scope", key},
                                   {"requeued", response->requeued()},
                                   {"skipped", response->skipped()}});
  // A dispatcher round that read the pause just before it was lifted may
  // still hold a post after this pass: look once more when such a round has
  // surely ended — later, off the caller's time.
  executor_.Submit([this, request, key] {
    clock_.SleepFor(std::chrono::milliseconds(500));
    v1::ResumeResponse late;
    if (auto s = ReleaseHeld(request, &late); !s.ok()) {
      log::Warn("second look after resume failed", {{"scope", key}, {"error", s.error_message()}});
    } else if (late.requeued() + late.skipped() > 0) {
      log::Info("posts held by a round that raced the resume released",
                {{"scope", key}, {"requeued", late.requeued()}, {"skipped", late.skipped()}});
    }
  });
  return grpc::Status::OK;
}

grpc::Status SchedulerService::ReleaseHeld(const v1::ResumeRequest& request, v1::ResumeResponse* response) {
  auto holds = store_.Holds();
  if (!holds.ok()) return ToGrpc(holds.status());
  const bool skip = request.mode() == v1::ResumeRequest::MODE_SKIP;
  const int64_t now = clock_.NowMs();
  for (int shard = 0; shard < store_.shards(); ++shard) {
    auto held = store_.Held(shard);
    if (!held.ok()) return ToGrpc(held.status());
    for (const auto& id : *held) {
      auto updated = store_.Update(PostId(id), [&](v1::Post& p, DueChange* change) {
        if (p.workspace_id() != request.workspace_id() || p.state() != v1::POST_STATE_HELD) return false;
        bool ours = request.campaign_id().empty() ? (request.channel_id().empty() ||
                                                     std::any_of(p.targets().begin(), p.targets().end(),
                                                                 [&](const v1::Target& t) {
                                                                   return t.channel_id() == request.channel_id();
                                                                 }))
                                                  : p.campaign_id() == request.campaign_id();
        // Still covered by another pause (the workspace's, a channel's, its campaign's).
        if (!ours || CoveredByHold(p, *holds)) return false;
        if (skip) {
          SetAllTargets(p, v1::POST_STATE_CANCELED, "skipped: fell due during a pause", now);
          int64_t next = FinishOccurrence(p, now);
          *change = next ? DueChange::Add(next) : DueChange::Remove();
        } else {
          SetAllTargets(p, v1::POST_STATE_SCHEDULED, "", now);
          *change = DueChange::Add(now);
        }
        return true;
      });
      if (!updated.ok()) return ToGrpc(updated.status());
      // Counted once the write landed (a mutation may run more than once).
      if (updated->has_value()) {
        if (skip) {
          response->set_skipped(response->skipped() + 1);
        } else {
          response->set_requeued(response->requeued() + 1);
        }
      }
    }
  }
  return grpc::Status::OK;
}

// ---------------------------------------------------------------- campaigns

grpc::Status SchedulerService::CheckCampaign(const std::string& workspace_id, const std::string& campaign_id,
                                             const std::vector<std::string>& channel_ids) {
  if (options_.campaigns == nullptr) {
    return Precondition("campaign_id: this scheduler has no campaign service to check it with (--campaign-addr)");
  }
  auto info = options_.campaigns->Lookup(workspace_id, campaign_id);
  if (!info.ok()) return ToGrpc(info.status());
  if (!*info) return InvalidArgument("campaign_id", "unknown campaign " + campaign_id);
  if (!(*info)->takes_posts) {
    return Precondition("campaign " + campaign_id + " is " + (*info)->status + " and takes no more posts");
  }
  const auto& allowed = (*info)->channel_ids;
  if (!allowed.empty()) {
    FieldErrors errors;
    for (size_t i = 0; i < channel_ids.size(); ++i) {
      if (std::find(allowed.begin(), allowed.end(), channel_ids[i]) == allowed.end()) {
        errors.Add("channel_ids[" + std::to_string(i) + "]", "not one of campaign " + campaign_id + "'s channels");
      }
    }
    if (!errors.ok()) return errors.ToGrpc();
  }
  return grpc::Status::OK;
}

grpc::Status SchedulerService::TrackLinks(v1::Post& post) {
  std::vector<std::string> channels;
  for (const auto& t : post.targets()) channels.push_back(t.channel_id());
  auto links = options_.campaigns->PostLinks(post.workspace_id(), post.campaign_id(), post.id(), post.variant(),
                                             post.link(), channels);
  if (!links.ok()) return ToGrpc(links.status());
  for (auto& t : *post.mutable_targets()) {
    if (auto it = links->find(t.channel_id()); it != links->end()) t.set_tracked_link(it->second);
  }
  return grpc::Status::OK;
}

absl::Status SchedulerService::AnnounceMembership(const v1::Post& post) {
  for (auto& event : MembershipEvents(post)) {
    const auto& m = event.membership();
    // Deterministic ids: a repeated announcement is the same event.
    std::string id = "mem_" + post.id() + "_" + m.campaign_id() +
                     (m.delivery() ? "_" + m.channel_id() + "_" + std::to_string(m.occurrence_ms()) : "");
    *event.mutable_meta() = NewEventMeta(event, post.workspace_id(), clock_, id);
    if (auto s = producer_.ProduceSync(topics::k_posts_lifecycle, post.id(), event.SerializeAsString(),
                                       EventHeaders(event.meta()));
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

grpc::Status SchedulerService::DoAttachToCampaign(const v1::AttachToCampaignRequest& request, v1::Post* response) {
  FieldErrors errors;
  RequireIds(errors, request.workspace_id(), request.post_id());
  if (!IsValidId(request.campaign_id())) errors.Add("campaign_id", kIdRule);
  if (request.tracked_links_size() > static_cast<int>(kMaxTargets)) {
    errors.Add("tracked_links", "more than the post's targets");
    return errors.ToGrpc();  // bounded before each entry is looked at
  }
  for (const auto& [channel, url] : request.tracked_links()) {
    if (!IsValidId(channel)) errors.Add("tracked_links", "keys are channel ids");
    if (url.size() > 2048 || url.rfind("http", 0) != 0 ||
        std::any_of(url.begin(), url.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; })) {
      errors.Add("tracked_links[" + channel.substr(0, 64) + "]", "want an http(s) URL of at most 2048 bytes");
    }
  }
  if (!errors.ok()) return errors.ToGrpc();
  v1::Post post;
  if (auto s = Load(request.workspace_id(), request.post_id(), &post); !s.ok()) return s;
  if (post.campaign_id() != request.campaign_id()) {
    if (!post.campaign_id().empty()) {
      return Precondition("post " + post.id() + " belongs to campaign " + post.campaign_id());
    }
    auto page = store_.ListCampaign(WorkspaceId(request.workspace_id()), request.campaign_id(), 0, "");
    if (!page.ok()) return ToGrpc(page.status());
    if (page->total >= kMaxCampaignPosts) {
      return Precondition("campaign " + request.campaign_id() + " has " + std::to_string(kMaxCampaignPosts) +
                          " posts, the most one campaign takes");
    }
  }
  auto attached = store_.AttachCampaign(PostId(request.post_id()), request.campaign_id(), AtMs(clock_.NowMs()),
                                        {request.tracked_links().begin(), request.tracked_links().end()});
  if (!attached.ok()) return ToGrpc(attached.status());
  // Announced on every call, so a retry after a failed announcement repairs
  // it (analytics counts each announcement once).
  if (auto s = AnnounceMembership(*attached); !s.ok()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "post attached, announcement failed (retry to announce): " + std::string(s.message()));
  }
  log::Info("post joined campaign", {{"post_id", attached->id()}, {"campaign_id", request.campaign_id()}});
  return Load(request.workspace_id(), request.post_id(), response);
}

// ---------------------------------------------------------------- import

// Client-streaming import (common/row_import.h): each row is a CreatePost of
// its own, created on the executor before the next row is read, so a huge
// import never holds more than one row in memory; at most kMaxImportRows
// rows a call, so the answer (ids and row errors) stays bounded too.
namespace {
constexpr int kMaxImportRows = 10000;
}  // namespace

grpc::ServerReadReactor<grpc::ByteBuffer>* SchedulerService::ImportPosts(grpc::CallbackServerContext* ctx,
                                                                        grpc::ByteBuffer* response) {
  RowImport<v1::CreatePostRequest, v1::ImportPostsResponse> import;
  import.handle = [this](const v1::CreatePostRequest& row, std::string* id) {
    v1::Post post;
    grpc::Status s = DoCreatePost(row, &post);
    *id = post.id();
    return s;
  };
  import.counted = [](v1::ImportPostsResponse& summary, const std::string& id) {
    summary.set_created(summary.created() + 1);
    summary.add_post_ids(id);
  };
  import.max_rows = kMaxImportRows;
  import.idle_timeout = options_.import_idle_timeout;
  return StartRowImport(ctx, executor_, response, std::move(import));
}

void SchedulerService::EmitLifecycle(const v1::Post& post) {
  herald::events::v1::PostLifecycle event;
  event.set_post_id(post.id());
  event.set_state(v1::PostState_Name(post.state()));
  for (const auto& t : post.targets()) event.add_channel_ids(t.channel_id());
  *event.mutable_publish_at() = post.publish_at();
  event.set_campaign_id(post.campaign_id());
  *event.mutable_meta() = NewEventMeta(event, post.workspace_id(), clock_);
  // Informational: the post is stored and will fire whether or not this lands.
  producer_.Produce(topics::k_posts_lifecycle, post.id(), event.SerializeAsString(), EventHeaders(event.meta()),
                    [id = post.id()](const std::string& error) {
                      if (!error.empty()) log::Warn("lifecycle event lost", {{"post_id", id}, {"error", error}});
                    });
}

}  // namespace herald::scheduler
