#include "scheduler/post_rules.h"

#include "common/ids.h"
#include "common/time_util.h"

namespace herald::scheduler {

using herald::events::v1::PublishOutcome;

FieldErrors ValidateCreate(const v1::CreatePostRequest& r, int64_t now_ms) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!r.request_id().empty() && !IsValidId(r.request_id())) {
    errors.Add("request_id", "at most 64 of [A-Za-z0-9_-]");
  }
  if (r.text().find_first_not_of(" \t\r\n") == std::string::npos) {
    errors.Add("text", "must not be empty");
  } else if (r.text().size() > kMaxTextBytes) {
    errors.Add("text", "longer than " + std::to_string(kMaxTextBytes) + " bytes");
  }
  if (r.channel_ids().empty()) errors.Add("channel_ids", "at least one channel is required");
  if (static_cast<size_t>(r.channel_ids_size()) > kMaxTargets) {
    errors.Add("channel_ids", "at most " + std::to_string(kMaxTargets) + " channels");
  }
  for (int i = 0; i < r.channel_ids_size(); ++i) {
    if (!IsValidId(r.channel_ids(i))) errors.Add("channel_ids[" + std::to_string(i) + "]", "not a valid channel id");
    for (int j = 0; j < i; ++j) {
      if (r.channel_ids(i) == r.channel_ids(j)) errors.Add("channel_ids[" + std::to_string(i) + "]", "duplicate");
    }
  }
  if (r.publish_now() && r.has_publish_at()) {
    errors.Add("publish_at", "give publish_at or publish_now, not both");
  } else if (!r.publish_now()) {
    if (!r.has_publish_at()) {
      errors.Add("publish_at", "required unless publish_now is set");
    } else if (ToMs(r.publish_at()) < now_ms - kPastToleranceMs) {
      errors.Add("publish_at", "is in the past (use publish_now to post immediately)");
    }
  }
  if (!r.campaign_id().empty() && !IsValidId(r.campaign_id())) errors.Add("campaign_id", "not a valid campaign id");
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

v1::Post BuildPost(const v1::CreatePostRequest& r, const std::string& post_id, int64_t now_ms) {
  v1::Post post;
  post.set_id(post_id);
  post.set_workspace_id(r.workspace_id());
  post.set_text(r.text());
  post.set_campaign_id(r.campaign_id());
  *post.mutable_publish_at() = r.publish_now() ? FromMs(now_ms) : r.publish_at();
  *post.mutable_create_time() = FromMs(now_ms);
  *post.mutable_update_time() = FromMs(now_ms);
  for (const auto& channel : r.channel_ids()) {
    auto* t = post.add_targets();
    t->set_channel_id(channel);
    t->set_state(v1::POST_STATE_SCHEDULED);
  }
  post.set_state(v1::POST_STATE_SCHEDULED);
  return post;
}

v1::PostState Summarize(const v1::Post& post) {
  bool any_failed = false, any_scheduled = false, any_dispatched = false, all_canceled = true;
  for (const auto& t : post.targets()) {
    any_failed |= t.state() == v1::POST_STATE_FAILED;
    any_scheduled |= t.state() == v1::POST_STATE_SCHEDULED;
    any_dispatched |= t.state() == v1::POST_STATE_DISPATCHED;
    all_canceled &= t.state() == v1::POST_STATE_CANCELED;
  }
  if (post.targets().empty() || all_canceled) return v1::POST_STATE_CANCELED;
  if (any_scheduled) return v1::POST_STATE_SCHEDULED;
  if (any_dispatched) return v1::POST_STATE_DISPATCHED;
  if (any_failed) return v1::POST_STATE_FAILED;
  return v1::POST_STATE_PUBLISHED;
}

ResultEffect ApplyResult(v1::Post& post, const herald::events::v1::PublishResult& result, int64_t now_ms) {
  ResultEffect effect;
  // A result for another occurrence of the post is stale.
  if (result.occurrence_ms() != ToMs(post.publish_at())) return effect;
  for (auto& t : *post.mutable_targets()) {
    if (t.channel_id() != result.channel_id()) continue;
    // Final states never move again: a duplicate or late result changes nothing.
    if (t.state() == v1::POST_STATE_PUBLISHED || t.state() == v1::POST_STATE_FAILED ||
        t.state() == v1::POST_STATE_CANCELED) {
      return effect;
    }
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

}  // namespace herald::scheduler
