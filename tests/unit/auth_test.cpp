// The auth rules without servers: roles, key format and hashing, the keys
// file, JWT verification (real RS256/ES256 signatures made here with libjwt),
// the authenticator's cache and revocation, and workspace scoping.
#include <gtest/gtest.h>
#include <jwt.h>

#include <map>
#include <nlohmann/json.hpp>

#include "common/auth/access_policy.h"
#include "common/auth/api_key.h"
#include "common/auth/authenticator.h"
#include "common/auth/jwt_verifier.h"
#include "common/clock.h"
#include "support/jwt_issuer.h"
#include "herald/scheduler/v1/scheduler.pb.h"

namespace herald::auth {
namespace {

using nlohmann::json;

TEST(Roles, OwnerAndAdminHoldTheOthersWhileTheRestHoldOnlyViewer) {
  EXPECT_TRUE(Grants(v1::ROLE_OWNER, v1::ROLE_OWNER));
  EXPECT_TRUE(Grants(v1::ROLE_ADMIN, v1::ROLE_EDITOR));
  EXPECT_FALSE(Grants(v1::ROLE_ADMIN, v1::ROLE_OWNER));
  EXPECT_TRUE(Grants(v1::ROLE_EDITOR, v1::ROLE_VIEWER));
  EXPECT_FALSE(Grants(v1::ROLE_EDITOR, v1::ROLE_APPROVER)) << "writing and approving are separate";
  EXPECT_FALSE(Grants(v1::ROLE_APPROVER, v1::ROLE_EDITOR));
  EXPECT_FALSE(Grants(v1::ROLE_VIEWER, v1::ROLE_ANALYST));
  EXPECT_FALSE(Grants(v1::ROLE_OWNER, v1::ROLE_SERVICE));
  EXPECT_TRUE(Grants(v1::ROLE_SERVICE, v1::ROLE_OWNER));
  EXPECT_FALSE(Grants(v1::ROLE_UNSPECIFIED, v1::ROLE_VIEWER));
  EXPECT_EQ(ParseRole("editor"), v1::ROLE_EDITOR);
  EXPECT_EQ(ParseRole("unspecified"), std::nullopt);
  EXPECT_EQ(ParseRole(""), std::nullopt);
}

TEST(ApiKeys, AreRecognisableAndStoredOnlyAsAHash) {
  auto k = GenerateKey("acme", "ci", v1::ROLE_EDITOR, 1000);
  EXPECT_EQ(k.secret.rfind("hk_" + k.stored.id + "_", 0), 0u);
  EXPECT_EQ(KeyId(k.secret), k.stored.id);
  EXPECT_EQ(k.stored.hash, Sha256Hex(k.secret));
  EXPECT_EQ(k.stored.hash.find(k.secret.substr(16)), std::string::npos);
  EXPECT_NE(GenerateKey("acme", "ci", v1::ROLE_EDITOR, 1000).secret, k.secret);
  EXPECT_EQ(KeyId("hk_short_x"), std::nullopt);
  EXPECT_EQ(KeyId(k.secret + "x"), std::nullopt);
  std::string bad = k.secret;
  bad[5] = 'Z';  // ids are lowercase
  EXPECT_EQ(KeyId(bad), std::nullopt);
}

TEST(KeysFile, ParsesLinesAndNamesTheBadOne) {
  auto a = GenerateKey("*", "scheduler", v1::ROLE_SERVICE, 0);
  auto b = GenerateKey("demo", "admin", v1::ROLE_OWNER, 0);
  auto keys = ParseKeysFile("# declared keys\n" + KeysFileLine(a.stored) + "\n\n" + KeysFileLine(b.stored) + " # boot\n");
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].role, v1::ROLE_SERVICE);
  EXPECT_EQ((*keys)[1].workspace, "demo");
  auto bad = ParseKeysFile(KeysFileLine(a.stored) + "\nabcdefabcdef 00 demo owner x\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2"), std::string::npos) << bad.status();
  EXPECT_FALSE(ParseKeysFile("abcdefabcdef " + std::string(64, 'a') + " demo wizard x\n").ok());
}

