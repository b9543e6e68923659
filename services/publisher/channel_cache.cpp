#include "publisher/channel_cache.h"

namespace herald::publisher {

absl::StatusOr<std::shared_ptr<const ChannelWithToken>> ChannelCache::Get(const WorkspaceId& workspace,
                                                                         const ChannelId& channel) {
  const std::string& ws = workspace.str();
  const std::string& id = channel.str();
  const int64_t now = clock_.NowMs();
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find({ws, id});
    if (it != entries_.end() && it->second.expires_ms > now) return it->second.channel;
  }
  auto fresh = store_.GetWithToken(workspace, channel);
  if (!fresh.ok()) return fresh.status();
  auto shared = std::make_shared<const ChannelWithToken>(*std::move(fresh));
  std::lock_guard lock(mu_);
  // Expired entries go when the map grows past what live channels need.
  if (entries_.size() > 4096) std::erase_if(entries_, [&](const auto& e) { return e.second.expires_ms <= now; });
  entries_[{ws, id}] = Entry{shared, now + ttl_ms_};
  return shared;
}

void ChannelCache::Invalidate(const WorkspaceId& workspace, const ChannelId& channel) {
  std::lock_guard lock(mu_);
  entries_.erase({workspace.str(), channel.str()});
}

}  // namespace herald::publisher
