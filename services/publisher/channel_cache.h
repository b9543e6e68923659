#pragma once
// Channels as deliveries see them, kept in memory for a short time: a busy
// channel is read from Redis (and its token decrypted) once per TTL instead of
// once per post. A change made through this replica's API is seen at once;
// one made through another replica within the TTL.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "publisher/channel_store.h"

namespace herald::publisher {

class ChannelCache {
 public:
  ChannelCache(ChannelStore& store, const Clock& clock, int64_t ttl_ms = 2000)
      : store_(store), clock_(clock), ttl_ms_(ttl_ms) {}

  // NOT_FOUND when the channel does not exist (not cached: a channel being
  // connected right now is seen at once).
  absl::StatusOr<std::shared_ptr<const ChannelWithToken>> Get(const WorkspaceId& workspace, const ChannelId& channel);
  void Invalidate(const WorkspaceId& workspace, const ChannelId& channel);

 private:
  struct Entry {
    std::shared_ptr<const ChannelWithToken> channel;
    int64_t expires_ms = 0;
  };
  ChannelStore& store_;
  const Clock& clock_;
  const int64_t ttl_ms_;
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, Entry> entries_;
};

}  // namespace herald::publisher
