#include "scheduler/post_rules.h"

#include <algorithm>
#include <set>
#include <cstdio>
#include <cstdlib>

#include "common/ids.h"
#include "common/time_util.h"
#include "scheduler/recurrence.h"

namespace herald::scheduler {

using herald::events::v1::PublishOutcome;

namespace {

bool IsHttpUrl(const std::string& s) {
  return (s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0) && s.size() <= 2048 &&
         s.find_first_of(" \t\r\n") == std::string::npos;
}

std::optional<absl::CivilMinute> ParseLocal(const std::string& s) {
  int y, mo, d, h, mi;
  char tail;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d%c", &y, &mo, &d, &h, &mi, &tail) != 5) return std::nullopt;
  absl::CivilMinute m(y, mo, d, h, mi);
  if (m.month() != mo || m.day() != d || m.hour() != h || m.minute() != mi) return std::nullopt;
  return m;
}

void ValidateRecurrence(const v1::Recurrence& r, FieldErrors& errors) {
  auto rule = ParseRRule(r.rrule());
  if (!rule.ok()) errors.Add("recurrence.rrule", std::string(rule.status().message()).substr(17));
  if (!LoadZone(r.time_zone())) errors.Add("recurrence.time_zone", "unknown IANA time zone '" + r.time_zone() + "'");
  if (!ParseLocal(r.start_local())) errors.Add("recurrence.start_local", "want local time like 2026-12-01T09:00");
}

}  // namespace

void ValidateContentFields(const std::string& text, bool text_required,
                           const google::protobuf::RepeatedPtrField<std::string>& media_urls, const std::string& link,
                           const std::string& notes, FieldErrors& errors) {
  bool blank = text.find_first_not_of(" \t\r\n") == std::string::npos;
  if (blank && text_required && media_urls.empty()) {
    errors.Add("text", "must not be empty");
  } else if (text.size() > kMaxTextBytes) {
    errors.Add("text", "longer than " + std::to_string(kMaxTextBytes) + " bytes");
  }
  if (media_urls.size() > kMaxMedia) errors.Add("media_urls", "at most " + std::to_string(kMaxMedia));
  for (int i = 0; i < media_urls.size(); ++i) {
    if (!IsHttpUrl(media_urls[i])) errors.Add("media_urls[" + std::to_string(i) + "]", "must be an http(s) URL");
  }
  if (!link.empty() && !IsHttpUrl(link)) errors.Add("link", "must be an http(s) URL");
  if (notes.size() > kMaxNotesBytes) errors.Add("notes", "longer than " + std::to_string(kMaxNotesBytes) + " bytes");
}

FieldErrors ValidateCreate(const v1::CreatePostRequest& r, int64_t now_ms) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!r.request_id().empty() && !IsValidId(r.request_id())) {
    errors.Add("request_id", "at most 64 of [A-Za-z0-9_-]");
  }
  ValidateContentFields(r.text(), true, r.media_urls(), r.link(), r.notes(), errors);
  // Counts first: no per-item work on a request that is too big anyway.
  if (static_cast<size_t>(r.channel_ids_size()) > kMaxTargets) {
    errors.Add("channel_ids", "at most " + std::to_string(kMaxTargets) + " channels");
    return errors;
  }
  if (static_cast<size_t>(r.text_overrides_size()) > kMaxTargets) {
    errors.Add("text_overrides", "at most " + std::to_string(kMaxTargets) + " entries");
    return errors;
  }
  if (r.media_urls_size() > kMaxMedia) {
    errors.Add("media_urls", "at most " + std::to_string(kMaxMedia));
    return errors;
  }
  if (r.channel_ids().empty()) errors.Add("channel_ids", "at least one channel is required");
  std::set<std::string_view> seen;
  for (int i = 0; i < r.channel_ids_size(); ++i) {
    if (!IsValidId(r.channel_ids(i))) errors.Add("channel_ids[" + std::to_string(i) + "]", "not a valid channel id");
    if (!seen.insert(r.channel_ids(i)).second) errors.Add("channel_ids[" + std::to_string(i) + "]", "duplicate");
  }
  for (const auto& [channel, text] : r.text_overrides()) {
    if (std::find(r.channel_ids().begin(), r.channel_ids().end(), channel) == r.channel_ids().end()) {
      errors.Add("text_overrides[" + channel + "]", "not one of channel_ids");
    }
    if (text.size() > kMaxTextBytes) errors.Add("text_overrides[" + channel + "]", "too long");
  }
  int whens = r.has_publish_at() + r.publish_now() + r.add_to_queue() + r.has_recurrence();
  if (whens > 1) {
    errors.Add("publish_at", "give one of publish_at, publish_now, add_to_queue, recurrence");
  } else if (whens == 0 && !r.draft()) {
    errors.Add("publish_at", "required: give publish_at, publish_now, add_to_queue or recurrence");
  } else if (r.has_publish_at() && ToMs(r.publish_at()) < now_ms - kPastToleranceMs) {
    errors.Add("publish_at", "is in the past (use publish_now to post immediately)");
  }
  if (r.has_recurrence()) {
    ValidateRecurrence(r.recurrence(), errors);
    if (errors.ok() && !NextRecurrence(r.recurrence(), now_ms - kPastToleranceMs)) {
      errors.Add("recurrence", "has no occurrence in the future");
    }
  }
  if (r.has_recycle()) {
    if (r.recycle().every_days() < 1 || r.recycle().every_days() > 3650) {
      errors.Add("recycle.every_days", "must be 1..3650");
    }
    if (r.recycle().max_times() < 0) errors.Add("recycle.max_times", "must not be negative");
    if (r.recycle().max_times() == 0 && !r.recycle().has_until()) {
      errors.Add("recycle", "give max_times or until, so recycling ends");
    }
    if (r.has_recurrence()) errors.Add("recycle", "cannot be combined with recurrence");
  }
  if (!r.campaign_id().empty() && !IsValidId(r.campaign_id())) errors.Add("campaign_id", "not a valid campaign id");
  if (!r.variant().empty() && !IsValidId(r.variant())) errors.Add("variant", "at most 64 of [A-Za-z0-9_-]");
  if (!r.in_reply_to_remote_id().empty()) {
    // A network's id: URIs (Bluesky), URNs (LinkedIn), numbers; no spaces.
    const std::string& id = r.in_reply_to_remote_id();
    if (id.size() > 512 || id.find_first_of(" \t\r\n") != std::string::npos) {
      errors.Add("in_reply_to_remote_id", "at most 512 characters, no spaces");
    }
    if (r.channel_ids_size() != 1) errors.Add("channel_ids", "a reply goes to exactly one channel");
    if (r.has_recurrence() || r.has_recycle()) errors.Add("in_reply_to_remote_id", "a reply does not recur");
    if (r.add_to_queue()) errors.Add("in_reply_to_remote_id", "a reply is not queued");
  }
  return errors;
}

