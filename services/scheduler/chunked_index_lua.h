#pragma once
// A sorted index stored as small sorted sets, as a Lua prelude for the post
// store's scripts.
//
// Why: a Redis sorted set over ~128 entries switches to a skiplist that costs
// about 120 bytes per entry; one kept small stays a listpack at about 40. The
// due index and each workspace's listing index hold one entry per post, so
// this is most of the difference between ~680 and ~420 bytes per post.
//
// Layout for an index named D:
//   D        directory ZSET: chunk number → the lowest score that chunk covers
//   D#<n>    chunk ZSET: member → score (kept under kChunkSplit entries)
// Chunks partition the score line: an entry with score s lives in the chunk
// with the largest start ≤ s, and a run of equal scores is never split across
// chunks, so every chunk covers one contiguous range of (score, member) order.
// A caller removes an entry by (score, member), so it must know the score it
// was added with. Chunk numbers come from a counter key passed in by the
// caller. Chunk keys are derived, not declared: they share D's hash tag, so
// the scripts still run on Redis Cluster (one slot per shard).
namespace herald::scheduler {

inline constexpr const char* kChunkedIndexLua = R"lua(
local CHUNK_SPLIT = 96

local function ci_home(dir, s)
  return redis.call('ZREVRANGEBYSCORE', dir, s, '-inf', 'LIMIT', 0, 1)[1]
end

local function ci_split(dir, seq, key)
  local all = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  local n = #all / 2
  local function score(i) return tonumber(all[2 * i + 2]) end
  -- the cut nearest the middle where the score changes (0-based entry index)
  local mid, cut = math.floor(n / 2), nil
  for d = 0, n do
    for _, i in ipairs({mid - d, mid + d}) do
      if i >= 1 and i <= n - 1 and score(i) ~= score(i - 1) then cut = i break end
    end
    if cut or (mid - d < 1 and mid + d > n - 1) then break end
  end
  if not cut then return end  -- one run of equal scores: stays whole
  local moved = {}
  for i = cut, n - 1 do
    moved[#moved + 1] = all[2 * i + 2]
    moved[#moved + 1] = all[2 * i + 1]
  end
  local c = redis.call('INCR', seq)
  redis.call('ZADD', dir, score(cut), c)
  redis.call('ZADD', dir .. '#' .. c, unpack(moved))
  redis.call('ZREMRANGEBYRANK', key, cut, -1)
end

local function ci_add(dir, seq, s, m)
  local c = ci_home(dir, s)
  if not c then
    -- below every chunk: the first chunk's range grows down (or the first chunk is made)
    c = redis.call('ZRANGE', dir, 0, 0)[1] or redis.call('INCR', seq)
    redis.call('ZADD', dir, s, c)
  end
  local key = dir .. '#' .. c
  redis.call('ZADD', key, s, m)
  if redis.call('ZCARD', key) > CHUNK_SPLIT then ci_split(dir, seq, key) end
end

local function ci_rem(dir, s, m)
  local c = ci_home(dir, s)
  if not c then return 0 end
  local key = dir .. '#' .. c
  local removed = redis.call('ZREM', key, m)
  if removed == 1 and redis.call('EXISTS', key) == 0 then redis.call('ZREM', dir, c) end
  return removed
end

local function ci_has(dir, s, m)
  local c = ci_home(dir, s)
  return c ~= nil and redis.call('ZSCORE', dir .. '#' .. c, m) ~= false
end

-- Removes and returns up to limit entries with score <= max, lowest first,
-- as {member, score, member, score, ...}.
local function ci_pop(dir, max, limit)
  local out = {}
  while #out < 2 * limit do
    local c = redis.call('ZRANGE', dir, 0, 0)[1]
    if not c then break end
    local key = dir .. '#' .. c
    local got = redis.call('ZRANGEBYSCORE', key, '-inf', max, 'WITHSCORES', 'LIMIT', 0, limit - #out / 2)
    if #got == 0 then break end
    redis.call('ZREMRANGEBYRANK', key, 0, #got / 2 - 1)
    for i = 1, #got do out[#out + 1] = got[i] end
    if redis.call('EXISTS', key) == 1 then break end
    redis.call('ZREM', dir, c)
  end
  return out
end

-- The lowest score in the index, or nil.
local function ci_first(dir)
  local c = redis.call('ZRANGE', dir, 0, 0)[1]
  if not c then return nil end
  return redis.call('ZRANGE', dir .. '#' .. c, 0, 0, 'WITHSCORES')[2]
end

-- Up to limit entries after (after_s, after_m) with score in [min, max], in
-- (score, member) order, as {member, score, ...}. after_s = nil starts at min.
local function ci_range(dir, min, max, after_s, after_m, limit)
  local out = {}
  local from = min
  if after_s and after_s > from then from = after_s end
  local start = redis.call('ZREVRANGEBYSCORE', dir, from, '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if #start == 0 then start = redis.call('ZRANGE', dir, 0, 0, 'WITHSCORES') end
  local c, cs = start[1], start[2]
  while c and #out < 2 * limit do
    if tonumber(cs) > max then break end
    local got = redis.call('ZRANGEBYSCORE', dir .. '#' .. c, from, max, 'WITHSCORES')
    for i = 1, #got, 2 do
      local s = tonumber(got[i + 1])
      if not after_s or s > after_s or (s == after_s and got[i] > after_m) then
        out[#out + 1] = got[i]
        out[#out + 1] = got[i + 1]
        if #out >= 2 * limit then break end
      end
    end
    local nxt = redis.call('ZRANGEBYSCORE', dir, '(' .. cs, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
    c, cs = nxt[1], nxt[2]
  end
  return out
end

-- Entries in the index (sums the chunks: for gauges, not hot paths).
local function ci_count(dir)
  local n = 0
  for _, c in ipairs(redis.call('ZRANGE', dir, 0, -1)) do n = n + redis.call('ZCARD', dir .. '#' .. c) end
  return n
end
)lua";

}  // namespace herald::scheduler
