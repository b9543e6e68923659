#pragma once
// Posts and the due index in Redis.
//
// Keys (every key of one shard shares the hash tag {sched:N}, so each script
// runs unchanged on Redis Cluster):
//   {sched:N}:post:<id>      the post (serialized herald.scheduler.v1.Post)
//   {sched:N}:due            ZSET post id → due time (ms)
//   {sched:N}:inflight       ZSET post id → lease expiry (ms)
//   {sched:N}:lease          HASH post id → fencing token of the live claim
//   {sched:N}:fence          counter of claims (the fencing tokens)
//   {sched:N}:ws:<workspace> ZSET post id → publish_at (ms), for listing
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis.h"
#include "herald/scheduler/v1/scheduler.pb.h"

namespace herald::scheduler {

struct ClaimedPost {
  herald::scheduler::v1::Post post;
  int64_t fencing_token = 0;
};

class PostStore {
 public:
  PostStore(RedisClient& redis, int shards) : redis_(redis), shards_(shards) {}

  int shards() const { return shards_; }

  // Stores the post and puts it in the due index, atomically. If a post with
  // this id exists, returns that one instead (idempotent create).
  absl::StatusOr<herald::scheduler::v1::Post> Create(const herald::scheduler::v1::Post& post);
  // NOT_FOUND when missing.
  absl::StatusOr<herald::scheduler::v1::Post> Get(const std::string& post_id);
  // Posts of a workspace ordered by publish_at; cursor is "ms:id" of the last one seen.
  absl::StatusOr<std::vector<herald::scheduler::v1::Post>> List(const std::string& workspace_id, size_t limit,
                                                               const std::string& after_cursor);

  // Moves up to `limit` posts due at or before now_ms into the in-flight set
  // with a lease; each claim carries a new fencing token.
  absl::StatusOr<std::vector<ClaimedPost>> Claim(int shard, int64_t now_ms, int64_t lease_ms, int limit);
  // Ends a claim: false if the lease expired and was taken over (the token no
  // longer matches).
  absl::StatusOr<bool> Ack(const std::string& post_id, int64_t fencing_token);
  // Puts posts whose lease expired back in the due index. Returns how many.
  absl::StatusOr<int64_t> ReapExpired(int shard, int64_t now_ms);

  // Read-modify-write with compare-and-set; `mutate` returns false to leave
  // the post unchanged and may set *requeue_at_ms to put it back in the due index.
  absl::StatusOr<std::optional<herald::scheduler::v1::Post>> Update(
      const std::string& post_id,
      const std::function<bool(herald::scheduler::v1::Post&, int64_t* requeue_at_ms)>& mutate);

  // Sizes of the due and in-flight sets, over all shards.
  absl::StatusOr<std::pair<int64_t, int64_t>> Backlog();

 private:
  std::string Tag(int shard) const { return "{sched:" + std::to_string(shard) + "}"; }
  std::string TagOf(const std::string& post_id) const;

  RedisClient& redis_;
  int shards_;
};

}  // namespace herald::scheduler
