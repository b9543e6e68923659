#include "publisher/token_refresher.h"

#include <thread>

#include "common/ids.h"
#include "common/log.h"
#include "common/time_util.h"

namespace herald::publisher {
namespace {

// KEYS: lock. ARGV: owner. Deletes the lock only if this owner still holds it.
const RedisScript kUnlock(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua");

std::string LockKey(const herald::publisher::v1::Channel& c) {
  return ChannelStore::Key(c.workspace_id(), c.id()) + ":refreshing";
}

std::string TokenUrl(const std::string& pattern, const std::string& base_url) {
  std::string url = pattern;
  if (auto at = url.find("{base_url}"); at != std::string::npos) url.replace(at, 10, base_url);
  return url;
}

}  // namespace

TokenRefresher::TokenRefresher(ChannelStore& store, ChannelCache& cache, RedisClient& redis,
                               const NetworkCatalog& catalog,
                               std::map<herald::common::v1::Network, OAuthClient> clients, const Clock& clock,
                               RefreshOptions options)
    : store_(store),
      cache_(cache),
      redis_(redis),
      catalog_(catalog),
      clients_(std::move(clients)),
      clock_(clock),
      options_(options) {}

bool TokenRefresher::CanRefresh(const ChannelWithToken& c) const {
  const NetworkProfile* profile = catalog_.Find(c.channel.network());
  return !c.refresh_token.empty() && profile && !profile->oauth.token_url.empty() &&
         clients_.count(c.channel.network()) > 0;
}

bool TokenRefresher::Expiring(const ChannelWithToken& c, int64_t now_ms) const {
  return c.channel.has_token_expire_time() &&
         ToMs(c.channel.token_expire_time()) - now_ms <= options_.refresh_before_ms;
}

absl::StatusOr<std::shared_ptr<const ChannelWithToken>> TokenRefresher::Fresh(
    std::shared_ptr<const ChannelWithToken> channel, bool rejected) {
  if (!CanRefresh(*channel) || (!rejected && !Expiring(*channel, clock_.NowMs()))) return channel;
  const auto& c = channel->channel;
  const std::string owner = NewId("rf");
  const int64_t deadline = clock_.NowMs() + options_.wait_ms;
  for (;;) {
    // The store may already hold a newer token than the one in hand (another
    // replica refreshed; the cache was behind).
    auto stored = store_.GetWithToken(WorkspaceOf(c), IdOf(c));
    if (!stored.ok()) return stored.status();
    if (stored->access_token != channel->access_token ||
        (!rejected && !Expiring(*stored, clock_.NowMs())) || !CanRefresh(*stored)) {
      cache_.Invalidate(WorkspaceOf(c), IdOf(c));
      return std::make_shared<const ChannelWithToken>(*std::move(stored));
    }
    auto locked = redis_.Command({"SET", LockKey(c), owner, "NX", "PX", std::to_string(options_.wait_ms)});
    if (!locked.ok()) return locked.status();
    if (!locked->is_nil()) {
      // Read again under the lock: a replica that refreshed and let go
      // between our read and our lock rotated the refresh token in hand, and
      // using it again would be refused (invalid_grant).
      auto current = store_.GetWithToken(WorkspaceOf(c), IdOf(c));
      absl::StatusOr<std::shared_ptr<const ChannelWithToken>> result = absl::UnknownError("not refreshed");
      if (!current.ok()) {
        result = current.status();
      } else if (current->access_token != channel->access_token) {
        cache_.Invalidate(WorkspaceOf(c), IdOf(c));
        result = std::make_shared<const ChannelWithToken>(*std::move(current));
      } else {
        result = Refresh(*current);
      }
      (void)redis_.Eval(kUnlock, {LockKey(c)}, {owner});
      return result;
    }
    if (clock_.NowMs() > deadline) return absl::UnavailableError("another replica is still refreshing the token");
    clock_.SleepFor(std::chrono::milliseconds(100));
  }
}

absl::StatusOr<std::shared_ptr<const ChannelWithToken>> TokenRefresher::Refresh(const ChannelWithToken& stored) {
  const auto& c = stored.channel;
  const NetworkProfile* profile = catalog_.Find(c.network());
  auto grant = RefreshAccessToken(TokenUrl(profile->oauth.token_url, c.base_url()), clients_.at(c.network()),
                                  profile->oauth.client_auth_basic, stored.refresh_token, options_.timeout);
  if (!grant.ok()) {
    log::Warn("token refresh failed", {{"channel_id", c.id()}, {"error", grant.status().ToString()}});
    return grant.status();
  }
  auto out = std::make_shared<ChannelWithToken>(stored);
  out->access_token = grant->access_token;
  // A network that keeps the refresh token says nothing about it: keep ours.
  if (!grant->refresh_token.empty()) out->refresh_token = grant->refresh_token;
  if (grant->expires_in_s > 0) {
    *out->channel.mutable_token_expire_time() = FromMs(clock_.NowMs() + grant->expires_in_s * 1000);
  } else {
    out->channel.clear_token_expire_time();
  }
  auto written = store_.ReplaceTokens(stored, out->channel, out->access_token, grant->refresh_token);
  if (!written.ok()) return written.status();
  cache_.Invalidate(WorkspaceOf(c), IdOf(c));
  if (!*written) {
    // Disconnected or re-authorised while we refreshed: that change wins.
    log::Warn("channel changed during a token refresh; refreshed token discarded", {{"channel_id", c.id()}});
    return absl::UnavailableError("channel changed during the token refresh");
  }
  log::Info("access token refreshed", {{"channel_id", c.id()}, {"expires_in_s", grant->expires_in_s}});
  return std::shared_ptr<const ChannelWithToken>(std::move(out));
}

}  // namespace herald::publisher