std::string NewPostId(const std::string& workspace_id, const std::string& request_id) {
  if (request_id.empty()) return NewId("p_");
  // Two independent 64-bit hashes: collisions need ~2^64 request ids.
  uint64_t a = StableHash(workspace_id + '\x1f' + request_id);
  uint64_t b = StableHash(request_id + '\x1f' + workspace_id + "#2");
  return "p_" + ToHex(std::string_view(reinterpret_cast<const char*>(&a), 8)) +
         ToHex(std::string_view(reinterpret_cast<const char*>(&b), 4));
}

int ShardOf(const std::string& post_id, int shards) {
  return static_cast<int>(StableHash(post_id) % static_cast<uint64_t>(shards));
}

std::optional<int64_t> NextRecurrence(const v1::Recurrence& recurrence, int64_t after_ms) {
  auto rule = ParseRRule(recurrence.rrule());
  auto zone = LoadZone(recurrence.time_zone());
  auto start = ParseLocal(recurrence.start_local());
  if (!rule.ok() || !zone || !start) return std::nullopt;
  auto next = Occurrences(*rule, *start, *zone, after_ms, 1);
  if (next.empty()) return std::nullopt;
  return next[0];
}

v1::Post BuildPost(const v1::CreatePostRequest& r, const std::string& post_id, int64_t first_due_ms, int64_t now_ms) {
  v1::Post post;
  post.set_id(post_id);
  post.set_workspace_id(r.workspace_id());
  post.set_text(r.text());
  post.set_campaign_id(r.campaign_id());
  post.mutable_media_urls()->CopyFrom(r.media_urls());
  post.set_link(r.link());
  post.set_notes(r.notes());
  post.set_variant(r.variant());
  post.set_in_reply_to_remote_id(r.in_reply_to_remote_id());
  post.set_split_into_thread(r.split_into_thread());
  post.set_approval_required(r.approval_required());
  if (r.has_recurrence()) *post.mutable_recurrence() = r.recurrence();
  if (r.has_recycle()) *post.mutable_recycle() = r.recycle();
  post.set_queued(r.add_to_queue());
  if (first_due_ms > 0) *post.mutable_publish_at() = FromMs(first_due_ms);
  *post.mutable_create_time() = FromMs(now_ms);
  *post.mutable_update_time() = FromMs(now_ms);
  v1::PostState initial = r.draft()                ? v1::POST_STATE_DRAFT
                          : r.approval_required() ? v1::POST_STATE_PENDING_APPROVAL
                                                  : v1::POST_STATE_SCHEDULED;
  for (const auto& channel : r.channel_ids()) {
    auto* t = post.add_targets();
    t->set_channel_id(channel);
    t->set_state(initial);
    if (auto it = r.text_overrides().find(channel); it != r.text_overrides().end()) t->set_text_override(it->second);
  }
  post.set_state(initial);
  return post;
}

