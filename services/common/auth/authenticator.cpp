#include "common/auth/authenticator.h"

#include <algorithm>
#include <cctype>

namespace herald::auth {
namespace {

constexpr size_t kMaxCacheEntries = 100000;

absl::Status Unauthenticated(std::string_view why) { return absl::UnauthenticatedError(std::string(why)); }

// A verified key is remembered no longer than its cache entry, nor past its expiry.
int64_t Until(const StoredKey& key, int64_t cache_until) {
  return key.expire_ms ? std::min(cache_until, key.expire_ms) : cache_until;
}

bool LooksLikeJwt(std::string_view token) {
  size_t dots = 0;
  for (char c : token) dots += c == '.';
  return dots == 2;
}

}  // namespace

std::optional<std::string_view> BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return std::nullopt;
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

Authenticator::Authenticator(AuthenticatorOptions options, KeyStore* store, const Clock& clock)
    : options_(std::move(options)), store_(store), clock_(clock) {
  for (const auto& k : options_.static_keys) static_keys_[k.id] = k;
}

absl::StatusOr<Principal> Authenticator::Check(const StoredKey& key, std::string_view token, int64_t now_ms) const {
  if (!ConstantTimeEquals(Sha256Hex(token), key.hash)) return Unauthenticated("invalid API key");
  if (key.revoke_ms != 0) return Unauthenticated("API key revoked");
  if (key.expire_ms != 0 && now_ms >= key.expire_ms) return Unauthenticated("API key expired");
  if (key.role == herald::auth::v1::ROLE_UNSPECIFIED) return Unauthenticated("API key has no role");
  Principal p;
  bool service = key.role == herald::auth::v1::ROLE_SERVICE;
  p.kind = service ? Principal::Kind::kService : Principal::Kind::kApiKey;
  p.id = service ? "service:" + key.name : "key:" + key.id;
  p.workspace = key.workspace;
  p.role = key.role;
  return p;
}

std::optional<absl::StatusOr<Principal>> Authenticator::FromMemory(std::string_view token) {
  const int64_t now = clock_.NowMs();
  {
    std::lock_guard lock(mu_);
    auto it = tokens_.find(token);
    if (it != tokens_.end() && now < it->second.expire_ms) return absl::StatusOr<Principal>(it->second.principal);
  }
  if (auto id = KeyId(token)) {
    if (auto it = static_keys_.find(*id); it != static_keys_.end()) {
      auto p = Check(it->second, token, now);
      if (p.ok()) Remember(token, *p, Until(it->second, now + options_.key_cache_ttl.count()));
      return p;
    }
    if (!store_) return absl::StatusOr<Principal>(Unauthenticated("invalid API key"));
    std::lock_guard lock(mu_);
    if (auto miss = misses_.find(*id); miss != misses_.end() && now - miss->second < options_.key_cache_ttl.count()) {
      return absl::StatusOr<Principal>(Unauthenticated("invalid API key"));
    }
    auto it = keys_.find(*id);
    if (it == keys_.end() || now - it->second.fetched_ms >= options_.key_cache_ttl.count()) return std::nullopt;
    if (!it->second.key) return absl::StatusOr<Principal>(Unauthenticated("invalid API key"));
    const int64_t until = it->second.fetched_ms + options_.key_cache_ttl.count();
    auto t = touched_ms_.find(*id);
    // A due last-used write happens on the slow path, off the gRPC thread.
    if (t == touched_ms_.end() || now - t->second >= options_.touch_interval.count()) return std::nullopt;
    auto p = Check(*it->second.key, token, now);
    if (p.ok()) RememberLocked(token, *p, Until(*it->second.key, until));
    return p;
  }
  if (LooksLikeJwt(token)) {
    if (!options_.jwt) return absl::StatusOr<Principal>(Unauthenticated("JWTs are not accepted (no JWKS configured)"));
    return std::nullopt;
  }
  return absl::StatusOr<Principal>(Unauthenticated("malformed credentials: want an API key (hk_...) or a JWT"));
}

std::optional<absl::StatusOr<Principal>> Authenticator::TryCached(std::string_view authorization) {
  auto token = BearerToken(authorization);
  if (!token) return absl::StatusOr<Principal>(Unauthenticated("missing credentials: send authorization: Bearer <API key or JWT>"));
  return FromMemory(*token);
}

absl::StatusOr<Principal> Authenticator::Authenticate(std::string_view authorization) {
  auto token = BearerToken(authorization);
  if (!token) return Unauthenticated("missing credentials: send authorization: Bearer <API key or JWT>");
  if (auto cached = FromMemory(*token)) return *cached;
  const int64_t now = clock_.NowMs();
  if (auto id = KeyId(*token)) {
    std::optional<CachedKey> cached;
    {
      std::lock_guard lock(mu_);
      auto it = keys_.find(*id);
      if (it != keys_.end() && now - it->second.fetched_ms < options_.key_cache_ttl.count()) cached = it->second;
    }
    if (!cached) {
      auto fetched = store_->Get(*id);
      // Not the store's error: it would tell a stranger where Redis is.
      if (!fetched.ok()) return absl::UnavailableError("cannot check the API key now; retry");
      cached = CachedKey{*fetched, now};
      std::lock_guard lock(mu_);
      if (!*fetched) {
        if (misses_.size() >= kMaxCacheEntries) misses_.clear();
        misses_[*id] = now;
      } else {
        if (keys_.size() >= kMaxCacheEntries) keys_.clear();
        keys_[*id] = *cached;
      }
    }
    if (!cached->key) return Unauthenticated("invalid API key");
    auto principal = Check(*cached->key, *token, now);
    if (principal.ok()) {
      Remember(*token, *principal, Until(*cached->key, cached->fetched_ms + options_.key_cache_ttl.count()));
      bool touch = false;
      {
        std::lock_guard lock(mu_);
        if (touched_ms_.size() >= kMaxCacheEntries) touched_ms_.clear();
        auto [t, fresh] = touched_ms_.try_emplace(*id, now);
        touch = fresh || now - t->second >= options_.touch_interval.count();
        if (touch) t->second = now;
      }
      if (touch) (void)store_->Touch(*id, now);
    }
    return principal;
  }
  auto principal = options_.jwt->Verify(*token, now);
  // Never trusted past its exp, and re-verified at least every minute.
  if (principal.ok()) Remember(*token, *principal, std::min(JwtVerifier::ExpiryMs(*token), now + 60000));
  return principal;
}

void Authenticator::Remember(std::string_view token, const Principal& p, int64_t until_ms) {
  std::lock_guard lock(mu_);
  RememberLocked(token, p, until_ms);
}

void Authenticator::RememberLocked(std::string_view token, const Principal& p, int64_t until_ms) {
  if (tokens_.size() >= kMaxCacheEntries) tokens_.clear();
  tokens_.insert_or_assign(std::string(token), CachedToken{p, until_ms});
}

}  // namespace herald::auth