// ---------------------------------------------------------------- JWT

using herald::testing::JwtIssuer;

class Jwt : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new JwtIssuer("r1");
    ec_ = new JwtIssuer("e1", JwtIssuer::Alg::kEs256);
  }
  void SetUp() override {
    JwtOptions o;
    o.issuer = "https://idp.example";
    o.audience = "herald";
    auto v = JwtVerifier::FromJwks(json{{"keys", {rsa_->jwk(), ec_->jwk()}}}.dump(), o);
    ASSERT_TRUE(v.ok()) << v.status();
    verifier_ = std::move(*v);
  }
  json Claims() const {
    return {{"iss", "https://idp.example"}, {"aud", "herald"}, {"sub", "alice"}, {"exp", now_s_ + 300},
            {"herald_workspace", "acme"}, {"herald_role", "editor"}};
  }
  absl::StatusOr<Principal> Verify(const std::string& token) const { return verifier_->Verify(token, now_s_ * 1000); }

  static inline JwtIssuer* rsa_ = nullptr;
  static inline JwtIssuer* ec_ = nullptr;
  std::unique_ptr<JwtVerifier> verifier_;
  int64_t now_s_ = 1'800'000'000;
};

TEST_F(Jwt, Rs256AndEs256FromTheJwksVerify) {
  auto p = Verify(rsa_->Sign(Claims(), "r1"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->id, "jwt:alice");
  EXPECT_EQ(p->workspace, "acme");
  EXPECT_EQ(p->role, v1::ROLE_EDITOR);
  auto claims = Claims();
  claims["aud"] = json::array({"other", "herald"});
  EXPECT_TRUE(Verify(ec_->Sign(claims, "e1")).ok());
}

TEST_F(Jwt, RefusesEveryClaimOrSignatureThatIsWrong) {
  auto expect_refused = [&](const std::string& token, const std::string& why) {
    auto p = Verify(token);
    ASSERT_FALSE(p.ok()) << why;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated) << why;
    EXPECT_NE(p.status().message().find(why), std::string::npos) << p.status();
  };
  auto c = Claims();
  c["exp"] = now_s_ - 31;
  expect_refused(rsa_->Sign(c, "r1"), "expired");
  c = Claims();
  c["exp"] = now_s_ - 10;  // within the leeway
  EXPECT_TRUE(Verify(rsa_->Sign(c, "r1")).ok());
  c = Claims();
  c["nbf"] = now_s_ + 120;
  expect_refused(rsa_->Sign(c, "r1"), "not yet valid");
  c = Claims();
  c["aud"] = "someone-else";
  expect_refused(rsa_->Sign(c, "r1"), "wrong audience");
  c = Claims();
  c["iss"] = "https://evil.example";
  expect_refused(rsa_->Sign(c, "r1"), "wrong issuer");
  c = Claims();
  c.erase("exp");
  expect_refused(rsa_->Sign(c, "r1"), "exp is required");
  c = Claims();
  c["herald_role"] = "service";
  expect_refused(rsa_->Sign(c, "r1"), "herald_role");
  c = Claims();
  c["herald_workspace"] = "*";
  expect_refused(rsa_->Sign(c, "r1"), "herald_workspace");
  // Signed by a key the JWKS does not hold, under a kid it does.
  expect_refused(JwtIssuer("r1").Sign(Claims()), "signature does not verify");
  expect_refused(rsa_->Sign(Claims(), "r9"), "unknown signing key");
  // The EC key's kid with an RSA signature.
  expect_refused(rsa_->Sign(Claims(), "e1"), "alg does not match");
  // HS256 keyed with the public key's PEM (the classic confusion) and "none".
  jwt_t* jwt = nullptr;
  jwt_new(&jwt);
  jwt_add_grants_json(jwt, Claims().dump().c_str());
  jwt_add_header(jwt, "kid", "r1");
  std::string secret = "public-key-bytes";
  jwt_set_alg(jwt, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret.data()), static_cast<int>(secret.size()));
  char* hs = jwt_encode_str(jwt);
  expect_refused(hs, "alg must be RS256 or ES256");
  free(hs);
  jwt_free(jwt);
  std::string none = Base64UrlEncode(R"({"alg":"none","kid":"r1"})") + "." + Base64UrlEncode(Claims().dump()) + ".x";
  expect_refused(none, "alg must be RS256 or ES256");
  // Claims changed after signing.
  std::string good = rsa_->Sign(Claims(), "r1");
  auto c2 = Claims();
  c2["herald_role"] = "owner";
  std::string forged = good.substr(0, good.find('.')) + "." + Base64UrlEncode(c2.dump()) + good.substr(good.rfind('.'));
  expect_refused(forged, "signature does not verify");
  expect_refused(std::string(9000, 'a'), "too long");
}

