#pragma once
// A stand-in for an organisation's identity provider: a fresh RS256 or ES256
// key, its JWKS, and tokens signed with it (by libjwt). For tests and benchmarks.
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace herald::testing {

class JwtIssuer {
 public:
  enum class Alg { kRs256, kEs256 };
  explicit JwtIssuer(std::string kid, Alg alg = Alg::kRs256);

  const std::string& kid() const { return kid_; }
  // This key as a JWK (public part only).
  const nlohmann::json& jwk() const { return jwk_; }
  // {"keys": [jwk()]}
  std::string Jwks() const;
  // Signed with this key under `kid` (default: its own).
  std::string Sign(const nlohmann::json& claims, const std::string& kid = "") const;

 private:
  std::string kid_;
  Alg alg_;
  std::string private_pem_;
  nlohmann::json jwk_;
};

}  // namespace herald::testing
