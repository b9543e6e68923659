#include "publisher/webhooks/webhook_store.h"

#include <algorithm>

namespace herald::publisher {
namespace {


constexpr const char* kDue = "{wh}:due";
constexpr const char* kRecordTtlSeconds = "604800";  // 7 days
constexpr int kAttemptsKept = 1000;

std::string Index(const std::string& ws) { return "wh:{" + ws + "}:hooks"; }
std::string HookKey(const std::string& ws, const std::string& id) { return "wh:{" + ws + "}:hook:" + id; }
std::string RecordKey(const std::string& ws, const std::string& hook, const std::string& event) {
  return "wh:{" + ws + "}:dlv:" + hook + ":" + event;
}
std::string AttemptsKey(const std::string& ws, const std::string& hook) { return "wh:{" + ws + "}:att:" + hook; }

// KEYS: record. ARGV: type, body. Returns 1 when the delivery is (still) pending.
const RedisScript kRecord(R"lua(
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'delivered' or state == 'gave_up' then return 0 end
if not state then
  redis.call('HSET', KEYS[1], 'type', ARGV[1], 'body', ARGV[2], 'state', 'pending', 'attempts', 0)
  redis.call('EXPIRE', KEYS[1], ARGV[3])
end
return 1
)lua");

// KEYS: due. ARGV: now, lease, max. The due members, pushed a lease ahead.
const RedisScript kClaim(R"lua(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, m in ipairs(due) do redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), m) end
return due
)lua");

// KEYS: record, attempts. ARGV: state, attempt bytes, attempts kept.
const RedisScript kAttempt(R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'state', ARGV[1])
  redis.call('HINCRBY', KEYS[1], 'attempts', 1)
end
redis.call('LPUSH', KEYS[2], ARGV[2])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[3]) - 1)
return 1
)lua");

// KEYS: hook, index. ARGV: webhook bytes, sealed secret, id.
const RedisScript kPut(R"lua(
redis.call('HSET', KEYS[1], 'hook', ARGV[1], 'secret', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
return 1
)lua");

// KEYS: hook, index, attempts. ARGV: id.
const RedisScript kDelete(R"lua(
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[3])
return 1
)lua");

}  // namespace

absl::Status WebhookStore::Put(const v1::Webhook& webhook, const std::string& secret) {
  v1::Webhook stored = webhook;
  stored.clear_secret();
  auto r = redis_.Eval(kPut, {HookKey(webhook.workspace_id(), webhook.id()), Index(webhook.workspace_id())},
                       {stored.SerializeAsString(), box_.Seal(secret), webhook.id()});
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::StatusOr<std::vector<v1::Webhook>> WebhookStore::List(const std::string& ws) {
  auto ids = redis_.Command({"SMEMBERS", Index(ws)});
  if (!ids.ok()) return ids.status();
  std::vector<v1::Webhook> out;
  if (ids->elements.empty()) return out;
  std::vector<RedisClient::Args> cmds;
  for (const auto& id : ids->elements) cmds.push_back({"HGET", HookKey(ws, id.str), "hook"});
  auto replies = redis_.Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    v1::Webhook w;
    if (!r.is_nil() && w.ParseFromString(r.str)) out.push_back(std::move(w));
  }
  std::sort(out.begin(), out.end(), [](const v1::Webhook& a, const v1::Webhook& b) { return a.id() < b.id(); });
  return out;
}

absl::StatusOr<WebhookWithSecret> WebhookStore::Get(const std::string& ws, const std::string& id) {
  auto r = redis_.Command({"HMGET", HookKey(ws, id), "hook", "secret"});
  if (!r.ok()) return r.status();
  if (r->elements.size() != 2 || r->elements[0].is_nil()) return absl::NotFoundError("webhook " + id + " not found");
  WebhookWithSecret out;
  if (!out.webhook.ParseFromString(r->elements[0].str)) return absl::DataLossError("stored webhook does not parse");
  auto secret = box_.Open(r->elements[1].str);
  if (!secret.ok()) return secret.status();
  out.secret = std::move(*secret);
  return out;
}

absl::Status WebhookStore::Delete(const std::string& ws, const std::string& id) {
  auto r = redis_.Eval(kDelete, {HookKey(ws, id), Index(ws), AttemptsKey(ws, id)}, {id});
  if (!r.ok()) return r.status();
  return r->AsInt() == 1 ? absl::OkStatus() : absl::NotFoundError("webhook " + id + " not found");
}

