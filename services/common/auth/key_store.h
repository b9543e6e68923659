#pragma once
// Where API keys created through the admin API live. The Redis store keeps
// them under the "{auth}" hash tag (one slot, so scripts run on Redis Cluster):
//   {auth}:key:<id>      hash: workspace, name, role, hash, times, created_by
//   {auth}:ws:<workspace> set of key ids
// The keys are the shared auth library's, not a service's: every service
// verifies callers against them.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/api_key.h"

namespace herald {
class RedisClient;
}

namespace herald::auth {

class KeyStore {
 public:
  virtual ~KeyStore() = default;
  virtual absl::StatusOr<std::optional<StoredKey>> Get(const std::string& id) = 0;
  virtual absl::Status Create(const StoredKey& key) = 0;
  virtual absl::StatusOr<std::vector<StoredKey>> List(const std::string& workspace) = 0;
  // NOT_FOUND unless the key belongs to `workspace`. Revoking twice keeps the first time.
  virtual absl::StatusOr<StoredKey> Revoke(const std::string& workspace, const std::string& id, int64_t now_ms) = 0;
  virtual absl::Status Touch(const std::string& id, int64_t now_ms) = 0;
};

std::unique_ptr<KeyStore> MakeRedisKeyStore(RedisClient& redis);

}  // namespace herald::auth