bool InDueIndex(v1::PostState s) { return s == v1::POST_STATE_SCHEDULED; }

bool IsFinal(v1::PostState s) {
  return s == v1::POST_STATE_PUBLISHED || s == v1::POST_STATE_FAILED || s == v1::POST_STATE_CANCELED;
}

v1::PostState Summarize(const v1::Post& post) {
  bool any_failed = false, any_published = false;
  for (const auto& t : post.targets()) {
    if (!IsFinal(t.state())) {
      // Any target still in progress decides; the earliest stage wins.
      v1::PostState earliest = t.state();
      for (const auto& u : post.targets()) {
        if (!IsFinal(u.state()) && u.state() < earliest) earliest = u.state();
      }
      return earliest;
    }
    any_failed |= t.state() == v1::POST_STATE_FAILED;
    any_published |= t.state() == v1::POST_STATE_PUBLISHED;
  }
  if (any_failed) return v1::POST_STATE_FAILED;
  if (any_published) return v1::POST_STATE_PUBLISHED;
  return v1::POST_STATE_CANCELED;
}

int64_t FinishOccurrence(v1::Post& post, int64_t now_ms) {
  bool recurring = post.has_recurrence(), recycled = post.has_recycle();
  if (!recurring && !recycled) return 0;
  int64_t current = ToMs(post.publish_at());
  auto* h = post.add_history();
  h->set_occurrence_ms(current);
  h->set_state(post.state());
  h->mutable_targets()->CopyFrom(post.targets());
  if (post.history_size() > kHistoryKept) post.mutable_history()->DeleteSubrange(0, 1);
  post.set_occurrences(post.occurrences() + 1);

  std::optional<int64_t> next;
  if (recurring) {
    // Occurrences missed while stalled are skipped, not bunched up.
    next = NextRecurrence(post.recurrence(), std::max(current, now_ms - kPastToleranceMs));
  } else if (post.state() == v1::POST_STATE_PUBLISHED) {
    const auto& r = post.recycle();
    int64_t at = now_ms + static_cast<int64_t>(r.every_days()) * 86'400'000;
    bool under_max = r.max_times() == 0 || post.occurrences() <= r.max_times();
    bool before_until = !r.has_until() || at <= ToMs(r.until());
    if (under_max && before_until) next = at;
  }
  if (!next) return 0;
  *post.mutable_publish_at() = FromMs(*next);
  for (auto& t : *post.mutable_targets()) {
    t.set_state(v1::POST_STATE_SCHEDULED);
    t.clear_remote_id();
    t.clear_remote_url();
    t.clear_error_message();
    t.set_attempts(0);
  }
  post.set_state(v1::POST_STATE_SCHEDULED);
  return *next;
}

ResultEffect ApplyResult(v1::Post& post, const herald::events::v1::PublishResult& result, int64_t now_ms) {
  ResultEffect effect;
  // A result for another occurrence of the post is stale.
  if (result.occurrence_ms() != ToMs(post.publish_at())) return effect;
  for (auto& t : *post.mutable_targets()) {
    if (t.channel_id() != result.channel_id()) continue;
    // Final states never move again: a duplicate or late result changes nothing.
    if (IsFinal(t.state())) return effect;
    switch (result.outcome()) {
      case PublishOutcome::PUBLISH_OUTCOME_PUBLISHED:
        t.set_state(v1::POST_STATE_PUBLISHED);
        t.set_remote_id(result.remote_id());
        t.set_remote_url(result.remote_url());
        t.clear_error_message();
        break;
      case PublishOutcome::PUBLISH_OUTCOME_FAILED:
        t.set_state(v1::POST_STATE_FAILED);
        t.set_error_message(result.error_message());
        break;
      case PublishOutcome::PUBLISH_OUTCOME_RETRY:
      case PublishOutcome::PUBLISH_OUTCOME_DEFERRED:
        t.set_state(v1::POST_STATE_SCHEDULED);
        t.set_error_message(result.error_message());
        effect.requeue_at_ms = std::max(now_ms, ToMs(result.not_before()));
        break;
      default:
        return effect;
    }
    t.set_attempts(t.attempts() + 1);
    effect.changed = true;
  }
  if (effect.changed) {
    post.set_state(Summarize(post));
    *post.mutable_update_time() = FromMs(now_ms);
    if (IsFinal(post.state())) {
      if (int64_t next = FinishOccurrence(post, now_ms)) effect.requeue_at_ms = next;
    }
  }
  return effect;
}