TEST(JwksFile, BadKeysAreNamed) {
  JwtOptions o{"iss", "aud"};
  auto bad = JwtVerifier::FromJwks(R"({"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"},{"kty":"oct","k":"c2VjcmV0"}]})", o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("keys[1]"), std::string::npos) << bad.status();
  EXPECT_FALSE(JwtVerifier::FromJwks("not json", o).ok());
  EXPECT_FALSE(JwtVerifier::FromJwks(R"({"keys":[]})", o).ok());
}

// ---------------------------------------------------------------- authenticator

class MemoryKeyStore : public KeyStore {
 public:
  absl::StatusOr<std::optional<StoredKey>> Get(const std::string& id) override {
    ++gets;
    auto it = keys.find(id);
    if (it == keys.end()) return std::optional<StoredKey>();
    return std::optional<StoredKey>(it->second);
  }
  absl::Status Create(const StoredKey& k) override {
    keys[k.id] = k;
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<StoredKey>> List(const std::string&) override { return std::vector<StoredKey>(); }
  absl::StatusOr<StoredKey> Revoke(const std::string&, const std::string& id, int64_t now) override {
    keys[id].revoke_ms = now;
    return keys[id];
  }
  absl::Status Touch(const std::string& id, int64_t now) override {
    keys[id].last_used_ms = now;
    ++touches;
    return absl::OkStatus();
  }
  std::map<std::string, StoredKey> keys;
  int gets = 0, touches = 0;
};

TEST(Authenticator, CachesKeysForAFewSecondsSoRevocationLandsWithinThem) {
  ManualClock clock(1'000'000);
  MemoryKeyStore store;
  Authenticator auth({}, &store, clock);
  auto k = GenerateKey("acme", "ci", v1::ROLE_EDITOR, clock.NowMs());
  ASSERT_TRUE(store.Create(k.stored).ok());
  std::string header = "Bearer " + k.secret;

  EXPECT_FALSE(auth.TryCached(header).has_value()) << "first sight needs the store";
  auto p = auth.Authenticate(header);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->id, "key:" + k.stored.id);
  EXPECT_EQ(store.touches, 1) << "last-used written";
  auto cached = auth.TryCached(header);
  ASSERT_TRUE(cached.has_value());
  EXPECT_TRUE(cached->ok());
  EXPECT_EQ(store.gets, 1);

