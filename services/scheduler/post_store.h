#pragma once
// Posts, the due index, queues and pauses in Redis.
//
// Keys (every key of one shard shares the hash tag {sched:N}, so each script
// runs unchanged on Redis Cluster):
//   {sched:N}:p:<xyz>        HASH post id → the post without its id (serialized
//                            herald.scheduler.v1.Post), bucketed by the id's
//                            last three characters so each bucket stays a listpack
//   {sched:N}:due            chunked index (chunked_index_lua.h) post id → due ms
//   {sched:N}:inflight       ZSET "<id>@<due ms>" → lease expiry (ms). The expiry
//                            is the fencing token: a post is claimed again only
//                            after its lease expired, so it only grows.
//   {sched:N}:held           ZSET post id → due time, posts held by a pause
//   {sched:N}:ws:<workspace> chunked index post id → publish_at (ms), for listing
//   {sched:N}:seq            counter naming the chunks of both indexes
//   {sched:N}:k:<ws>:<campaign> ZSET "<joined ms, 13 digits>:<post id>", all
//                            scores 0: the campaign's posts in this shard, in
//                            the order they joined (a post's campaign is set
//                            once, in the same step as its index entry)
//   sched:{q:<channel>}      the channel's queue (serialized Queue)
//   sched:{q:<channel>}:taken ZSET slot time (ms) → post id
//   sched:holds              HASH "<ws>" or "<ws>/<channel>" → reason
// A post's due score is always DueMs(stored post), so every script can find it.
// Memory: keep Redis's hash-max-listpack-value above the largest usual post
// (1024 in deploy/ and k8s/) or each bucket falls back to a hash table.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis.h"
#include "common/strong_types.h"
#include "herald/scheduler/v1/scheduler.pb.h"
#include "scheduler/post_rules.h"

namespace herald::scheduler {

struct ClaimedPost {
  herald::scheduler::v1::Post post;
  int64_t fencing_token = 0;
  // The stored bytes as claimed, for compare-and-set.
  std::string body;
  // The due time it was claimed at (names its in-flight entry).
  TimePoint due;
};

// Where the dispatcher takes the post next: due_time if set, else publish_at.
int64_t DueMs(const herald::scheduler::v1::Post& post);

// One claim round over every shard.
struct ClaimRound {
  std::vector<ClaimedPost> posts;
  // Earliest due time still in the index after the round.
  std::optional<TimePoint> next_due;
  // Some shard had more due than the limit: claim again at once.
  bool shard_full = false;
};

class PostStore {
 public:
  using Mutation = std::function<bool(herald::scheduler::v1::Post&, DueChange*)>;

  PostStore(RedisClient& redis, int shards) : redis_(redis), shards_(shards) {}

  int shards() const { return shards_; }

  // Stores the post and, if it is SCHEDULED, puts it in the due index,
  // atomically. If a post with this id exists, returns that one instead.
  absl::StatusOr<herald::scheduler::v1::Post> Create(const herald::scheduler::v1::Post& post);
  // Create for many posts in one round trip (bulk import). Returns each stored post.
  absl::StatusOr<std::vector<herald::scheduler::v1::Post>> CreateMany(
      const std::vector<herald::scheduler::v1::Post>& posts);
  // The earliest due time over all shards, if anything is due at all.
  absl::StatusOr<std::optional<TimePoint>> NextDue();
  // NOT_FOUND when missing.
  absl::StatusOr<herald::scheduler::v1::Post> Get(const PostId& post_id);
  // Posts of a workspace ordered by publish_at in [from, to]; cursor is
  // "ms:id" of the last one seen.
  absl::StatusOr<std::vector<herald::scheduler::v1::Post>> List(const WorkspaceId& workspace_id, size_t limit,
                                                               const std::string& after_cursor,
                                                               TimePoint from = AtMs(-1),
                                                               TimePoint to = AtMs(INT64_MAX));

  // Moves up to `limit` posts due at or before now into the in-flight set
  // with a lease; each claim carries a new fencing token.
  absl::StatusOr<std::vector<ClaimedPost>> Claim(int shard, TimePoint now, Millis lease, int limit);
  // Claim on every shard in one round trip (up to limit_per_shard each).
  absl::StatusOr<ClaimRound> ClaimAll(TimePoint now, Millis lease, int limit_per_shard);
  // ReapExpired on every shard in one round trip.
  absl::StatusOr<int64_t> ReapAll(TimePoint now);
  // Ends a claim: false if the lease expired and was taken over.
  absl::StatusOr<bool> Ack(const ClaimedPost& claim);
  // Puts posts whose lease expired back in the due index. Returns how many.
  absl::StatusOr<int64_t> ReapExpired(int shard, TimePoint now);

