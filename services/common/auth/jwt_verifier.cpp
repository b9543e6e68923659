#include "common/auth/jwt_verifier.h"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>

namespace herald::auth {
namespace {

using nlohmann::json;

constexpr size_t kMaxTokenBytes = 8192;

// A string member, or "" when it is absent or not a string (json::value
// would throw on a number where a string belongs: outside input).
std::string Str(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

absl::Status Unauthenticated(std::string_view why) { return absl::UnauthenticatedError("invalid token: " + std::string(why)); }

// JWK → PEM "PUBLIC KEY" (what libjwt 1.10 takes), through OpenSSL 3's params.
absl::StatusOr<std::string> JwkToPem(const json& jwk, std::string* alg) {
  std::string kty = Str(jwk, "kty");
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  BIGNUM *n = nullptr, *e = nullptr;
  std::string pub;
  const char* type = nullptr;
  if (kty == "RSA") {
    std::string nb, eb;
    if (!Base64UrlDecode(Str(jwk, "n"), &nb) || !Base64UrlDecode(Str(jwk, "e"), &eb) || nb.empty() || eb.empty()) {
      OSSL_PARAM_BLD_free(bld);
      return absl::InvalidArgumentError("RSA key needs n and e");
    }
    n = BN_bin2bn(reinterpret_cast<const unsigned char*>(nb.data()), static_cast<int>(nb.size()), nullptr);
    e = BN_bin2bn(reinterpret_cast<const unsigned char*>(eb.data()), static_cast<int>(eb.size()), nullptr);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
    type = "RSA";
    *alg = "RS256";
  } else if (kty == "EC") {
    std::string x, y;
    if (Str(jwk, "crv") != "P-256" || !Base64UrlDecode(Str(jwk, "x"), &x) ||
        !Base64UrlDecode(Str(jwk, "y"), &y) || x.size() != 32 || y.size() != 32) {
      OSSL_PARAM_BLD_free(bld);
      return absl::InvalidArgumentError("EC key must be P-256 with 32-byte x and y");
    }
    pub = "\x04" + x + y;
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub.size());
    type = "EC";
    *alg = "ES256";
  } else {
    OSSL_PARAM_BLD_free(bld);
    return absl::InvalidArgumentError("kty must be RSA or EC");
  }
  if (jwk.contains("alg") && jwk["alg"] != *alg) {
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return absl::InvalidArgumentError("alg must be " + *alg + " for this key type");
  }
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* pkey = nullptr;
  bool ok = ctx && EVP_PKEY_fromdata_init(ctx) > 0 && EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) > 0;
  std::string pem;
  if (ok) {
    BIO* bio = BIO_new(BIO_s_mem());
    if (PEM_write_bio_PUBKEY(bio, pkey) == 1) {
      char* data = nullptr;
      long len = BIO_get_mem_data(bio, &data);
      pem.assign(data, static_cast<size_t>(len));
    }
    BIO_free(bio);
  }
  EVP_PKEY_free(pkey);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(n);
  BN_free(e);
  if (pem.empty()) return absl::InvalidArgumentError("key material rejected by OpenSSL");
  return pem;
}

std::optional<json> DecodePart(std::string_view part) {
  std::string raw;
  if (!Base64UrlDecode(part, &raw)) return std::nullopt;
  json j = json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

bool SplitToken(std::string_view token, std::string_view parts[3]) {
  size_t a = token.find('.');
  if (a == std::string_view::npos) return false;
  size_t b = token.find('.', a + 1);
  if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos) return false;
  parts[0] = token.substr(0, a);
  parts[1] = token.substr(a + 1, b - a - 1);
  parts[2] = token.substr(b + 1);
  return !parts[0].empty() && !parts[1].empty() && !parts[2].empty();
}

std::optional<int64_t> NumericClaim(const json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (!it->is_number()) return INT64_MIN;  // present but malformed: refused by the caller
  // Seconds since 1970 up to year ~9999; anything else is malformed (and a
  // cast of a huge double would be undefined).
  double v = it->get<double>();
  if (!(v >= 0 && v <= 253402300799.0)) return INT64_MIN;
  return static_cast<int64_t>(v);
}

}  // namespace

std::string Base64UrlEncode(std::string_view data) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
    out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], kAlphabet[v & 63]};
  }
  if (size_t rest = data.size() - i; rest == 1) {
    uint32_t v = uint8_t(data[i]) << 16;
    out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63]};
  } else if (rest == 2) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8);
    out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63]};
  }
  return out;
}

bool Base64UrlDecode(std::string_view in, std::string* out) {
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '-') v = 62;
    else if (c == '_') v = 63;
    else return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return in.size() % 4 != 1;
}

