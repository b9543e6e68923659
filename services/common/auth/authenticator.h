#pragma once
// Turns the "authorization" metadata of a call into a Principal.
//   "Bearer hk_<id>_<secret>"  an API key: declared in the keys file, or
//                              created through the admin API (key store);
//   "Bearer <header.claims.sig>" a JWT from the identity provider.
// Answers are cached — API keys for a few seconds (so a revocation reaches
// every service within that time), JWTs until they expire — so the common
// case is a hash lookup and one SHA-256, made on the gRPC thread. Only a
// miss reads the key store, and the interceptor does that off the reactor.
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/api_key.h"
#include "common/auth/jwt_verifier.h"
#include "common/auth/key_store.h"
#include "common/clock.h"

namespace herald::auth {

struct AuthenticatorOptions {
  std::vector<StoredKey> static_keys;
  std::shared_ptr<const JwtVerifier> jwt;  // null: JWTs are refused
  std::chrono::milliseconds key_cache_ttl{5000};
  // last_used_time is written at most this often per key.
  std::chrono::milliseconds touch_interval{60000};
};

class Authenticator {
 public:
  // `store` may be null (only declared keys and JWTs are accepted).
  Authenticator(AuthenticatorOptions options, KeyStore* store, const Clock& clock);

  // From memory only; nullopt when the answer needs the key store.
  std::optional<absl::StatusOr<Principal>> TryCached(std::string_view authorization);
  // May read (and touch) the key store.
  absl::StatusOr<Principal> Authenticate(std::string_view authorization);

 private:
  struct CachedKey {
    std::optional<StoredKey> key;  // nullopt: no such key
    int64_t fetched_ms = 0;
  };
  struct CachedToken {
    Principal principal;
    int64_t expire_ms = 0;
  };
  // Lookups by string_view without building a string.
  struct TokenHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::optional<absl::StatusOr<Principal>> FromMemory(std::string_view token);
  absl::StatusOr<Principal> Check(const StoredKey& key, std::string_view token, int64_t now_ms) const;
  void Remember(std::string_view token, const Principal& p, int64_t until_ms);
  void RememberLocked(std::string_view token, const Principal& p, int64_t until_ms);

  AuthenticatorOptions options_;
  KeyStore* store_;
  const Clock& clock_;
  std::unordered_map<std::string, StoredKey> static_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, CachedKey> keys_;
  // Ids that named no key, kept apart so that a flood of made-up keys can
  // only ever flush this map, never the real keys.
  std::unordered_map<std::string, int64_t> misses_;
  // Verified tokens (API keys and JWTs) → who they are, until the key cache
  // entry or the JWT expires: the common case costs one hash lookup.
  std::unordered_map<std::string, CachedToken, TokenHash, std::equal_to<>> tokens_;
  std::unordered_map<std::string, int64_t> touched_ms_;
};

// "Bearer <token>" → token (the scheme is case-insensitive); nullopt when malformed.
std::optional<std::string_view> BearerToken(std::string_view authorization);

}  // namespace herald::auth
