#pragma once
// The unified inbox in Redis, tagged by workspace:
//   lst:{<ws>}:seen:<mention id>   "pending" while being announced, then "done"
//   lst:{<ws>}:inbox               LIST of serialized InboxItem, newest first (capped)
//   lst:{<ws>}:item:<mention id>   the InboxItem by id (30 days)
// A mention that belongs to a conversation is completed by the conversation
// store (inbox/conversation_store.h) in the same step as its conversation.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis.h"
#include "herald/listener/v1/listener.pb.h"

namespace herald::listener {

class InboxStore {
 public:
  enum class Claim { kNew, kPending, kDone };

  // `claim_ttl_ms`: how long a claimed mention stays reserved for the
  // arrival that claimed it (if that process dies, another may take it after).
  explicit InboxStore(RedisClient& redis, int64_t claim_ttl_ms = 30000) : redis_(redis), claim_ttl_ms_(claim_ttl_ms) {}

  // Reserves a mention for announcement (expires if this process dies).
  absl::StatusOr<Claim> ClaimMention(const std::string& workspace_id, const std::string& mention_id);
  // After the mention is on Kafka: store it in the inbox and mark it done, atomically.
  absl::Status Complete(const std::string& workspace_id, const herald::listener::v1::InboxItem& item);
  // Announcement failed: let a redelivery try again.
  absl::Status Release(const std::string& workspace_id, const std::string& mention_id);
  absl::StatusOr<std::vector<herald::listener::v1::InboxItem>> List(const std::string& workspace_id, int limit);
  // NOT_FOUND when the item is not (or no longer) in the capped inbox.
  absl::StatusOr<herald::listener::v1::InboxItem> Find(const std::string& workspace_id, const std::string& item_id);

  static std::string SeenKey(const std::string& workspace_id, const std::string& mention_id);
  static std::string InboxKey(const std::string& workspace_id);
  static std::string ItemKey(const std::string& workspace_id, const std::string& mention_id);
  static constexpr int kInboxCap = 10000;
  static constexpr int64_t kDoneTtlSeconds = 30LL * 24 * 3600;

 private:
  RedisClient& redis_;
  int64_t claim_ttl_ms_;
};

}  // namespace herald::listener
