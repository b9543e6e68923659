#include "analytics/store/rollup_store.h"

#include "analytics/store/apply_args.h"
#include "analytics/store/rollup_keys.h"

namespace herald::analytics {
namespace {

// KEYS: pos, seen. ARGV: prefix, window, now ms, segment count, then per
// segment "<topic>/<p>", epoch, first, next; id count, the ids; operations:
//   B key field changes                   a day's buckets of one figure: "q:delta,…" appended to the
//                                         field (summed on read; rendered by the client, apply_args.h)
//   H key field delta                     all-time totals (HINCRBY)
//   S post n (field value)×n published_ms first_read_ms
//                                         the post's record (+ index when published_ms > 0,
//                                         + its first metrics read, once, when first_read_ms > 0)
//   G kind id ms                          a group seen (a channel's first: its followers read is queued)
//   M subject observed month day quarter from_zero n_series series… n_values (figure value)…
//                                         a snapshot of "post:<id>" or "chan:<id>": count its change
//                                         since the subject's last; a first one counts in full when
//                                         from_zero is 1 (a post), else it is only the baseline
// Returns {1} applied; {3, (segment, code, stored)…} for segments to fix
// first (code 2: wholly applied, 3: applied up to `stored`, 0: an older
// epoch); {4, id…} ids already counted.
//
// The client sums a slice's counts (one B per field, one H per total), so
// the script's work per op is a command or two; only snapshots, whose
// changes depend on stored state, are summed here.
const RedisScript kApply(R"lua(
local prefix, window, now = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local nseg = tonumber(ARGV[4])
local fix = {}
for s = 0, nseg - 1 do
  local at = 5 + 4 * s
  local stored = redis.call('HGET', KEYS[1], ARGV[at])
  if stored then
    local se, so = string.match(stored, '^(%d+):(%d+)$')
    se, so = tonumber(se), tonumber(so)
    local epoch, first, nxt = tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3])
    if epoch < se then
      fix[#fix + 1] = s; fix[#fix + 1] = 0; fix[#fix + 1] = so
    elseif epoch == se and nxt <= so then
      fix[#fix + 1] = s; fix[#fix + 1] = 2; fix[#fix + 1] = so
    elseif epoch == se and first < so then
      fix[#fix + 1] = s; fix[#fix + 1] = 3; fix[#fix + 1] = so
    end
  end
end
if #fix > 0 then return {3, unpack(fix)} end

local i = 5 + 4 * nseg
local nids = tonumber(ARGV[i])
local ids_at = i + 1
i = ids_at + nids
local CHUNK = 500
local dups = {}
for c = ids_at, ids_at + nids - 1, CHUNK do
  local last = math.min(c + CHUNK - 1, ids_at + nids - 1)
  local scores = redis.call('ZMSCORE', KEYS[2], unpack(ARGV, c, last))
  for k = 1, #scores do
    if scores[k] then dups[#dups + 1] = ARGV[c + k - 1] end
  end
end
if #dups > 0 then return {4, unpack(dups)} end
for c = ids_at, ids_at + nids - 1, CHUNK do
  local last = math.min(c + CHUNK - 1, ids_at + nids - 1)
  local members = {}
  for k = c, last do members[#members + 1] = now; members[#members + 1] = ARGV[k] end
  redis.call('ZADD', KEYS[2], unpack(members))
end
if nids > 0 then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -window - 1) end

-- A field's changes are appended ("q:delta,…"; the reader sums repeats):
-- no parse on the hot path. A field grown long is folded back to one entry
-- per quarter first, so it stays a few hundred bytes.
local function fold(value)
  local sums, order = {}, {}
  for q, c in string.gmatch(value, '(%d+):(-?%d+)') do
    q = tonumber(q)
    if not sums[q] then order[#order + 1] = q; sums[q] = 0 end
    sums[q] = sums[q] + tonumber(c)
  end
  table.sort(order)
  local parts = {}
  for _, q in ipairs(order) do parts[#parts + 1] = q .. ':' .. string.format('%d', sums[q]) end
  return table.concat(parts, ',')
end
local function append(key, field, add)
  local cur = redis.call('HGET', key, field)
  if cur then
    if #cur > 1024 then cur = fold(cur) end
    add = cur .. ',' .. add
  end
  redis.call('HSET', key, field, add)
end

-- Snapshot changes gather here (key → field → quarter → delta, key → field
-- → delta) and are written once at the end.
local pending, totals = {}, {}
local function add_bucket(key, field, quarter, delta)
  local k = pending[key]
  if not k then k = {}; pending[key] = k end
  local f = k[field]
  if not f then f = {}; k[field] = f end
  f[quarter] = (f[quarter] or 0) + delta
end
local function add_total(key, field, delta)
  local k = totals[key]
  if not k then k = {}; totals[key] = k end
  k[field] = (k[field] or 0) + delta
end

local engagement = {lik = true, rep = true, rps = true, quo = true, sav = true, clk = true}
while i <= #ARGV do
  local op = ARGV[i]
  if op == 'B' then
    append(prefix .. ARGV[i + 1], ARGV[i + 2], ARGV[i + 3])
    i = i + 4
  elseif op == 'H' then
    redis.call('HINCRBY', prefix .. ARGV[i + 1], ARGV[i + 2], ARGV[i + 3])
    i = i + 4
  elseif op == 'S' then
    local post, n = prefix .. 'post:' .. ARGV[i + 1], tonumber(ARGV[i + 2])
    redis.call('HSET', post, unpack(ARGV, i + 3, i + 2 + 2 * n))
    local published, first_read = ARGV[i + 3 + 2 * n], ARGV[i + 4 + 2 * n]
    if tonumber(published) > 0 then redis.call('ZADD', prefix .. 'posts', published, ARGV[i + 1]) end
    -- Once: a repeated result does not move a read already queued or done.
    if tonumber(first_read) > 0 and redis.call('HSETNX', post, 'rq', '1') == 1 then
      redis.call('ZADD', prefix .. 'mdue', 'NX', first_read, ARGV[i + 1])
    end
    i = i + 5 + 2 * n
  elseif op == 'G' then
    redis.call('ZADD', prefix .. 'g:' .. ARGV[i + 1], ARGV[i + 3], ARGV[i + 2])
    -- A channel seen for the first time has its followers read now.
    if ARGV[i + 1] == 'c' then redis.call('ZADD', prefix .. 'cdue', 'NX', ARGV[i + 3], ARGV[i + 2]) end
    i = i + 4
  elseif op == 'M' then
    local post, observed = prefix .. ARGV[i + 1], tonumber(ARGV[i + 2])
    local month, day, quarter, from_zero = ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6] == '1'
    local nseries = tonumber(ARGV[i + 7])
    local bucket_keys, total_keys = {}, {}
    for j = 1, nseries do
      bucket_keys[j] = prefix .. 'b:' .. ARGV[i + 7 + j] .. ':' .. month
      total_keys[j] = prefix .. 'tot:' .. ARGV[i + 7 + j]
    end
    local v = i + 8 + nseries
    local nvalues = tonumber(ARGV[v])
    local function count(figure, delta)
      local field = figure .. '@' .. day
      for j = 1, nseries do
        add_bucket(bucket_keys[j], field, quarter, delta)
        add_total(total_keys[j], figure, delta)
      end
    end
    -- A snapshot not newer than the last one applied (repeated, or late) adds nothing.
    local previous = redis.call('HGET', post, 'obs')
    if not previous and not from_zero then
      -- The baseline: remembered, counted from the next one on.
      local writes = {'obs', observed}
      for j = 0, nvalues - 1 do
        writes[#writes + 1] = 'm:' .. ARGV[v + 1 + 2 * j]; writes[#writes + 1] = ARGV[v + 2 + 2 * j]
      end
      redis.call('HSET', post, unpack(writes))
    elseif observed > tonumber(previous or '-1') then
      local fields = {'m:eng', 'm:engi'}
      for j = 0, nvalues - 1 do fields[#fields + 1] = 'm:' .. ARGV[v + 1 + 2 * j] end
      local last = redis.call('HMGET', post, unpack(fields))
      local engaged, counted = tonumber(last[1] or '0'), tonumber(last[2] or '0')
      local writes = {'obs', observed}
      -- Every figure the network reported is counted, a zero change too: a
      -- period holds a figure exactly when some snapshot in it reported it.
      local has_impressions, has_engagement, engaged_delta = false, false, 0
      for j = 0, nvalues - 1 do
        local figure, value = ARGV[v + 1 + 2 * j], tonumber(ARGV[v + 2 + 2 * j])
        local delta = value - tonumber(last[3 + j] or '0')
        writes[#writes + 1] = 'm:' .. figure; writes[#writes + 1] = value
        if figure == 'imp' then has_impressions = true end
        if engagement[figure] then has_engagement, engaged_delta = true, engaged_delta + delta end
        count(figure, delta)
      end
      if has_engagement then count('eng', engaged_delta) end
      engaged = engaged + engaged_delta
      writes[#writes + 1] = 'm:eng'; writes[#writes + 1] = engaged
      if has_impressions then
        -- Engagements over posts with impressions: the rate's numerator. All
        -- of the post's engagement joins it the first time impressions come.
        writes[#writes + 1] = 'm:engi'; writes[#writes + 1] = engaged
        count('engi', engaged - counted)
      end
      redis.call('HSET', post, unpack(writes))
    end
    i = v + 1 + 2 * nvalues
  else
    return redis.error_reply('unknown op ' .. tostring(op))
  end
end

for key, fields in pairs(pending) do
  for field, quarters in pairs(fields) do
    local parts = {}
    for q, d in pairs(quarters) do parts[#parts + 1] = q .. ':' .. string.format('%d', d) end
    append(key, field, table.concat(parts, ','))
  end
end
for key, fields in pairs(totals) do
  for field, delta in pairs(fields) do redis.call('HINCRBY', key, field, string.format('%d', delta)) end
end

for s = 0, nseg - 1 do
  local at = 5 + 4 * s
  redis.call('HSET', KEYS[1], ARGV[at], ARGV[at + 1] .. ':' .. ARGV[at + 3])
end
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

}  // namespace

absl::StatusOr<std::vector<SliceResult>> RollupStore::Apply(const std::vector<Slice>& slices, int64_t now_ms) {
  std::vector<SliceResult> results(slices.size());
  std::vector<ApplyRound> rounds(slices.size());
  for (size_t i = 0; i < slices.size(); ++i) {
    rounds[i].from.resize(slices[i].segments.size());
    rounds[i].dropped.resize(slices[i].segments.size());
    for (size_t g = 0; g < slices[i].segments.size(); ++g) rounds[i].from[g] = slices[i].segments[g].first_offset;
  }
  std::vector<size_t> pending;
  for (size_t i = 0; i < slices.size(); ++i) pending.push_back(i);
  // A slice needs a second round when a segment straddles its position or
  // it carries a repeat; a third only if another writer raced it between.
  for (int attempt = 0; !pending.empty(); ++attempt) {
    if (attempt == 8) return absl::AbortedError("rollup slices kept changing under the apply");
    std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
    std::vector<std::vector<const Fact*>> included(pending.size());
    std::vector<std::vector<uint32_t>> sent(pending.size());
    std::vector<size_t> calling;
    for (size_t j = 0; j < pending.size(); ++j) {
      auto call = ApplyArgs(slices[pending[j]], rounds[pending[j]], dedupe_window_, now_ms, included[j], sent[j]);
      if (sent[j].empty()) continue;  // every segment dropped: nothing to write
      calls.push_back(std::move(call));
      calling.push_back(j);
    }
    if (calls.empty()) break;
    auto replies = redis_.EvalPipeline(kApply, calls);
    if (!replies.ok()) return replies.status();
    std::vector<size_t> again;
    for (size_t c = 0; c < calling.size(); ++c) {
      size_t j = calling[c], i = pending[j];
      const RedisReply& r = (*replies)[c];
      if (r.is_error()) return absl::InternalError("rollup apply: " + r.str);
      if (r.elements.empty()) return absl::InternalError("rollup apply: empty reply");
      int64_t code = r.elements[0].AsInt();
      if (code == 1) {
        results[i].committed = true;
        results[i].applied = std::move(included[j]);
      } else if (code == 3) {
        for (size_t k = 1; k + 2 < r.elements.size(); k += 3) {
          auto at = static_cast<size_t>(r.elements[k].AsInt());
          if (at >= sent[j].size()) return absl::InternalError("rollup apply: no such segment in the reply");
          uint32_t segment = sent[j][at];
          int64_t what = r.elements[k + 1].AsInt(), stored = r.elements[k + 2].AsInt();
          if (what == 0) {
            rounds[i].dropped[segment] = true;
            ++results[i].stale_segments;
          } else {
            rounds[i].from[segment] = stored;
          }
        }
        again.push_back(i);
      } else if (code == 4) {
        for (size_t k = 1; k < r.elements.size(); ++k) rounds[i].excluded.insert(r.elements[k].str);
        again.push_back(i);
      } else {
        return absl::InternalError("rollup apply: unexpected reply " + std::to_string(code));
      }
    }
    pending = std::move(again);
  }
  return results;
}

absl::Status RollupStore::ListForMetricReads(const std::set<std::string>& workspaces) {
  if (workspaces.empty()) return absl::OkStatus();
  RedisClient::Args sadd{"SADD", kMetricsWorkspacesKey};
  sadd.insert(sadd.end(), workspaces.begin(), workspaces.end());
  auto r = redis_.Command(sadd);
  if (!r.ok()) return r.status();
  if (r->is_error()) return absl::InternalError("listing workspaces for metric reads: " + r->str);
  return absl::OkStatus();
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