  // Read-modify-write with compare-and-set. `mutate` returns false to leave the
  // post unchanged. With a fencing token the claim is acknowledged in the same
  // step (FAILED_PRECONDITION if the lease was lost). A change that moves the
  // post (add, remove, hold) also ends a live claim of it: the post's place is
  // decided by the change, and the claimer's acknowledgement then finds the
  // claim lost. Returns the new post, or nullopt when unchanged.
  absl::StatusOr<std::optional<herald::scheduler::v1::Post>> Update(const PostId& post_id,
                                                                   const Mutation& mutate,
                                                                   std::optional<int64_t> ack_token = std::nullopt);

  // Batch form of Update for claimed posts: writes each new version if the
  // stored one is still the claimed one, ending its claim, all in one round
  // trip. Per post: 1 done, 0 changed meanwhile (use Update), -1 claim lost.
  struct ClaimedChange {
    const ClaimedPost* claimed = nullptr;
    herald::scheduler::v1::Post updated;
    DueChange change;
  };
  absl::StatusOr<std::vector<int>> UpdateClaimed(const std::vector<ClaimedChange>& changes);
  // Ends many claims after Kafka confirmed their posts (one script call per
  // shard). A dispatched post is not rewritten: DISPATCHED is derived on read
  // (SCHEDULED but in neither the due, in-flight nor held set). Per post:
  // 1 done, -1 the claim was lost.
  absl::StatusOr<std::vector<int>> AckMany(const std::vector<const ClaimedPost*>& claims);

  // Sets the post's campaign (and its index entry) in one step. Unchanged
  // when it is already the campaign's; FAILED_PRECONDITION when it is another's.
  // `tracked_links` (channel → the campaign's short link) are set on the
  // targets still to go out.
  absl::StatusOr<herald::scheduler::v1::Post> AttachCampaign(const PostId& post_id, const std::string& campaign_id,
                                                             TimePoint now,
                                                             const std::map<std::string, std::string>& tracked_links = {});
  // A campaign's posts in the order they joined, `limit` after the cursor
  // `after` ("" from the start), and how many it has in all.
  struct CampaignPage {
    std::vector<herald::scheduler::v1::Post> posts;
    int64_t total = 0;
    std::string next;  // "" at the end
  };
  absl::StatusOr<CampaignPage> ListCampaign(const WorkspaceId& workspace_id, const std::string& campaign_id,
                                            size_t limit, const std::string& after);

  // Post ids held by a pause in one shard.
  absl::StatusOr<std::vector<std::string>> Held(int shard);

  // Sizes of the due and in-flight sets, over all shards.
  // Posts in the due index and claimed, and the earliest due time (none
  // when the index is empty): what the dispatcher reports as metrics.
  struct BacklogView {
    int64_t due = 0, in_flight = 0;
    std::optional<int64_t> earliest_due_ms;
  };
  absl::StatusOr<BacklogView> Backlog();

  // Queues.
  absl::StatusOr<std::optional<herald::scheduler::v1::Queue>> GetQueue(const ChannelId& channel_id);
  absl::Status SetQueue(const herald::scheduler::v1::Queue& queue);
  // Takes the first of `candidates` (ascending slot times) no post holds yet.
  absl::StatusOr<std::optional<TimePoint>> ReserveSlot(const ChannelId& channel_id,
                                                       const std::vector<TimePoint>& candidates,
                                                       const PostId& post_id, TimePoint now);
  absl::StatusOr<std::vector<TimePoint>> TakenSlots(const ChannelId& channel_id, TimePoint from);

  // Pauses: key is "<ws>" or "<ws>/<channel>".
  absl::Status SetHold(const std::string& key, const std::string& reason);
  absl::StatusOr<bool> ClearHold(const std::string& key);
  absl::StatusOr<std::map<std::string, std::string>> Holds();

 private:
  std::string Tag(int shard) const { return "{sched:" + std::to_string(shard) + "}"; }
  // Shows SCHEDULED posts that already left the due index as DISPATCHED.
  absl::Status DeriveDispatched(std::vector<herald::scheduler::v1::Post*> posts);
  std::string TagOf(const PostId& post_id) const;
  std::string BucketKey(const PostId& post_id) const;
  std::pair<RedisClient::Args, RedisClient::Args> CreateCall(const herald::scheduler::v1::Post& post) const;
  std::pair<RedisClient::Args, RedisClient::Args> ClaimCall(int shard, TimePoint now, Millis lease, int limit) const;
  static absl::StatusOr<ClaimRound> ParseClaims(const std::vector<RedisReply>& replies, int limit_per_shard);

  RedisClient& redis_;
  int shards_;
};

}  // namespace herald::scheduler
