#pragma once
// The scheduler's domain rules, free of I/O: what a valid post is, where it is
// stored, how its state moves, and when it fires next.
#include <cstdint>
#include <map>
#include <vector>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "common/status.h"
#include "herald/events/v1/events.pb.h"
#include "herald/scheduler/v1/scheduler.pb.h"

namespace herald::scheduler {


// Hard cap for any network; per-network limits are the publisher's to check.
inline constexpr size_t kMaxTextBytes = 65536;
inline constexpr size_t kMaxTargets = 50;
inline constexpr int kMaxMedia = 20;
inline constexpr size_t kMaxNotesBytes = 4000;
// A publish_at this far in the past is still "now" (client clock skew).
inline constexpr int64_t kPastToleranceMs = 5000;
// Occurrences of recurring/recycled posts kept in Post.history.
inline constexpr int kHistoryKept = 20;

// Checks every field of a CreatePost request; names each bad one.
FieldErrors ValidateCreate(const v1::CreatePostRequest& request, int64_t now_ms);
// Checks the content fields shared by create and update.
void ValidateContentFields(const std::string& text, bool text_required,
                           const google::protobuf::RepeatedPtrField<std::string>& media_urls, const std::string& link,
                           const std::string& notes, FieldErrors& errors);

// A post id derived from (workspace, request id), so a retried create finds
// the first one; random when the client gave no request id.
std::string NewPostId(const std::string& workspace_id, const std::string& request_id);

// Which due-index shard holds a post.
int ShardOf(const std::string& post_id, int shards);

// First occurrence of a recurrence strictly after after_ms (nullopt: none left).
// The recurrence must already be valid.
std::optional<int64_t> NextRecurrence(const v1::Recurrence& recurrence, int64_t after_ms);

// Builds the stored post for a valid request. `first_due_ms` is the resolved
// first occurrence (explicit time, now, queue slot or recurrence).
v1::Post BuildPost(const v1::CreatePostRequest& request, const std::string& post_id, int64_t first_due_ms,
                   int64_t now_ms);

// True while the post is waiting in the due index.
bool InDueIndex(v1::PostState state);
bool IsFinal(v1::PostState state);

// The post's state summarised from its targets.
v1::PostState Summarize(const v1::Post& post);

// What a delivery outcome does to the stored post.
struct ResultEffect {
  bool changed = false;
  // Set when the post goes back to the due index (retry, over quota, or the
  // next occurrence of a recurring or recycled post).
  int64_t requeue_at_ms = 0;
};
ResultEffect ApplyResult(v1::Post& post, const herald::events::v1::PublishResult& result, int64_t now_ms);

// Marks every scheduled target DISPATCHED (after its PostDue reached Kafka).
bool MarkDispatched(v1::Post& post, int64_t now_ms);

// Records the current occurrence in history and, for recurring or recycled
// posts, moves to the next one (targets back to SCHEDULED). Returns its time, or 0.
int64_t FinishOccurrence(v1::Post& post, int64_t now_ms);

// Sets every non-final target (and the post) to `state`, with a reason.
bool SetAllTargets(v1::Post& post, v1::PostState state, const std::string& reason, int64_t now_ms);

// The text a target publishes: its override or the post's text, with the
// post's link — or the campaign's tracked short link for this channel in
// its place — put where the link is in the text, else appended.
std::string PublishedText(const v1::Post& post, const v1::Target& target);

// Pauses are keyed by what they hold: "<ws>" (the workspace), "<ws>/<channel>"
// or "<ws>/campaign:<campaign>" (':' is in no id, so the kinds never collide).
std::string HoldKey(const std::string& workspace_id, const std::string& channel_id, const std::string& campaign_id);
// True if one of the pauses in `holds` (keys as HoldKey) covers the post.
bool CoveredByHold(const v1::Post& post, const std::map<std::string, std::string>& holds);
// A post's campaign is kept by the scheduler alone, and at most this many
// posts join one campaign (listing and counting it stay bounded).
inline constexpr int64_t kMaxCampaignPosts = 10000;
// The post's published deliveries, "<channel_id>@<occurrence ms>" (earlier
// occurrences too).
std::vector<std::string> PublishedDeliveries(const v1::Post& post);
// Membership announcements for posts.lifecycle: the post joined its campaign;
// and one per delivery in published_before_campaign (those went out without
// the campaign, so analytics counts them for it from these).
std::vector<herald::events::v1::PostLifecycle> MembershipEvents(const v1::Post& post);
// The announcement for one published delivery of a post in a campaign whose
// result went out without it (dispatched before the post joined).
herald::events::v1::PostLifecycle DeliveryMembership(const v1::Post& post,
                                                     const herald::events::v1::PublishResult& result);

// What an update does to the post's place in the due index.
struct DueChange {
  enum class Action { kNone, kAdd, kRemove, kHold };
  Action action = Action::kNone;
  int64_t at_ms = 0;
  // Refuse (FAILED_PRECONDITION) unless the post is still waiting in the due
  // index or held: it has not been handed to the publisher.
  bool require_pending = false;
  static DueChange Add(int64_t at) { return {Action::kAdd, at, false}; }
  static DueChange Remove() { return {Action::kRemove, 0, false}; }
  static DueChange Hold(int64_t at) { return {Action::kHold, at, false}; }
};

// ---- The verbs a person applies to a post. One rule each, used twice: for
// the early answer (on a copy, before anything is written) and again inside
// the store's compare-and-set, so a verb that lost a race to another change
// is refused exactly like one that came too late — FAILED_PRECONDITION
// naming the state — never answered OK with a post someone else moved. OK:
// `post` and `change` hold the result.
absl::Status EditAllowed(const v1::Post& post, DueChange* change);
absl::Status Reschedule(v1::Post& post, int64_t at_ms, int64_t now_ms, DueChange* change);
absl::Status Cancel(v1::Post& post, int64_t now_ms, DueChange* change);
absl::Status Submit(v1::Post& post, int64_t now_ms, DueChange* change);
absl::Status Approve(v1::Post& post, int64_t now_ms, DueChange* change);
absl::Status Reject(v1::Post& post, const std::string& reason, int64_t now_ms, DueChange* change);

}  // namespace herald::scheduler
