#pragma once
// Listening rules in Redis, tagged by workspace:
//   lst:{<ws>}:rules   HASH rule id → serialized ListeningRule (at most 100)
// A rule created with a request id has an id derived from it, so a retried
// create finds the first one instead of adding a second.
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis.h"
#include "herald/listener/v1/listener.pb.h"

namespace herald::listener {

class RuleStore {
 public:
  explicit RuleStore(RedisClient& redis) : redis_(redis) {}

  // Stores the rule unless one with its id exists (then returns that one).
  // RESOURCE_EXHAUSTED when the workspace has its maximum of rules.
  absl::StatusOr<herald::listener::v1::ListeningRule> Create(const herald::listener::v1::ListeningRule& rule);
  absl::StatusOr<std::vector<herald::listener::v1::ListeningRule>> List(const std::string& workspace_id);
  // False when there was no such rule.
  absl::StatusOr<bool> Delete(const std::string& workspace_id, const std::string& rule_id);

 private:
  RedisClient& redis_;
};

}  // namespace herald::listener
