#include "publisher/delivery_ledger.h"

#include "common/ids.h"

namespace herald::publisher {
namespace {

// Ledger records outlive any redelivery window by far.
constexpr const char* kTtlSeconds = "2592000";  // 30 days

// KEYS: entry. ARGV: now_ms, ttl, in-progress window ms.
// Returns {state, attempts, remote_id, remote_url, busy until | unknown since,
// updated_ms} as before the change. sending_since: when the attempt whose
// outcome is still unknown began (kept across begins that only read back).
const RedisScript kBegin(R"lua(
local e = redis.call('HMGET', KEYS[1], 'state', 'attempts', 'remote_id', 'remote_url', 'updated_ms', 'sending_since')
local state = e[1] or 'NEW'
if state == 'SENT' or state == 'FAILED' then return {state, e[2] or '0', e[3] or '', e[4] or ''} end
local now = tonumber(ARGV[1])
local updated = tonumber(e[5] or '0')
if state == 'SENDING' and updated + tonumber(ARGV[3]) > now then
  return {'BUSY', e[2] or '0', '', '', tostring(updated + tonumber(ARGV[3])), e[5]}
end
redis.call('HSET', KEYS[1], 'state', 'SENDING', 'updated_ms', ARGV[1])
if state ~= 'SENDING' then
  redis.call('HSET', KEYS[1], 'sending_since', ARGV[1])
  redis.call('HINCRBY', KEYS[1], 'attempts', 1)
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return {state, e[2] or '0', '', '', e[6] or e[5] or '0', e[5] or '0'}
)lua");

// KEYS: entry. ARGV: state before Begin, updated_ms before Begin, our claim.
// Only while the claim is still ours (nothing settled it, nobody took over).
const RedisScript kRelease(R"lua(
local e = redis.call('HMGET', KEYS[1], 'state', 'updated_ms')
if e[1] ~= 'SENDING' or e[2] ~= ARGV[3] then return 0 end
if ARGV[1] == 'NEW' then
  redis.call('HSET', KEYS[1], 'state', 'NEW', 'updated_ms', ARGV[2])
  redis.call('HDEL', KEYS[1], 'sending_since')
  redis.call('HINCRBY', KEYS[1], 'attempts', -1)
else
  redis.call('HSET', KEYS[1], 'updated_ms', ARGV[2])
end
return 1
)lua");

// KEYS: entry. ARGV: our claim, now. Moves the claim to now if still ours.
const RedisScript kRenew(R"lua(
local e = redis.call('HMGET', KEYS[1], 'state', 'updated_ms')
if e[1] ~= 'SENDING' or e[2] ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'updated_ms', ARGV[2])
return 1
)lua");

LedgerEntry::State ParseState(const std::string& s) {
  if (s == "SENDING") return LedgerEntry::State::kSending;
  if (s == "SENT") return LedgerEntry::State::kSent;
  if (s == "FAILED") return LedgerEntry::State::kFailed;
  if (s == "BUSY") return LedgerEntry::State::kBusy;
  return LedgerEntry::State::kNew;
}

// {state, attempts, remote_id, remote_url}
LedgerEntry ParseEntry(const RedisReply& r) {
  LedgerEntry e;
  if (r.elements.size() >= 4) {
    e.state = ParseState(r.elements[0].str);
    e.attempts = static_cast<int>(r.elements[1].AsInt());
    e.remote_id = r.elements[2].str;
    e.remote_url = r.elements[3].str;
  }
  if (r.elements.size() == 6) {
    (e.state == LedgerEntry::State::kBusy ? e.busy_until : e.attempt_started) = AtMs(r.elements[4].AsInt());
    e.updated = AtMs(r.elements[5].AsInt());
  }
  return e;
}

}  // namespace

std::string DeliveryKey::RedisKey() const {
  return "pub:{" + channel.str() + "}:dlv:" + post.str() + ":" + std::to_string(Ms(occurrence)) +
         (part > 0 ? ":p" + std::to_string(part) : "");
}

std::string DeliveryKey::IdempotencyKey() const {
  uint64_t h = StableHash(post.str() + "|" + channel.str() + "|" + std::to_string(Ms(occurrence)) +
                          (part > 0 ? "|p" + std::to_string(part) : ""));
  return "herald-" + post.str() + "-" + ToHex(std::string_view(reinterpret_cast<const char*>(&h), sizeof h));
}

absl::StatusOr<LedgerEntry> DeliveryLedger::Get(const DeliveryKey& key) {
  auto r = redis_.Command({"HMGET", key.RedisKey(), "state", "attempts", "remote_id", "remote_url"});
  if (!r.ok()) return r.status();
  return ParseEntry(*r);
}

absl::StatusOr<LedgerEntry> DeliveryLedger::Begin(const DeliveryKey& key, TimePoint now, Millis in_progress) {
  auto r = redis_.Eval(kBegin, {key.RedisKey()},
                       {std::to_string(Ms(now)), kTtlSeconds, std::to_string(in_progress.count())});
  if (!r.ok()) return r.status();
  LedgerEntry e = ParseEntry(*r);
  e.claim = now;
  return e;
}

absl::StatusOr<bool> DeliveryLedger::Renew(const DeliveryKey& key, LedgerEntry& entry, TimePoint now) {
  if (now == entry.claim) return true;
  auto r = redis_.Eval(kRenew, {key.RedisKey()}, {std::to_string(Ms(entry.claim)), std::to_string(Ms(now))});
  if (!r.ok()) return r.status();
  if (r->AsInt() != 1) return false;
  entry.claim = now;
  return true;
}

absl::Status DeliveryLedger::Release(const DeliveryKey& key, const LedgerEntry& before) {
  auto r = redis_.Eval(kRelease, {key.RedisKey()},
                       {before.state == LedgerEntry::State::kSending ? "SENDING" : "NEW",
                        std::to_string(Ms(before.updated)), std::to_string(Ms(before.claim))});
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::Status DeliveryLedger::CountAttempt(const DeliveryKey& key) {
  auto r = redis_.Command({"HINCRBY", key.RedisKey(), "attempts", "1"});
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::Status DeliveryLedger::MarkSent(const DeliveryKey& key, const std::string& remote_id,
                                      const std::string& remote_url, TimePoint now) {
  auto r = redis_.Command({"HSET", key.RedisKey(), "state", "SENT", "remote_id", remote_id, "remote_url", remote_url,
                           "updated_ms", std::to_string(Ms(now))});
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::Status DeliveryLedger::MarkSentMany(const std::vector<SentRecord>& records) {
  std::vector<RedisClient::Args> cmds;
  cmds.reserve(records.size());
  for (const auto& r : records) {
    cmds.push_back({"HSET", r.key.RedisKey(), "state", "SENT", "remote_id", r.remote_id, "remote_url", r.remote_url,
                    "updated_ms", std::to_string(Ms(r.at))});
  }
  auto replies = redis_.Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    if (r.is_error()) return absl::UnavailableError("ledger: " + r.str);
  }
  return absl::OkStatus();
}

absl::Status DeliveryLedger::MarkFailed(const DeliveryKey& key, TimePoint now) {
  auto r = redis_.Command({"HSET", key.RedisKey(), "state", "FAILED", "updated_ms", std::to_string(Ms(now))});
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::Status DeliveryLedger::MarkNotSent(const DeliveryKey& key, TimePoint now) {
  auto r = redis_.Command({"HSET", key.RedisKey(), "state", "NEW", "updated_ms", std::to_string(Ms(now))});
  return r.ok() ? absl::OkStatus() : r.status();
}

}  // namespace herald::publisher
