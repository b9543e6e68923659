#include "listener/polling/poll_store.h"

namespace herald::listener {
namespace {

constexpr const char* kDue = "lst:poll:due";

std::string Listen(const std::string& ws) { return "lst:{" + ws + "}:listen"; }
std::string CursorKey(const PollTarget& t, const std::string& stream) {
  return "lst:{" + t.workspace_id + "}:cursor:" + t.channel_id + ":" + stream;
}
std::string Member(const PollTarget& t) {
  return t.workspace_id + "/" + t.channel_id + "/" + std::to_string(static_cast<int>(t.network));
}
std::optional<PollTarget> FromMember(const std::string& m) {
  auto a = m.find('/'), b = m.rfind('/');
  if (a == std::string::npos || a == b) return std::nullopt;
  int network = std::atoi(m.c_str() + b + 1);
  if (!herald::common::v1::Network_IsValid(network)) return std::nullopt;
  return PollTarget{m.substr(0, a), m.substr(a + 1, b - a - 1), static_cast<herald::common::v1::Network>(network)};
}

// KEYS: due. ARGV: now, lease until, max. The due members, each pushed to the lease's end.
const RedisScript kClaim(R"lua(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, m in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], m) end
return due
)lua");

absl::Status Ok(const absl::StatusOr<RedisReply>& r) { return r.ok() ? absl::OkStatus() : r.status(); }

std::string AccountKey(herald::common::v1::Network network, const std::string& remote_account_id) {
  return "lst:acct:" + std::to_string(static_cast<int>(network)) + ":" + remote_account_id;
}

// KEYS: account. ARGV: "<ws>/<channel>". Deletes the mapping if it is this channel's.
const RedisScript kUnmap(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua");

}  // namespace

absl::Status PollStore::Listen(const PollTarget& t, int64_t now_ms) {
  // Two keys in two slots, each write idempotent: a crash between them is
  // mended when the channel's event is read again.
  if (auto s = Ok(redis_.Command({"HSET", herald::listener::Listen(t.workspace_id), t.channel_id,
                                  std::to_string(static_cast<int>(t.network))}));
      !s.ok()) {
    return s;
  }
  return Ok(redis_.Command({"ZADD", kDue, "NX", std::to_string(now_ms), Member(t)}));
}

absl::Status PollStore::Forget(const PollTarget& t) {
  if (auto s = Ok(redis_.Command({"ZREM", kDue, Member(t)})); !s.ok()) return s;
  return Ok(redis_.Command({"HDEL", herald::listener::Listen(t.workspace_id), t.channel_id}));
}

absl::StatusOr<std::vector<PollTarget>> PollStore::ClaimDue(int64_t now_ms, int64_t lease_ms, int max) {
  auto r = redis_.Eval(kClaim, {kDue}, {std::to_string(now_ms), std::to_string(now_ms + lease_ms), std::to_string(max)});
  if (!r.ok()) return r.status();
  std::vector<PollTarget> out;
  for (const auto& e : r->elements) {
    if (auto t = FromMember(e.str)) out.push_back(*t);
  }
  return out;
}

absl::Status PollStore::Reschedule(const PollTarget& t, int64_t at_ms) {
  return Ok(redis_.Command({"ZADD", kDue, "XX", std::to_string(at_ms), Member(t)}));
}

absl::StatusOr<std::map<std::string, herald::common::v1::Network>> PollStore::Listened(const std::string& ws) {
  auto r = redis_.Command({"HGETALL", herald::listener::Listen(ws)});
  if (!r.ok()) return r.status();
  std::map<std::string, herald::common::v1::Network> out;
  for (size_t i = 0; i + 1 < r->elements.size(); i += 2) {
    int n = std::atoi(r->elements[i + 1].str.c_str());
    if (herald::common::v1::Network_IsValid(n)) out[r->elements[i].str] = static_cast<herald::common::v1::Network>(n);
  }
  return out;
}

absl::Status PollStore::MapAccount(const PollTarget& t, const std::string& remote_account_id) {
  return Ok(redis_.Command({"SET", AccountKey(t.network, remote_account_id), t.workspace_id + "/" + t.channel_id}));
}

absl::Status PollStore::UnmapAccount(const PollTarget& t, const std::string& remote_account_id) {
  return Ok(redis_.Eval(kUnmap, {AccountKey(t.network, remote_account_id)}, {t.workspace_id + "/" + t.channel_id}));
}

absl::StatusOr<std::optional<PollTarget>> PollStore::ChannelOfAccount(herald::common::v1::Network network,
                                                                      const std::string& remote_account_id) {
  auto r = redis_.Command({"GET", AccountKey(network, remote_account_id)});
  if (!r.ok()) return r.status();
  auto slash = r->str.find('/');
  if (r->is_nil() || slash == std::string::npos) return std::optional<PollTarget>();
  return std::optional<PollTarget>(PollTarget{r->str.substr(0, slash), r->str.substr(slash + 1), network});
}

absl::StatusOr<std::string> PollStore::Cursor(const PollTarget& t, const std::string& stream) {
  auto r = redis_.Command({"GET", CursorKey(t, stream)});
  if (!r.ok()) return r.status();
  return r->is_nil() ? std::string() : r->str;
}

absl::Status PollStore::SaveCursor(const PollTarget& t, const std::string& stream, const std::string& cursor) {
  return Ok(redis_.Command({"SET", CursorKey(t, stream), cursor}));
}

}  // namespace herald::listener
