#include "common/auth/api_key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <sstream>
#include <stdexcept>

namespace herald::auth {
namespace {

constexpr size_t kIdLength = 12;
constexpr size_t kSecretLength = 32;

std::string RandomChars(size_t n, std::string_view alphabet) {
  std::string out;
  while (out.size() < n) {
    unsigned char buf[64];
    if (RAND_bytes(buf, sizeof buf) != 1) throw std::runtime_error("RAND_bytes failed");
    // Rejection sampling keeps every character equally likely.
    const unsigned limit = 256 - 256 % alphabet.size();
    for (unsigned char b : buf) {
      if (b < limit && out.size() < n) out.push_back(alphabet[b % alphabet.size()]);
    }
  }
  return out;
}

bool AllOf(std::string_view s, bool upper_ok) {
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (upper_ok && c >= 'A' && c <= 'Z');
    if (!ok) return false;
  }
  return true;
}

}  // namespace

NewKey GenerateKey(std::string workspace, std::string name, Role role, int64_t now_ms) {
  NewKey k;
  k.stored.id = RandomChars(kIdLength, "abcdefghijklmnopqrstuvwxyz0123456789");
  std::string secret = RandomChars(kSecretLength, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
  k.secret = std::string(kApiKeyPrefix) + k.stored.id + "_" + secret;
  k.stored.hash = Sha256Hex(k.secret);
  k.stored.workspace = std::move(workspace);
  k.stored.name = std::move(name);
  k.stored.role = role;
  k.stored.create_ms = now_ms;
  return k;
}

std::optional<std::string> KeyId(std::string_view key) {
  constexpr size_t kLength = 3 + kIdLength + 1 + kSecretLength;
  if (key.size() != kLength || key.substr(0, 3) != kApiKeyPrefix || key[3 + kIdLength] != '_') return std::nullopt;
  std::string_view id = key.substr(3, kIdLength), secret = key.substr(4 + kIdLength);
  if (!AllOf(id, false) || !AllOf(secret, true)) return std::nullopt;
  return std::string(id);
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) out += {kHex[digest[i] >> 4], kHex[digest[i] & 15]};
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

absl::StatusOr<std::vector<StoredKey>> ParseKeysFile(std::string_view text) {
  std::vector<StoredKey> keys;
  std::istringstream in{std::string(text)};
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream fields(line);
    std::string id, digest, workspace, role, name;
    if (!(fields >> id)) continue;
    auto where = "keys file line " + std::to_string(n) + ": ";
    if (!(fields >> digest >> workspace >> role >> name)) {
      return absl::InvalidArgumentError(where + "want \"<id> <sha256 hex> <workspace|*> <role> <name>\"");
    }
    if (id.size() != kIdLength || !AllOf(id, false)) return absl::InvalidArgumentError(where + "bad key id");
    if (digest.size() != 64 || !AllOf(digest, false)) return absl::InvalidArgumentError(where + "bad sha256");
    auto r = ParseRole(role);
    if (!r) return absl::InvalidArgumentError(where + "unknown role \"" + role.substr(0, 32) + "\"");
    StoredKey k;
    k.id = id;
    k.hash = digest;
    k.workspace = workspace;
    k.role = *r;
    k.name = name;
    keys.push_back(std::move(k));
  }
  return keys;
}

std::string KeysFileLine(const StoredKey& key) {
  return key.id + " " + key.hash + " " + key.workspace + " " + RoleName(key.role) + " " + key.name;
}

}  // namespace herald::auth