absl::StatusOr<std::unique_ptr<JwtVerifier>> JwtVerifier::FromJwks(std::string_view jwks, JwtOptions options) {
  if (options.issuer.empty() || options.audience.empty()) {
    return absl::InvalidArgumentError("JWT verification needs an issuer and an audience");
  }
  json doc = json::parse(jwks, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    return absl::InvalidArgumentError("JWKS: want {\"keys\": [...]}");
  }
  std::map<std::string, Key> keys;
  for (size_t i = 0; i < doc["keys"].size(); ++i) {
    const json& jwk = doc["keys"][i];
    std::string where = "JWKS keys[" + std::to_string(i) + "]: ";
    if (!jwk.is_object()) return absl::InvalidArgumentError(where + "not an object");
    if (jwk.contains("use") && jwk["use"] != "sig") continue;  // encryption keys are not for us
    Key key;
    auto pem = JwkToPem(jwk, &key.alg);
    if (!pem.ok()) return absl::InvalidArgumentError(where + std::string(pem.status().message()));
    key.pem = *pem;
    std::string kid = Str(jwk, "kid");
    if (keys.count(kid)) return absl::InvalidArgumentError(where + "duplicate kid");
    keys[kid] = std::move(key);
  }
  if (keys.empty()) return absl::InvalidArgumentError("JWKS holds no signing key");
  return std::unique_ptr<JwtVerifier>(new JwtVerifier(std::move(keys), std::move(options)));
}

int64_t JwtVerifier::ExpiryMs(std::string_view token) {
  std::string_view parts[3];
  if (!SplitToken(token, parts)) return 0;
  auto claims = DecodePart(parts[1]);
  if (!claims) return 0;
  auto exp = NumericClaim(*claims, "exp");
  return exp && *exp > 0 && *exp < INT64_MAX / 1000 ? *exp * 1000 : 0;
}

absl::StatusOr<Principal> JwtVerifier::Verify(std::string_view token, int64_t now_ms) const {
  if (token.size() > kMaxTokenBytes) return Unauthenticated("too long");
  std::string_view parts[3];
  if (!SplitToken(token, parts)) return Unauthenticated("not a JWS compact token");
  auto header = DecodePart(parts[0]);
  if (!header) return Unauthenticated("header is not base64url JSON");
  std::string alg = Str(*header, "alg");
  if (alg != "RS256" && alg != "ES256") return Unauthenticated("alg must be RS256 or ES256");
  std::string kid = header->contains("kid") && (*header)["kid"].is_string() ? (*header)["kid"].get<std::string>() : "";
  const Key* key = nullptr;
  if (auto it = keys_.find(kid); it != keys_.end()) {
    key = &it->second;
  } else if (kid.empty()) {
    // No kid: the only key of that algorithm, if there is exactly one.
    for (const auto& [k, v] : keys_) {
      if (v.alg != alg) continue;
      if (key) return Unauthenticated("no kid and several keys");
      key = &v;
    }
  }
  if (!key) return Unauthenticated("unknown signing key");
  if (key->alg != alg) return Unauthenticated("alg does not match the key");

  jwt_t* jwt = nullptr;
  std::string token_copy(token);
  int rc = jwt_decode(&jwt, token_copy.c_str(), reinterpret_cast<const unsigned char*>(key->pem.data()),
                      static_cast<int>(key->pem.size()));
  bool alg_ok = rc == 0 && jwt && jwt_get_alg(jwt) == (alg == "RS256" ? JWT_ALG_RS256 : JWT_ALG_ES256);
  if (jwt) jwt_free(jwt);
  if (rc != 0 || !alg_ok) return Unauthenticated("signature does not verify");

  auto claims = DecodePart(parts[1]);
  if (!claims) return Unauthenticated("claims are not base64url JSON");
  const int64_t now_s = now_ms / 1000;
  if (!claims->contains("iss") || (*claims)["iss"] != options_.issuer) return Unauthenticated("wrong issuer");
  bool aud_ok = false;
  if (auto it = claims->find("aud"); it != claims->end()) {
    if (it->is_string()) aud_ok = *it == options_.audience;
    if (it->is_array()) {
      for (const auto& a : *it) aud_ok = aud_ok || (a.is_string() && a == options_.audience);
    }
  }
  if (!aud_ok) return Unauthenticated("wrong audience");
  auto exp = NumericClaim(*claims, "exp");
  if (!exp || *exp == INT64_MIN) return Unauthenticated("exp is required");
  if (now_s > *exp + options_.leeway_s) return Unauthenticated("expired");
  if (auto nbf = NumericClaim(*claims, "nbf")) {
    if (*nbf == INT64_MIN || now_s + options_.leeway_s < *nbf) return Unauthenticated("not yet valid");
  }
  auto str_claim = [&](const std::string& name) -> std::string {
    auto it = claims->find(name);
    return it != claims->end() && it->is_string() ? it->get<std::string>() : "";
  };
  std::string sub = str_claim("sub"), workspace = str_claim(options_.workspace_claim);
  auto role = ParseRole(str_claim(options_.role_claim));
  if (sub.empty() || sub.size() > 128) return Unauthenticated("sub is required (at most 128 characters)");
  if (workspace.empty() || workspace.size() > 64 || workspace == kAnyWorkspace) {
    return Unauthenticated("claim " + options_.workspace_claim + " must name one workspace");
  }
  if (!role || *role == herald::auth::v1::ROLE_SERVICE) {
    return Unauthenticated("claim " + options_.role_claim + " must name a role");
  }
  Principal p;
  p.kind = Principal::Kind::kJwt;
  p.id = "jwt:" + sub;
  p.workspace = workspace;
  p.role = *role;
  return p;
}

}  // namespace herald::auth
