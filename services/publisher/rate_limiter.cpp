#include "publisher/rate_limiter.h"

namespace herald::publisher {
namespace {

// GCRA over several windows. KEYS: one per window. ARGV: now_ms, cost, then
// (limit, window_ms) per window. Emission interval T = window/limit; a request
// fits when its new arrival time is at most one window ahead of now.
// Returns {1, 0} or {0, retry_after_ms}.
const RedisScript kAcquire(R"lua(
local now = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local news = {}
local wait = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[1 + 2 * i])
  local window = tonumber(ARGV[2 + 2 * i])
  local t = window / limit
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local new_tat = tat + t * cost
  local excess = new_tat - now - window
  if excess > 0 then
    if excess > wait then wait = excess end
  end
  news[i] = new_tat
end
if wait > 0 then return {0, tostring(math.ceil(wait))} end
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[2 + 2 * i])
  redis.call('SET', key, tostring(news[i]), 'PX', math.ceil(news[i] - now + window))
end
return {1, '0'}
)lua");

// KEYS: windows. ARGV: until_ms, then window_ms per window. Pushes each
// window's arrival time so nothing fits before until_ms.
const RedisScript kBlock(R"lua(
local until_ms = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[1 + i])
  local tat = tonumber(redis.call('GET', key) or 0)
  local want = until_ms + window
  if tat < want then redis.call('SET', key, tostring(want), 'PX', math.ceil(window * 2)) end
end
return 1
)lua");

std::pair<RedisClient::Args, RedisClient::Args> Call(const std::string& scope, const std::vector<QuotaWindow>& windows,
                                                     int64_t now_ms, int64_t cost) {
  RedisClient::Args keys, args{std::to_string(now_ms), std::to_string(cost)};
  for (const auto& w : windows) {
    keys.push_back("rl:{" + scope + "}:" + w.name);
    args.push_back(std::to_string(w.limit));
    args.push_back(std::to_string(w.window_ms));
  }
  return {keys, args};
}

QuotaDecision Decode(const RedisReply& r) {
  QuotaDecision d;
  if (r.elements.size() == 2) {
    d.allowed = r.elements[0].AsInt() == 1;
    d.retry_after_ms = r.elements[1].AsInt();
  }
  return d;
}

}  // namespace

absl::StatusOr<QuotaDecision> RateLimiter::Acquire(const std::string& scope, const std::vector<QuotaWindow>& windows,
                                                   int64_t now_ms, int64_t cost) {
  if (windows.empty()) return QuotaDecision{true, 0};
  auto [keys, args] = Call(scope, windows, now_ms, cost);
  auto r = redis_.Eval(kAcquire, keys, args);
  if (!r.ok()) return r.status();
  return Decode(*r);
}

absl::StatusOr<std::vector<QuotaDecision>> RateLimiter::AcquireMany(const std::vector<std::string>& scopes,
                                                                    const std::vector<QuotaWindow>& windows,
                                                                    int64_t now_ms) {
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  calls.reserve(scopes.size());
  for (const auto& s : scopes) calls.push_back(Call(s, windows, now_ms, 1));
  auto replies = redis_.EvalPipeline(kAcquire, calls);
  if (!replies.ok()) return replies.status();
  std::vector<QuotaDecision> out;
  out.reserve(replies->size());
  for (const auto& r : *replies) {
    if (r.is_error()) return absl::InternalError("rate limiter: " + r.str);
    out.push_back(Decode(r));
  }
  return out;
}

absl::Status RateLimiter::BlockUntil(const std::string& scope, const std::vector<QuotaWindow>& windows,
                                     int64_t until_ms) {
  RedisClient::Args keys, args{std::to_string(until_ms)};
  for (const auto& w : windows) {
    keys.push_back("rl:{" + scope + "}:" + w.name);
    args.push_back(std::to_string(w.window_ms));
  }
  auto r = redis_.Eval(kBlock, keys, args);
  return r.ok() ? absl::OkStatus() : r.status();
}

}  // namespace herald::publisher