absl::StatusOr<bool> WebhookStore::Enqueue(const std::string& hook, const WebhookEvent& event, int64_t now_ms) {
  auto r = redis_.Eval(kRecord, {RecordKey(event.workspace_id, hook, event.id)},
                       {event.type, event.body, kRecordTtlSeconds});
  if (!r.ok()) return r.status();
  if (r->AsInt() != 1) return false;
  // NX: an event seen again must not pull a scheduled retry forward.
  auto q = redis_.Command(
      {"ZADD", kDue, "NX", std::to_string(now_ms), event.workspace_id + " " + hook + " " + event.id});
  if (!q.ok()) return q.status();
  return true;
}

absl::StatusOr<std::vector<WebhookDelivery>> WebhookStore::Claim(int64_t now_ms, int64_t lease_ms, int max) {
  auto r = redis_.Eval(kClaim, {kDue}, {std::to_string(now_ms), std::to_string(lease_ms), std::to_string(max)});
  if (!r.ok()) return r.status();
  std::vector<WebhookDelivery> out;
  for (const auto& m : r->elements) {
    auto a = m.str.find(' '), b = m.str.find(' ', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    out.push_back({m.str.substr(0, a), m.str.substr(a + 1, b - a - 1), m.str.substr(b + 1), m.str});
  }
  return out;
}

absl::StatusOr<std::optional<DeliveryRecord>> WebhookStore::Load(const WebhookDelivery& d) {
  auto r = redis_.Command(
      {"HMGET", RecordKey(d.workspace_id, d.webhook_id, d.event_id), "type", "body", "state", "attempts"});
  if (!r.ok()) return r.status();
  if (r->elements.size() != 4 || r->elements[0].is_nil()) return std::optional<DeliveryRecord>();
  return std::optional<DeliveryRecord>(DeliveryRecord{r->elements[0].str, r->elements[1].str, r->elements[2].str,
                                                      static_cast<int>(r->elements[3].AsInt())});
}

absl::Status WebhookStore::Record(const WebhookDelivery& d, const v1::WebhookAttempt& attempt, int64_t next_ms) {
  const char* state = attempt.outcome() == v1::WEBHOOK_ATTEMPT_OUTCOME_DELIVERED ? "delivered"
                      : attempt.outcome() == v1::WEBHOOK_ATTEMPT_OUTCOME_GAVE_UP ? "gave_up"
                                                                                   : "pending";
  auto r = redis_.Eval(kAttempt,
                       {RecordKey(d.workspace_id, d.webhook_id, d.event_id), AttemptsKey(d.workspace_id, d.webhook_id)},
                       {state, attempt.SerializeAsString(), std::to_string(kAttemptsKept)});
  if (!r.ok()) return r.status();
  auto q = std::string(state) == "pending" ? redis_.Command({"ZADD", kDue, std::to_string(next_ms), d.member})
                                           : redis_.Command({"ZREM", kDue, d.member});
  return q.ok() ? absl::OkStatus() : q.status();
}

absl::Status WebhookStore::Drop(const WebhookDelivery& d) {
  auto q = redis_.Command({"ZREM", kDue, d.member});
  return q.ok() ? absl::OkStatus() : q.status();
}

absl::StatusOr<std::vector<v1::WebhookAttempt>> WebhookStore::Attempts(const std::string& ws, const std::string& hook,
                                                                      int limit, const std::string& event_id) {
  // Filtering by event reads the whole (bounded) log.
  auto r = redis_.Command({"LRANGE", AttemptsKey(ws, hook), "0",
                           std::to_string((event_id.empty() ? limit : kAttemptsKept) - 1)});
  if (!r.ok()) return r.status();
  std::vector<v1::WebhookAttempt> out;
  for (const auto& e : r->elements) {
    v1::WebhookAttempt a;
    if (!a.ParseFromString(e.str) || (!event_id.empty() && a.event_id() != event_id)) continue;
    out.push_back(std::move(a));
    if (static_cast<int>(out.size()) >= limit) break;
  }
  return out;
}

absl::StatusOr<int64_t> WebhookStore::Backlog() {
  auto r = redis_.Command({"ZCARD", kDue});
  if (!r.ok()) return r.status();
  return r->AsInt();
}

}  // namespace herald::publisher