  (void)store.Revoke("acme", k.stored.id, clock.NowMs());
  clock.AdvanceMs(4999);
  EXPECT_TRUE(auth.TryCached(header)->ok()) << "still cached";
  clock.AdvanceMs(2);
  EXPECT_FALSE(auth.TryCached(header).has_value());
  auto revoked = auth.Authenticate(header);
  EXPECT_EQ(revoked.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(revoked.status().message().find("revoked"), std::string::npos);
}

TEST(Authenticator, RefusesWrongSecretsExpiredKeysAndMalformedHeadersWithoutEchoingThem) {
  ManualClock clock(1'000'000);
  MemoryKeyStore store;
  auto declared = GenerateKey("*", "scheduler", v1::ROLE_SERVICE, 0);
  AuthenticatorOptions options;
  options.static_keys = {declared.stored};
  Authenticator auth(options, &store, clock);
  auto k = GenerateKey("acme", "ci", v1::ROLE_EDITOR, 0);
  k.stored.expire_ms = clock.NowMs() + 1000;
  ASSERT_TRUE(store.Create(k.stored).ok());

  auto svc = auth.TryCached("Bearer " + declared.secret);
  ASSERT_TRUE(svc.has_value() && svc->ok());
  EXPECT_EQ((*svc)->kind, Principal::Kind::kService);
  EXPECT_EQ((*svc)->id, "service:scheduler");

  std::string wrong = k.secret;
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';
  auto w = auth.Authenticate("Bearer " + wrong);
  EXPECT_EQ(w.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(w.status().message().find(wrong), std::string::npos);
  EXPECT_TRUE(auth.Authenticate("bearer " + k.secret).ok()) << "the scheme is case-insensitive";
  clock.AdvanceMs(1000);
  EXPECT_NE(auth.Authenticate("Bearer " + k.secret).status().message().find("expired"), std::string::npos);
  for (std::string h : {"", "Basic abc", "Bearer ", "Bearer hk_nope", "Bearer a.b.c"}) {
    auto r = auth.Authenticate(h);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated) << h;
  }
  int gets = store.gets;
  EXPECT_FALSE(auth.Authenticate("Bearer not-a-key").ok());
  EXPECT_EQ(store.gets, gets) << "a malformed key is refused without a lookup";
}

// ---------------------------------------------------------------- scope

TEST(Scope, TheCallersWorkspaceFillsOrRefusesTheRequest) {
  Caller editor{{Principal::Kind::kApiKey, "key:a", "acme", v1::ROLE_EDITOR}, std::nullopt};
  herald::scheduler::v1::GetPostRequest req;
  ASSERT_TRUE(ScopeRequest(editor, req).ok());
  EXPECT_EQ(req.workspace_id(), "acme") << "filled from the key";
  req.set_workspace_id("globex");
  EXPECT_EQ(ScopeRequest(editor, req).error_code(), grpc::StatusCode::PERMISSION_DENIED);

  Caller platform{{Principal::Kind::kService, "service:listener", "*", v1::ROLE_SERVICE}, std::nullopt};
  req.clear_workspace_id();
  EXPECT_TRUE(ScopeRequest(platform, req).ok()) << "left to the handler, which names every bad field";
  EXPECT_EQ(req.workspace_id(), "") << "never filled with \"*\"";
  req.set_workspace_id("globex");
  EXPECT_TRUE(ScopeRequest(platform, req).ok());

  Caller for_user = platform;
  for_user.on_behalf = Principal{Principal::Kind::kApiKey, "key:a", "acme", v1::ROLE_AGENT};
  EXPECT_EQ(ScopeRequest(for_user, req).error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << "a service acting for acme's user cannot reach globex";
  EXPECT_EQ(for_user.AuditId(), "key:a via service:listener");
}

TEST(Rules, EveryHeraldRpcDeclaresItsRoleAndUnknownMethodsAreNotServed) {
  const auto& create = RuleFor("/herald.scheduler.v1.SchedulerService/CreatePost");
  EXPECT_EQ(create.kind, MethodRule::Kind::kGuarded);
  EXPECT_EQ(create.access.role(), v1::ROLE_EDITOR);
  EXPECT_EQ(RuleFor("/herald.scheduler.v1.SchedulerService/ApprovePost").access.role(), v1::ROLE_APPROVER);
  EXPECT_EQ(RuleFor("/grpc.health.v1.Health/Check").kind, MethodRule::Kind::kOpen);
  EXPECT_EQ(RuleFor("/herald.scheduler.v1.SchedulerService/DropAll").kind, MethodRule::Kind::kUndeclared);
  EXPECT_EQ(RuleFor("garbage").kind, MethodRule::Kind::kUndeclared);
  Caller owner{{Principal::Kind::kApiKey, "key:a", "acme", v1::ROLE_OWNER}, std::nullopt};
  EXPECT_EQ(AuthorizeRole(owner, RuleFor("/x.Y/Z")).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Caller viewer{{Principal::Kind::kApiKey, "key:b", "acme", v1::ROLE_VIEWER}, std::nullopt};
  auto denied = AuthorizeRole(viewer, create);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(denied.error_message().find("needs editor"), std::string::npos) << denied.error_message();
}

}  // namespace
}  // namespace herald::auth
