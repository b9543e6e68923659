#include "listener/store/capped_hash.h"

namespace herald::listener {

namespace {

// KEYS: hash. ARGV: field, value, cap. Returns the stored value, or "" at the cap.
const RedisScript kPut(R"lua(
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return existing end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return '' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return ARGV[2]
)lua");

}  // namespace

absl::StatusOr<std::optional<std::string>> PutIfAbsentCapped(RedisClient& redis, const std::string& key,
                                                             const std::string& field, const std::string& value,
                                                             int cap) {
  auto r = redis.Eval(kPut, {key}, {field, value, std::to_string(cap)});
  if (!r.ok()) return r.status();
  if (r->str.empty()) return std::optional<std::string>();
  return std::optional<std::string>(r->str);
}

}  // namespace herald::listener
