#include "publisher/rate_limiter.h"

#include <algorithm>

namespace herald::publisher {
namespace {

// Emission interval of a window in ms per unit of cost, and the tolerance
// that lets Burst() calls through back to back.
double Interval(const QuotaWindow& w) {
  return static_cast<double>(w.window_ms) / static_cast<double>(std::max<int64_t>(1, w.limit - w.Burst()));
}
double Tolerance(const QuotaWindow& w) { return static_cast<double>(w.Burst() - 1) * Interval(w); }

// KEYS: one per window (all with one hash tag; "<key>:q<rank>" shares it).
// ARGV: now_ms, reserve share, rank, background (1/0), then (interval,
// window_ms, cost, tolerance) per window. A call fits a window when its stored
// arrival time is at most now + tolerance - slack: a class's reserve share of
// the tolerance (at least of one interval), and for background work one whole
// interval more, so after its call a post or a reply still fits. Returns
// {1, 0} or {0, retry_after_ms}.
const RedisScript kAcquire(R"lua(
local now = tonumber(ARGV[1])
local reserve = tonumber(ARGV[2])
local rank = tonumber(ARGV[3])
local background = tonumber(ARGV[4])
local function slack(t, tau)
  return reserve * math.max(tau, t) + background * t
end
local news, wait = {}, 0
for i, key in ipairs(KEYS) do
  local a = 4 * i + 1
  local t, window, cost, tau = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local tat = tonumber(redis.call('GET', key) or '0')
  local late = tat - (now + tau - slack(t, tau))
  if late > wait then wait = late end
  news[i] = math.max(tat, now) + t * cost
end
-- arrival times are stored to the microsecond: ignore less than that
if wait > 0.001 then
  -- Denied: promise the call the slot after every call of its class or a
  -- higher one deferred before it ("<key>:q<rank>" is the arrival time the
  -- last promise of that class leads to), so deferred calls come back one
  -- per interval instead of all at once, and the promises a lower class
  -- piles up never push a higher class back.
  local at = 0
  for i, key in ipairs(KEYS) do
    local a = 4 * i + 1
    local t, window, cost, tau = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
    local q = tonumber(redis.call('GET', key) or '0')
    for r = 0, rank do q = math.max(q, tonumber(redis.call('GET', key .. ':q' .. r) or '0')) end
    -- (never promised more than a window ahead: callers that do not come back
    -- at their slot must not push everyone else out indefinitely)
    q = math.min(q, now + window)
    local fits = q - tau + slack(t, tau)
    if fits > at then at = fits end
    redis.call('SET', key .. ':q' .. rank, string.format('%.3f', q + t * cost), 'PX', math.ceil(q + t * cost - now + window))
  end
  return {0, tostring(math.max(1, math.ceil(at - now)))}
end
for i, key in ipairs(KEYS) do
  redis.call('SET', key, string.format('%.3f', news[i]), 'PX', math.ceil(news[i] - now + tonumber(ARGV[4 * i + 2])))
end
return {1, '0'}
)lua");

// KEYS: windows. ARGV: until_ms, then (window_ms, tolerance) per window.
// Pushes each window's arrival time so nothing fits before until_ms.
const RedisScript kBlock(R"lua(
local until_ms = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local want = until_ms + tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat < want then
    redis.call('SET', key, string.format('%.3f', want), 'PX', math.ceil(want - until_ms + tonumber(ARGV[2 * i])) + 1000)
  end
end
return 1
)lua");

std::pair<RedisClient::Args, RedisClient::Args> Call(const QuotaPlan& plan, QuotaClass c, int64_t now_ms) {
  RedisClient::Args keys, args{std::to_string(now_ms), std::to_string(c.reserve), std::to_string(c.rank),
                               c.background ? "1" : "0"};
  for (const auto& charge : plan) {
    keys.push_back(charge.key);
    args.push_back(std::to_string(Interval(charge.window)));
    args.push_back(std::to_string(charge.window.window_ms));
    args.push_back(std::to_string(charge.cost));
    args.push_back(std::to_string(Tolerance(charge.window)));
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

const std::string& RateLimiter::AcquireScriptSha() { return kAcquire.sha1(); }

absl::StatusOr<QuotaDecision> RateLimiter::Acquire(const QuotaPlan& plan, QuotaClass c, TimePoint now) {
  const int64_t now_ms = Ms(now);
  if (plan.empty()) return QuotaDecision{true, 0};
  auto [keys, args] = Call(plan, c, now_ms);
  auto r = redis_.Eval(kAcquire, keys, args);
  if (!r.ok()) return r.status();
  if (r->is_error()) return absl::InternalError("rate limiter: " + r->str);
  return Decode(*r);
}

absl::StatusOr<std::vector<QuotaDecision>> RateLimiter::AcquireMany(const std::vector<QuotaPlan>& plans,
                                                                    QuotaClass c, TimePoint now) {
  const int64_t now_ms = Ms(now);
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  calls.reserve(plans.size());
  for (const auto& p : plans) calls.push_back(Call(p, c, now_ms));
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

absl::Status RateLimiter::BlockUntil(const QuotaPlan& plan, TimePoint until) {
  const int64_t until_ms = Ms(until);
  if (plan.empty()) return absl::OkStatus();
  RedisClient::Args keys, args{std::to_string(until_ms)};
  for (const auto& c : plan) {
    keys.push_back(c.key);
    args.push_back(std::to_string(c.window.window_ms));
    args.push_back(std::to_string(Tolerance(c.window)));
  }
  auto r = redis_.Eval(kBlock, keys, args);
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::StatusOr<std::vector<QuotaHeadroom>> RateLimiter::Headroom(const QuotaPlan& plan, TimePoint now) {
  const int64_t now_ms = Ms(now);
  std::vector<RedisClient::Args> cmds;
  for (const auto& c : plan) cmds.push_back({"GET", c.key});
  std::vector<QuotaHeadroom> out;
  if (cmds.empty()) return out;
  auto replies = redis_.Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < plan.size(); ++i) {
    const auto& r = (*replies)[i];
    double tat = r.is_nil() ? 0 : std::atof(r.str.c_str());
    double t = Interval(plan[i].window);
    QuotaHeadroom h;
    h.window = plan[i].window;
    // Room before the arrival time passes now + tolerance, one call per interval.
    double room = static_cast<double>(now_ms) + Tolerance(plan[i].window) - std::max(tat, static_cast<double>(now_ms));
    h.available = room < 0 ? 0 : std::min<int64_t>(plan[i].window.Burst(), static_cast<int64_t>(room / t) + 1);
    h.next_ms = room < 0 ? static_cast<int64_t>(tat - Tolerance(plan[i].window)) : now_ms;
    out.push_back(h);
  }
  return out;
}

}  // namespace herald::publisher
