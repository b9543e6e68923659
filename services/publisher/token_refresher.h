#pragma once
// Keeps OAuth 2.0 access tokens usable: a token that expires soon, or that the
// network just rejected, is exchanged for a new one with the stored refresh
// token. One replica refreshes a channel at a time (a Redis lock next to the
// channel): X rotates refresh tokens, so two replicas refreshing at once would
// leave one holding a dead token and mark a healthy channel for
// re-authorisation. The others wait for the new token to appear in the store.
#include <chrono>
#include <map>
#include <memory>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/redis.h"
#include "publisher/channel_cache.h"
#include "publisher/channel_store.h"
#include "publisher/connectors/oauth_refresh.h"
#include "publisher/network_catalog.h"

namespace herald::publisher {

struct RefreshOptions {
  // Refresh when the token expires within this.
  int64_t refresh_before_ms = 5 * 60 * 1000;
  // How long a replica waits for another one's refresh.
  int64_t wait_ms = 15000;
  std::chrono::milliseconds timeout{10000};
};

class TokenRefresher {
 public:
  TokenRefresher(ChannelStore& store, ChannelCache& cache, RedisClient& redis, const NetworkCatalog& catalog,
                 std::map<herald::common::v1::Network, OAuthClient> clients, const Clock& clock,
                 RefreshOptions options = {});

  // A refresh token is stored, the networks file says where to refresh and
  // the app's client is configured.
  bool CanRefresh(const ChannelWithToken& channel) const;
  // The channel with a token worth using: refreshed first when it expires
  // soon or `rejected` (the network refused it a moment ago). Unchanged when
  // nothing needs doing or it cannot be refreshed.
  // PERMISSION_DENIED: the network refused the refresh (a person must
  // re-authorise); UNAVAILABLE: try again later.
  absl::StatusOr<std::shared_ptr<const ChannelWithToken>> Fresh(std::shared_ptr<const ChannelWithToken> channel,
                                                               bool rejected);

 private:
  bool Expiring(const ChannelWithToken& channel, int64_t now_ms) const;
  absl::StatusOr<std::shared_ptr<const ChannelWithToken>> Refresh(const ChannelWithToken& stored);

  ChannelStore& store_;
  ChannelCache& cache_;
  RedisClient& redis_;
  const NetworkCatalog& catalog_;
  std::map<herald::common::v1::Network, OAuthClient> clients_;
  const Clock& clock_;
  RefreshOptions options_;
};

}  // namespace herald::publisher
