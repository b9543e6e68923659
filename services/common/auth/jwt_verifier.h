#pragma once
// Verifies JWTs from the organisation's identity provider: RS256 or ES256
// (P-256) signatures checked by libjwt against keys from a JWKS file, then
// issuer, audience, expiry and not-before (with a small leeway). Which claims
// carry the workspace and the role is configurable. HS* and "none" are
// refused before any key is touched, so a public key can never be used as an
// HMAC secret.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/auth/principal.h"

namespace herald::auth {

struct JwtOptions {
  std::string issuer;
  std::string audience;
  std::string workspace_claim = "herald_workspace";
  std::string role_claim = "herald_role";
  int64_t leeway_s = 30;
};

class JwtVerifier {
 public:
  // From a JWKS document ({"keys": [...]}); errors name the key.
  static absl::StatusOr<std::unique_ptr<JwtVerifier>> FromJwks(std::string_view jwks, JwtOptions options);

  // UNAUTHENTICATED with a short reason (never the token) when it does not verify.
  absl::StatusOr<Principal> Verify(std::string_view token, int64_t now_ms) const;
  // The token's "exp" in ms (for caches); 0 when it has none.
  static int64_t ExpiryMs(std::string_view token);

 private:
  struct Key {
    std::string alg;  // "RS256" or "ES256"
    std::string pem;
  };
  JwtVerifier(std::map<std::string, Key> keys, JwtOptions options)
      : keys_(std::move(keys)), options_(std::move(options)) {}
  std::map<std::string, Key> keys_;  // by kid ("" when the JWK has none)
  JwtOptions options_;
};

// base64url without padding, as JWTs use it.
std::string Base64UrlEncode(std::string_view data);
bool Base64UrlDecode(std::string_view in, std::string* out);

}  // namespace herald::auth
