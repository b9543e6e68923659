#pragma once
// The scheduler's domain rules, free of I/O: what a valid post is, where it is
// stored, and how delivery outcomes change its state.
#include <cstdint>
#include <string>

#include "common/status.h"
#include "herald/events/v1/events.pb.h"
#include "herald/scheduler/v1/scheduler.pb.h"

namespace herald::scheduler {

namespace v1 = herald::scheduler::v1;

// Hard cap for any network; per-network limits are the publisher's to check.
inline constexpr size_t kMaxTextBytes = 65536;
inline constexpr size_t kMaxTargets = 50;
// A publish_at this far in the past is still "now" (client clock skew).
inline constexpr int64_t kPastToleranceMs = 5000;

// Checks every field of a CreatePost request; names each bad one.
FieldErrors ValidateCreate(const v1::CreatePostRequest& request, int64_t now_ms);

// A post id derived from (workspace, request id), so a retried create finds
// the first one; random when the client gave no request id.
std::string NewPostId(const std::string& workspace_id, const std::string& request_id);

// Which due-index shard holds a post.
int ShardOf(const std::string& post_id, int shards);

// Builds the stored post for a valid request.
v1::Post BuildPost(const v1::CreatePostRequest& request, const std::string& post_id, int64_t now_ms);

// The post's state summarised from its targets: all published → PUBLISHED;
// any still scheduled or dispatched → that; otherwise FAILED if any failed.
v1::PostState Summarize(const v1::Post& post);

// What a delivery outcome does to the stored post.
struct ResultEffect {
  bool changed = false;
  // Set when the target goes back to the due index (retry or over quota).
  int64_t requeue_at_ms = 0;
};
ResultEffect ApplyResult(v1::Post& post, const herald::events::v1::PublishResult& result, int64_t now_ms);

// Marks every scheduled target DISPATCHED (after its PostDue reached Kafka).
bool MarkDispatched(v1::Post& post, int64_t now_ms);

}  // namespace herald::scheduler
