// Credentials as callers send them: the authorization header, API keys, JWTs
// (header, claims, signature), the operators' keys file and the JWKS.
#include "common/auth/authenticator.h"
#include "common/auth/jwt_verifier.h"
#include "common/clock.h"
#include "fuzz_input.h"

using namespace herald::auth;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto f = herald::fuzz::Fields(data, size, 3);  // authorization, keys file, jwks
  static const auto* verifier = [] {
    JwtOptions o;
    o.issuer = "https://idp.example";
    o.audience = "herald";
    // A fixed P-256 key: enough for the verifier to reach signature checks.
    auto v = JwtVerifier::FromJwks(
        R"({"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}]})",
        o);
    return v.ok() ? v->release() : nullptr;
  }();
  static herald::ManualClock clock(1'800'000'000'000);
  AuthenticatorOptions options;
  if (verifier) options.jwt = std::shared_ptr<const JwtVerifier>(verifier, [](const JwtVerifier*) {});
  Authenticator auth(options, nullptr, clock);
  (void)auth.TryCached(f[0]);
  (void)auth.Authenticate(f[0]);
  if (auto token = BearerToken(f[0]); token && verifier) (void)verifier->Verify(*token, clock.NowMs());
  (void)KeyId(f[0]);
  (void)ParseKeysFile(f[1]);
  (void)JwtVerifier::FromJwks(f[2], JwtOptions{"iss", "aud"});
  (void)DecodeOnBehalf(f[0]);
  return 0;
}