bool MarkDispatched(v1::Post& post, int64_t now_ms) {
  bool changed = false;
  for (auto& t : *post.mutable_targets()) {
    if (t.state() == v1::POST_STATE_SCHEDULED) {
      t.set_state(v1::POST_STATE_DISPATCHED);
      changed = true;
    }
  }
  if (changed) {
    post.set_state(Summarize(post));
    *post.mutable_update_time() = FromMs(now_ms);
  }
  return changed;
}

bool SetAllTargets(v1::Post& post, v1::PostState state, const std::string& reason, int64_t now_ms) {
  bool changed = false;
  for (auto& t : *post.mutable_targets()) {
    if (IsFinal(t.state()) || t.state() == state) continue;
    t.set_state(state);
    if (!reason.empty()) t.set_error_message(reason);
    changed = true;
  }
  if (changed) {
    post.set_state(Summarize(post));
    *post.mutable_update_time() = FromMs(now_ms);
  }
  return changed;
}

namespace {

std::string StateName(v1::PostState s) { return v1::PostState_Name(s).substr(11); }  // without POST_STATE_

absl::Status NotWhen(const v1::Post& post, const std::string& what) {
  return absl::FailedPreconditionError(what + "; post is " + StateName(post.state()));
}

bool Dispatched(const v1::Post& post) { return post.state() == v1::POST_STATE_DISPATCHED; }

}  // namespace

absl::Status EditAllowed(const v1::Post& post, DueChange* change) {
  if (Dispatched(post) || IsFinal(post.state())) return NotWhen(post, "only posts not yet dispatched can change");
  change->require_pending = post.state() == v1::POST_STATE_SCHEDULED;
  return absl::OkStatus();
}

absl::Status Reschedule(v1::Post& post, int64_t at_ms, int64_t now_ms, DueChange* change) {
  if (post.has_recurrence()) {
    return absl::InvalidArgumentError("invalid argument: publish_at: a recurring post follows its rule; cancel and recreate it");
  }
  if (Dispatched(post) || IsFinal(post.state())) return NotWhen(post, "it can no longer be rescheduled");
  *post.mutable_publish_at() = FromMs(at_ms);
  post.set_queued(false);
  if (post.state() == v1::POST_STATE_SCHEDULED) {
    *change = DueChange::Add(at_ms);
    change->require_pending = true;
  }
  *post.mutable_update_time() = FromMs(now_ms);
  return absl::OkStatus();
}

absl::Status Cancel(v1::Post& post, int64_t now_ms, DueChange* change) {
  if (Dispatched(post)) return NotWhen(post, "the publisher has it already");
  if (IsFinal(post.state())) return NotWhen(post, "only posts not yet done can be canceled");
  bool pending = post.state() == v1::POST_STATE_SCHEDULED;
  *change = DueChange::Remove();
  change->require_pending = pending;
  SetAllTargets(post, v1::POST_STATE_CANCELED, "canceled", now_ms);
  return absl::OkStatus();
}

absl::Status Submit(v1::Post& post, int64_t now_ms, DueChange* change) {
  if (post.state() != v1::POST_STATE_DRAFT) return NotWhen(post, "only a DRAFT can be submitted");
  if (!post.has_publish_at()) {
    return absl::InvalidArgumentError("invalid argument: publish_at: the draft has no time yet (ReschedulePost first)");
  }
  post.clear_rejection_reason();
  if (post.approval_required()) {
    SetAllTargets(post, v1::POST_STATE_PENDING_APPROVAL, "", now_ms);
    return absl::OkStatus();
  }
  *change = DueChange::Add(std::max(now_ms, ToMs(post.publish_at())));
  SetAllTargets(post, v1::POST_STATE_SCHEDULED, "", now_ms);
  return absl::OkStatus();
}

