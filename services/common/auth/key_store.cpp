#include "common/auth/key_store.h"

#include <map>

#include "common/redis.h"

namespace herald::auth {
namespace {

std::string KeyKey(const std::string& id) { return "{auth}:key:" + id; }
std::string WorkspaceKey(const std::string& ws) { return "{auth}:ws:" + ws; }

std::optional<StoredKey> FromHash(const std::string& id, const RedisReply& reply) {
  if (reply.type != RedisReply::Type::kArray || reply.elements.empty()) return std::nullopt;
  std::map<std::string, std::string> f;
  for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) f[reply.elements[i].str] = reply.elements[i + 1].str;
  StoredKey k;
  k.id = id;
  k.workspace = f["workspace"];
  k.name = f["name"];
  auto role = ParseRole(f["role"]);
  k.role = role ? *role : herald::auth::v1::ROLE_UNSPECIFIED;
  k.hash = f["hash"];
  auto num = [&](const char* name) { return f[name].empty() ? 0 : std::stoll(f[name]); };
  k.create_ms = num("create_ms");
  k.expire_ms = num("expire_ms");
  k.revoke_ms = num("revoke_ms");
  k.last_used_ms = num("last_used_ms");
  k.created_by = f["created_by"];
  return k;
}

// The key and its workspace's index in one step (both in the {auth} slot).
const RedisScript kCreate(R"(
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('SADD', KEYS[2], ARGV[1])
return 1
)");

// Revocation checks the workspace in the same step as it writes.
const RedisScript kRevoke(R"(
if redis.call('HGET', KEYS[1], 'workspace') ~= ARGV[1] then return 0 end
local v = redis.call('HGET', KEYS[1], 'revoke_ms')
if not v or v == '0' then redis.call('HSET', KEYS[1], 'revoke_ms', ARGV[2]) end
return 1
)");

// Only an existing key: a touch racing a delete must never create half a key.
const RedisScript kTouch(R"(
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'last_used_ms', ARGV[1]) end
return 1
)");

class RedisKeyStore final : public KeyStore {
 public:
  explicit RedisKeyStore(RedisClient& redis) : redis_(redis) {}

  absl::StatusOr<std::optional<StoredKey>> Get(const std::string& id) override {
    auto r = redis_.Command({"HGETALL", KeyKey(id)});
    if (!r.ok()) return r.status();
    return FromHash(id, *r);
  }

  absl::Status Create(const StoredKey& k) override {
    auto r = redis_.Eval(kCreate, {KeyKey(k.id), WorkspaceKey(k.workspace)},
                         {k.id, "workspace", k.workspace, "name", k.name, "role", RoleName(k.role), "hash", k.hash,
                          "create_ms", std::to_string(k.create_ms), "expire_ms", std::to_string(k.expire_ms),
                          "revoke_ms", "0", "last_used_ms", "0", "created_by", k.created_by});
    if (!r.ok()) return r.status();
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<StoredKey>> List(const std::string& workspace) override {
    auto ids = redis_.Command({"SMEMBERS", WorkspaceKey(workspace)});
    if (!ids.ok()) return ids.status();
    std::vector<RedisClient::Args> gets;
    for (const auto& e : ids->elements) gets.push_back({"HGETALL", KeyKey(e.str)});
    std::vector<StoredKey> out;
    if (gets.empty()) return out;
    auto replies = redis_.Pipeline(gets);
    if (!replies.ok()) return replies.status();
    for (size_t i = 0; i < replies->size(); ++i) {
      if (auto k = FromHash(ids->elements[i].str, (*replies)[i])) out.push_back(*k);
    }
    return out;
  }

  absl::StatusOr<StoredKey> Revoke(const std::string& workspace, const std::string& id, int64_t now_ms) override {
    auto r = redis_.Eval(kRevoke, {KeyKey(id)}, {workspace, std::to_string(now_ms)});
    if (!r.ok()) return r.status();
    if (r->AsInt() != 1) return absl::NotFoundError("api key not found");
    auto k = Get(id);
    if (!k.ok()) return k.status();
    if (!*k) return absl::NotFoundError("api key not found");
    return **k;
  }

  absl::Status Touch(const std::string& id, int64_t now_ms) override {
    auto r = redis_.Eval(kTouch, {KeyKey(id)}, {std::to_string(now_ms)});
    return r.ok() ? absl::OkStatus() : r.status();
  }

 private:
  RedisClient& redis_;
};

}  // namespace

std::unique_ptr<KeyStore> MakeRedisKeyStore(RedisClient& redis) { return std::make_unique<RedisKeyStore>(redis); }

}  // namespace herald::auth
