#include "analytics/rollup_store.h"

namespace herald::analytics {
namespace {

// KEYS: counts, seen. ARGV: first_offset, next_offset, window, then
// quadruplets (message offset, dedupe id, field, delta).
// Returns {1} or {0, stored_offset}.
// The increments of one message share one decision; a later message with the
// same dedupe id (a repeat, even in the same batch) counts nothing. `seen`
// keeps the last `window` ids of the partition, scored by offset: a producer
// repeats a fact soon after the first, so a bounded window is enough.
const RedisScript kApply(R"lua(
local stored = redis.call('HGET', KEYS[1], '__offset')
if stored and tonumber(ARGV[1]) < tonumber(stored) then return {0, stored} end
local decided = {}
for i = 4, #ARGV, 4 do
  local msg, id = ARGV[i], ARGV[i + 1]
  local d = decided[id]
  local fresh
  if d == nil then
    fresh = redis.call('ZADD', KEYS[2], 'NX', msg, id) == 1
    decided[id] = {msg, fresh}
  elseif d[1] == msg then
    fresh = d[2]
  else
    fresh = false
  end
  if fresh then redis.call('HINCRBY', KEYS[1], ARGV[i + 2], ARGV[i + 3]) end
end
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -tonumber(ARGV[3]) - 1)
redis.call('HSET', KEYS[1], '__offset', ARGV[2])
return {1}
)lua");

}  // namespace

absl::StatusOr<std::vector<ApplyResult>> RollupStore::Apply(const std::vector<PartitionBatch>& batches) {
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  for (const auto& b : batches) {
    std::string tag = Tag(b.topic, b.partition);
    RedisClient::Args args{std::to_string(b.first_offset), std::to_string(b.next_offset),
                           std::to_string(dedupe_window_)};
    for (const auto& inc : b.increments) {
      args.push_back(std::to_string(inc.offset));
      args.push_back(inc.dedupe_id);
      args.push_back(inc.field);
      args.push_back(std::to_string(inc.delta));
    }
    calls.push_back({{tag + ":counts", tag + ":seen"}, std::move(args)});
  }
  std::vector<ApplyResult> out;
  if (calls.empty()) return out;
  auto replies = redis_.EvalPipeline(kApply, calls);
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    if (r.is_error()) return absl::InternalError("rollup apply: " + r.str);
    ApplyResult a;
    a.applied = !r.elements.empty() && r.elements[0].AsInt() == 1;
    if (!a.applied && r.elements.size() > 1) a.stored_offset = r.elements[1].AsInt();
    out.push_back(a);
  }
  return out;
}

absl::StatusOr<std::optional<int64_t>> RollupStore::StoredOffset(const std::string& topic, int32_t partition) {
  auto r = redis_.Command({"HGET", Tag(topic, partition) + ":counts", "__offset"});
  if (!r.ok()) return r.status();
  if (r->is_nil()) return std::optional<int64_t>();
  return std::optional<int64_t>(r->AsInt());
}

absl::StatusOr<int64_t> RollupStore::Sum(const std::string& topic, int partitions, const std::string& field) {
  std::vector<RedisClient::Args> cmds;
  for (int p = 0; p < partitions; ++p) cmds.push_back({"HGET", Tag(topic, p) + ":counts", field});
  auto replies = redis_.Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  int64_t sum = 0;
  for (const auto& r : *replies) {
    if (r.is_error()) return absl::InternalError(r.str);
    if (!r.is_nil()) sum += r.AsInt();
  }
  return sum;
}

}  // namespace herald::analytics