absl::Status Approve(v1::Post& post, int64_t now_ms, DueChange* change) {
  if (post.state() != v1::POST_STATE_PENDING_APPROVAL) return NotWhen(post, "only a post PENDING_APPROVAL can be approved");
  // Approved after its time: it goes out now.
  *change = DueChange::Add(std::max(now_ms, ToMs(post.publish_at())));
  SetAllTargets(post, v1::POST_STATE_SCHEDULED, "", now_ms);
  return absl::OkStatus();
}

absl::Status Reject(v1::Post& post, const std::string& reason, int64_t now_ms, DueChange*) {
  if (post.state() != v1::POST_STATE_PENDING_APPROVAL) return NotWhen(post, "only a post PENDING_APPROVAL can be rejected");
  post.set_rejection_reason(reason);
  SetAllTargets(post, v1::POST_STATE_DRAFT, "", now_ms);
  return absl::OkStatus();
}

}  // namespace herald::scheduler

namespace herald::scheduler {

std::string PublishedText(const v1::Post& post, const v1::Target& target) {
  std::string text = target.text_override().empty() ? post.text() : target.text_override();
  if (post.link().empty()) return text;
  const std::string& link = target.tracked_link().empty() ? post.link() : target.tracked_link();
  if (auto at = text.find(post.link()); at != std::string::npos) return text.replace(at, post.link().size(), link);
  if (text.find(link) != std::string::npos) return text;
  return text + (text.empty() ? "" : " ") + link;
}

std::string HoldKey(const std::string& workspace_id, const std::string& channel_id, const std::string& campaign_id) {
  if (!campaign_id.empty()) return workspace_id + "/campaign:" + campaign_id;
  return channel_id.empty() ? workspace_id : workspace_id + "/" + channel_id;
}

bool CoveredByHold(const v1::Post& post, const std::map<std::string, std::string>& holds) {
  if (holds.empty()) return false;
  if (holds.count(post.workspace_id())) return true;
  if (!post.campaign_id().empty() && holds.count(HoldKey(post.workspace_id(), "", post.campaign_id()))) return true;
  for (const auto& t : post.targets()) {
    if (holds.count(HoldKey(post.workspace_id(), t.channel_id(), ""))) return true;
  }
  return false;
}

namespace {
herald::events::v1::PostLifecycle MembershipEvent(const v1::Post& post) {
  herald::events::v1::PostLifecycle e;
  e.set_post_id(post.id());
  e.set_campaign_id(post.campaign_id());
  for (const auto& t : post.targets()) e.add_channel_ids(t.channel_id());
  e.mutable_membership()->set_campaign_id(post.campaign_id());
  e.mutable_membership()->set_variant(post.variant());
  return e;
}
}  // namespace

std::vector<std::string> PublishedDeliveries(const v1::Post& post) {
  std::vector<std::string> out;
  auto add = [&](int64_t occurrence_ms, const v1::Target& t) {
    if (t.state() == v1::POST_STATE_PUBLISHED) out.push_back(t.channel_id() + "@" + std::to_string(occurrence_ms));
  };
  for (const auto& h : post.history()) {
    for (const auto& t : h.targets()) add(h.occurrence_ms(), t);
  }
  for (const auto& t : post.targets()) add(post.has_publish_at() ? ToMs(post.publish_at()) : 0, t);
  return out;
}

std::vector<herald::events::v1::PostLifecycle> MembershipEvents(const v1::Post& post) {
  std::vector<herald::events::v1::PostLifecycle> out;
  if (post.campaign_id().empty()) return out;
  out.push_back(MembershipEvent(post));
  for (const auto& d : post.published_before_campaign()) {
    auto at = d.rfind('@');
    if (at == std::string::npos) continue;
    auto e = MembershipEvent(post);
    auto* m = e.mutable_membership();
    m->set_delivery(true);
    m->set_channel_id(d.substr(0, at));
    m->set_occurrence_ms(std::strtoll(d.c_str() + at + 1, nullptr, 10));
    out.push_back(std::move(e));
  }
  return out;
}

herald::events::v1::PostLifecycle DeliveryMembership(const v1::Post& post,
                                                     const herald::events::v1::PublishResult& result) {
  auto e = MembershipEvent(post);
  auto* m = e.mutable_membership();
  m->set_delivery(true);
  m->set_channel_id(result.channel_id());
  m->set_occurrence_ms(result.occurrence_ms());
  *m->mutable_published_at() = result.published_at();
  return e;
}

}  // namespace herald::scheduler
