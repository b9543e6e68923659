#pragma once
// API keys: "hk_<id>_<secret>". The id (12 lowercase letters and digits) is
// public — lists and audits show it; the secret (32 letters and digits) is
// shown once. Herald stores only the SHA-256 of the whole key, so a copy of
// Redis or of the keys file does not hold a usable key.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/principal.h"

namespace herald::auth {

inline constexpr std::string_view kApiKeyPrefix = "hk_";

struct StoredKey {
  std::string id;
  std::string workspace;
  std::string name;
  Role role = herald::auth::v1::ROLE_UNSPECIFIED;
  // Lowercase hex SHA-256 of the whole key.
  std::string hash;
  int64_t create_ms = 0;
  int64_t expire_ms = 0;  // 0: never
  int64_t revoke_ms = 0;  // 0: not revoked
  int64_t last_used_ms = 0;
  std::string created_by;
};

struct NewKey {
  StoredKey stored;
  std::string secret;  // the whole key, to show once
};

// A fresh key from the system's CSPRNG.
NewKey GenerateKey(std::string workspace, std::string name, Role role, int64_t now_ms);

// The id of a well-formed key, without looking anything up; nullopt when the
// text is not shaped like a key (no lookup is made for it).
std::optional<std::string> KeyId(std::string_view key);

std::string Sha256Hex(std::string_view data);
// Compares in time independent of where the strings differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Keys declared by the operator (bootstrap admin, service identities), one per
// line: "<id> <sha256 hex> <workspace|*> <role> <name>"; '#' starts a comment.
// Errors name the line.
absl::StatusOr<std::vector<StoredKey>> ParseKeysFile(std::string_view text);
std::string KeysFileLine(const StoredKey& key);

}  // namespace herald::auth
