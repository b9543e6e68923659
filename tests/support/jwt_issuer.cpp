#include "support/jwt_issuer.h"

#include <jwt.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "common/auth/jwt_verifier.h"

namespace herald::testing {
namespace {

std::string Param(const EVP_PKEY* pkey, const char* name, size_t pad = 0) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(pkey, name, &bn);
  std::string out(pad ? pad : static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return auth::Base64UrlEncode(out);
}

}  // namespace

JwtIssuer::JwtIssuer(std::string kid, Alg alg) : kid_(std::move(kid)), alg_(alg) {
  EVP_PKEY* pkey = alg == Alg::kRs256 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  private_pem_.assign(data, static_cast<size_t>(len));
  BIO_free(bio);
  if (alg == Alg::kRs256) {
    jwk_ = {{"kty", "RSA"}, {"kid", kid_}, {"n", Param(pkey, OSSL_PKEY_PARAM_RSA_N)},
            {"e", Param(pkey, OSSL_PKEY_PARAM_RSA_E)}};
  } else {
    jwk_ = {{"kty", "EC"}, {"crv", "P-256"}, {"kid", kid_}, {"x", Param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, 32)},
            {"y", Param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, 32)}};
  }
  EVP_PKEY_free(pkey);
}

std::string JwtIssuer::Jwks() const { return nlohmann::json{{"keys", {jwk_}}}.dump(); }

std::string JwtIssuer::Sign(const nlohmann::json& claims, const std::string& kid) const {
  jwt_t* jwt = nullptr;
  jwt_new(&jwt);
  jwt_add_grants_json(jwt, claims.dump().c_str());
  jwt_add_header(jwt, "kid", (kid.empty() ? kid_ : kid).c_str());
  jwt_set_alg(jwt, alg_ == Alg::kRs256 ? JWT_ALG_RS256 : JWT_ALG_ES256,
              reinterpret_cast<const unsigned char*>(private_pem_.data()), static_cast<int>(private_pem_.size()));
  char* s = jwt_encode_str(jwt);
  std::string out = s ? s : "";
  free(s);
  jwt_free(jwt);
  return out;
}

}  // namespace herald::testing
