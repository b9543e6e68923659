#include "analytics/store/rollup_store.h"

#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "analytics/store/rollup_keys.h"

namespace herald::analytics {
namespace {

// KEYS: pos, seen. ARGV: prefix, "<topic>/<p>", epoch, first, next, window,
// now ms, id count, the ids, then operations:
//   H key field delta                          HINCRBY <prefix>key
//   S post n (field value)×n published_ms      the post's record (+ index when published_ms > 0)
//   G kind id ms                               a group seen
//   M post observed month index n_series series… n_values (figure value)…
//                                              a snapshot: count its change
// Returns {1} applied, {2} already applied, {3, next} applied up to next
// (re-send from there), {4, id…} ids already counted (re-send without),
// {0, stored} an older epoch.
const RedisScript kApply(R"lua(
local prefix, tp = ARGV[1], ARGV[2]
local epoch, first, nxt = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local stored = redis.call('HGET', KEYS[1], tp)
if stored then
  local se, so = string.match(stored, '^(%d+):(%d+)$')
  se, so = tonumber(se), tonumber(so)
  if epoch < se then return {0, stored} end
  if epoch == se then
    if nxt <= so then return {2} end
    if first < so then return {3, so} end
  end
end
local nids = tonumber(ARGV[8])
local dups = {}
for i = 9, 8 + nids do
  if redis.call('ZSCORE', KEYS[2], ARGV[i]) then dups[#dups + 1] = ARGV[i] end
end
if #dups > 0 then return {4, unpack(dups)} end
for i = 9, 8 + nids do redis.call('ZADD', KEYS[2], ARGV[7], ARGV[i]) end
if nids > 0 then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -tonumber(ARGV[6]) - 1) end

local engagement = {lik = true, rep = true, rps = true, quo = true, sav = true, clk = true}
local function count(series, month, index, figure, delta)
  redis.call('HINCRBY', prefix .. 'b:' .. series .. ':' .. month, figure .. '@' .. index, delta)
  redis.call('HINCRBY', prefix .. 'tot:' .. series, figure, delta)
end

local i = 9 + nids
while i <= #ARGV do
  local op = ARGV[i]
  if op == 'H' then
    redis.call('HINCRBY', prefix .. ARGV[i + 1], ARGV[i + 2], ARGV[i + 3])
    i = i + 4
  elseif op == 'S' then
    local post, n = prefix .. 'post:' .. ARGV[i + 1], tonumber(ARGV[i + 2])
    for j = 0, n - 1 do redis.call('HSET', post, ARGV[i + 3 + 2 * j], ARGV[i + 4 + 2 * j]) end
    local published = ARGV[i + 3 + 2 * n]
    if tonumber(published) > 0 then redis.call('ZADD', prefix .. 'posts', published, ARGV[i + 1]) end
    i = i + 4 + 2 * n
  elseif op == 'G' then
    redis.call('ZADD', prefix .. 'g:' .. ARGV[i + 1], ARGV[i + 3], ARGV[i + 2])
    i = i + 4
  elseif op == 'M' then
    local post, observed = prefix .. 'post:' .. ARGV[i + 1], tonumber(ARGV[i + 2])
    local month, index, nseries = ARGV[i + 3], ARGV[i + 4], tonumber(ARGV[i + 5])
    local series = {}
    for j = 1, nseries do series[j] = ARGV[i + 5 + j] end
    local v = i + 6 + nseries
    local nvalues = tonumber(ARGV[v])
    local last = tonumber(redis.call('HGET', post, 'obs') or '-1')
    -- A snapshot not newer than the last one applied (repeated, or late) adds nothing.
    if observed > last then
      redis.call('HSET', post, 'obs', observed)
      -- Every figure the network reported is written, a zero change too: a
      -- period holds a figure exactly when some snapshot in it reported it.
      local has_impressions, has_engagement, engaged_delta = false, false, 0
      for j = 0, nvalues - 1 do
        local figure, value = ARGV[v + 1 + 2 * j], tonumber(ARGV[v + 2 + 2 * j])
        local delta = value - tonumber(redis.call('HGET', post, 'm:' .. figure) or '0')
        redis.call('HSET', post, 'm:' .. figure, value)
        if figure == 'imp' then has_impressions = true end
        if engagement[figure] then has_engagement, engaged_delta = true, engaged_delta + delta end
        for _, s in ipairs(series) do count(s, month, index, figure, delta) end
      end
      if has_engagement then
        for _, s in ipairs(series) do count(s, month, index, 'eng', engaged_delta) end
      end
      local engaged = tonumber(redis.call('HINCRBY', post, 'm:eng', engaged_delta))
      if has_impressions then
        -- Engagements over posts with impressions: the rate's numerator. All
        -- of the post's engagement joins it the first time impressions come.
        local counted = tonumber(redis.call('HGET', post, 'm:engi') or '0')
        redis.call('HSET', post, 'm:engi', engaged)
        for _, s in ipairs(series) do count(s, month, index, 'engi', engaged - counted) end
      end
    end
    i = v + 1 + 2 * nvalues
  else
    return redis.error_reply('unknown op ' .. tostring(op))
  end
end
redis.call('HSET', KEYS[1], tp, epoch .. ':' .. nxt)
return {1}
)lua");

// KEYS: the partition's key. ARGV: epoch, next. Raises within an epoch; a
// newer epoch replaces.
const RedisScript kAdvance(R"lua(
local e = tonumber(redis.call('HGET', KEYS[1], 'epoch') or '-1')
local n = tonumber(redis.call('HGET', KEYS[1], 'next') or '-1')
local epoch, nxt = tonumber(ARGV[1]), tonumber(ARGV[2])
if epoch < e or (epoch == e and nxt <= n) then return 0 end
redis.call('HSET', KEYS[1], 'epoch', epoch, 'next', nxt)
return 1
)lua");

const RedisScript kRebase(R"lua(
local e = tonumber(redis.call('HGET', KEYS[1], 'epoch') or '0') + 1
redis.call('HSET', KEYS[1], 'epoch', e, 'next', ARGV[1])
return e
)lua");

// What one round sends for a slice: the facts at or after `from`, less the
// ids already counted.
struct Round {
  int64_t from = 0;
  absl::flat_hash_set<std::string> excluded;
};

std::pair<RedisClient::Args, RedisClient::Args> CallFor(const Slice& s, const Round& round, int window,
                                                        int64_t now_ms, std::vector<const Fact*>& included) {
  std::string prefix = keys::Prefix(s.workspace_id);
  RedisClient::Args args{prefix,
                         keys::TopicPartition(s.topic, s.partition),
                         std::to_string(s.epoch),
                         std::to_string(std::max(s.first_offset, round.from)),
                         std::to_string(s.next_offset),
                         std::to_string(window),
                         std::to_string(now_ms),
                         ""};
  // Ids once each (a repeat inside the slice is dropped here), counts summed
  // by key and field: a poll of a thousand mentions is a few dozen HINCRBYs.
  absl::flat_hash_set<std::string> ids;
  absl::flat_hash_map<std::pair<std::string, std::string>, int64_t> sums;
  std::vector<std::pair<std::string, std::string>> order;
  std::set<std::pair<std::string, std::string>> groups;
  auto add = [&](std::string key, std::string field, int64_t delta) {
    auto [it, fresh] = sums.try_emplace({std::move(key), std::move(field)}, 0);
    if (fresh) order.push_back(it->first);
    it->second += delta;
  };
  RedisClient::Args ops;
  for (size_t i = 0; i < s.facts.size(); ++i) {
    const Fact& f = *s.facts[i];
    if (s.offsets[i] < round.from) continue;
    if (!f.dedupe_id.empty()) {
      if (round.excluded.contains(f.dedupe_id) || !ids.insert(f.dedupe_id).second) continue;
    }
    included.push_back(&f);
    keys::MonthSlot slot = keys::SlotOf(f.bucket_ms);
    for (const auto& c : f.counts) {
      add(keys::BucketKey(c.series, slot.month), keys::BucketField(c.figure, slot.index), c.delta);
      add(keys::TotalKey(c.series), c.figure, c.delta);
    }
    if (f.post) {
      ops.insert(ops.end(), {"S", f.post->post_id, std::to_string(f.post->fields.size())});
      for (const auto& [k, v] : f.post->fields) ops.insert(ops.end(), {k, v});
      ops.push_back(std::to_string(f.post->published_ms));
    }
    if (f.snapshot) {
      const Snapshot& m = *f.snapshot;
      ops.insert(ops.end(), {"M", m.post_id, std::to_string(m.observed_ms), slot.month, std::to_string(slot.index),
                             std::to_string(m.series.size())});
      ops.insert(ops.end(), m.series.begin(), m.series.end());
      ops.push_back(std::to_string(m.values.size()));
      for (const auto& [figure, value] : m.values) ops.insert(ops.end(), {figure, std::to_string(value)});
    }
    for (const auto& g : f.groups) groups.insert(g);
  }
  args[7] = std::to_string(ids.size());
  for (const auto& f : included) {
    if (!f->dedupe_id.empty()) args.push_back(f->dedupe_id);
  }
  for (const auto& k : order) args.insert(args.end(), {"H", k.first, k.second, std::to_string(sums[k])});
  for (const auto& [kind, id] : groups) args.insert(args.end(), {"G", kind, id, std::to_string(now_ms)});
  args.insert(args.end(), std::make_move_iterator(ops.begin()), std::make_move_iterator(ops.end()));
  return {{prefix + "pos", prefix + "seen"}, std::move(args)};
}

}  // namespace

absl::StatusOr<std::vector<SliceResult>> RollupStore::Apply(const std::vector<Slice>& slices, int64_t now_ms) {
  std::vector<SliceResult> results(slices.size());
  std::vector<Round> rounds(slices.size());
  std::vector<size_t> pending(slices.size());
  for (size_t i = 0; i < slices.size(); ++i) pending[i] = i;
  // A slice needs a second round when it straddles its position or carries
  // a repeat; a third only if another writer raced it in between.
  for (int attempt = 0; !pending.empty(); ++attempt) {
    if (attempt == 8) return absl::AbortedError("rollup slices kept changing under the apply");
    std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
    std::vector<std::vector<const Fact*>> included(pending.size());
    for (size_t j = 0; j < pending.size(); ++j) {
      calls.push_back(CallFor(slices[pending[j]], rounds[pending[j]], dedupe_window_, now_ms, included[j]));
    }
    auto replies = redis_.EvalPipeline(kApply, calls);
    if (!replies.ok()) return replies.status();
    std::vector<size_t> again;
    for (size_t j = 0; j < pending.size(); ++j) {
      const RedisReply& r = (*replies)[j];
      size_t i = pending[j];
      if (r.is_error()) return absl::InternalError("rollup apply: " + r.str);
      if (r.elements.empty()) return absl::InternalError("rollup apply: empty reply");
      switch (r.elements[0].AsInt()) {
        case 1:
          results[i].outcome = SliceResult::Outcome::kApplied;
          results[i].applied = std::move(included[j]);
          break;
        case 2:
          results[i].outcome = SliceResult::Outcome::kAlreadyApplied;
          break;
        case 3:
          if (r.elements.size() < 2) return absl::InternalError("rollup apply: reply 3 without offset");
          rounds[i].from = r.elements[1].AsInt();
          again.push_back(i);
          break;
        case 4:
          for (size_t k = 1; k < r.elements.size(); ++k) rounds[i].excluded.insert(r.elements[k].str);
          again.push_back(i);
          break;
        default:
          results[i].outcome = SliceResult::Outcome::kStale;
          break;
      }
    }
    pending = std::move(again);
  }
  return results;
}

absl::StatusOr<std::optional<PartitionPosition>> RollupStore::Position(const std::string& topic, int32_t partition) {
  auto r = redis_.Command({"HMGET", keys::PartitionKey(topic, partition), "epoch", "next"});
  if (!r.ok()) return r.status();
  if (r->elements.size() != 2 || r->elements[1].is_nil()) return std::optional<PartitionPosition>();
  PartitionPosition p;
  p.epoch = r->elements[0].is_nil() ? 0 : r->elements[0].AsInt();
  p.next = r->elements[1].AsInt();
  return std::optional<PartitionPosition>(p);
}

absl::Status RollupStore::Advance(const std::vector<std::pair<std::string, int32_t>>& partitions,
                                  const std::vector<PartitionPosition>& positions) {
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  for (size_t i = 0; i < partitions.size(); ++i) {
    calls.push_back({{keys::PartitionKey(partitions[i].first, partitions[i].second)},
                     {std::to_string(positions[i].epoch), std::to_string(positions[i].next)}});
  }
  if (calls.empty()) return absl::OkStatus();
  auto replies = redis_.EvalPipeline(kAdvance, calls);
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    if (r.is_error()) return absl::InternalError("rollup advance: " + r.str);
  }
  return absl::OkStatus();
}

absl::StatusOr<PartitionPosition> RollupStore::Rebase(const std::string& topic, int32_t partition, int64_t next) {
  auto r = redis_.Eval(kRebase, {keys::PartitionKey(topic, partition)}, {std::to_string(next)});
  if (!r.ok()) return r.status();
  if (r->is_error()) return absl::InternalError("rollup rebase: " + r->str);
  return PartitionPosition{r->AsInt(), next};
}

}  // namespace herald::analytics
