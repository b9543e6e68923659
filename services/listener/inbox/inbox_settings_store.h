#pragma once
// How a workspace runs its inbox, in Redis (tagged by workspace):
//   lst:{ws}:agents   HASH agent id → Agent (without its open count)
//   lst:{ws}:saved    HASH saved reply id → SavedReply (at most 500)
//   lst:{ws}:sla      the SlaPolicy
//   lst:{ws}:auto     HASH automated answer id → AutoAnswer (at most 50)
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis.h"
#include "herald/listener/v1/inbox.pb.h"

namespace herald::listener {

constexpr int kMaxAgents = 1000;
constexpr int kMaxSavedReplies = 500;
constexpr int kMaxAutoAnswers = 50;

class InboxSettingsStore {
 public:
  explicit InboxSettingsStore(RedisClient& redis) : redis_(redis) {}

  // RESOURCE_EXHAUSTED past kMaxAgents new agents.
  absl::Status PutAgent(const std::string& workspace_id, const v1::Agent& agent);
  // Every agent, by id.
  absl::StatusOr<std::vector<v1::Agent>> Agents(const std::string& workspace_id);

  // The reply stored under its id (the first one, on a retry); RESOURCE_EXHAUSTED at the cap.
  absl::StatusOr<v1::SavedReply> CreateSavedReply(const std::string& workspace_id, const v1::SavedReply& reply);
  absl::StatusOr<std::vector<v1::SavedReply>> SavedReplies(const std::string& workspace_id);
  absl::StatusOr<std::optional<v1::SavedReply>> SavedReply(const std::string& workspace_id, const std::string& id);
  absl::StatusOr<bool> DeleteSavedReply(const std::string& workspace_id, const std::string& id);

  // The answer stored under its id (the first one, on a retry); RESOURCE_EXHAUSTED at the cap.
  absl::StatusOr<v1::AutoAnswer> CreateAutoAnswer(const std::string& workspace_id, const v1::AutoAnswer& answer);
  // Oldest first.
  absl::StatusOr<std::vector<v1::AutoAnswer>> AutoAnswers(const std::string& workspace_id);
  absl::StatusOr<bool> DeleteAutoAnswer(const std::string& workspace_id, const std::string& id);

  absl::Status SetSlaPolicy(const std::string& workspace_id, const v1::SlaPolicy& policy);
  // The empty policy (no targets) when none was set.
  absl::StatusOr<v1::SlaPolicy> SlaPolicy(const std::string& workspace_id);

 private:
  RedisClient& redis_;
};

}  // namespace herald::listener
