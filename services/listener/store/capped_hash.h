#pragma once
// A Redis HASH used as a small, capped collection of records by id (rules,
// saved replies): creating is idempotent by id and refused at the cap.
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/redis.h"

namespace herald::listener {

// Stores `value` under `field` unless the field exists (then the stored value
// is returned: a retried create answers what the first stored) or the hash
// holds `cap` fields already (then nullopt).
absl::StatusOr<std::optional<std::string>> PutIfAbsentCapped(RedisClient& redis, const std::string& key,
                                                             const std::string& field, const std::string& value,
                                                             int cap);

}  // namespace herald::listener
