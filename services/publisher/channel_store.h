#pragma once
// Channels in Redis, tagged by workspace so each workspace's keys share a slot:
//   pub:{<workspace>}:ch:<id>     HASH  channel → serialized Channel,
//                                       token → sealed access token,
//                                       refresh → sealed refresh token (OAuth 2.0)
//   pub:{<workspace>}:channels    SET   channel ids
//   pub:reauth                    SET   "<workspace>/<id>" of channels that may need
//                                       re-authorisation (added before the status is
//                                       written, pruned by NeedingReauth: never misses one)
// Tokens are sealed (CredentialsBox) before they reach Redis and opened only
// for a delivery; `Channel.refreshable` is derived from the stored fields.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis.h"
#include "common/strong_types.h"
#include "herald/publisher/v1/publisher.pb.h"
#include "publisher/credentials_box.h"

namespace herald::publisher {

struct ChannelWithToken {
  herald::publisher::v1::Channel channel;
  // Decrypted, in memory only.
  std::string access_token;
  std::string refresh_token;
  // The stored record as read (opaque): ReplaceTokens writes only if it is
  // still the same.
  std::string version;
};

// The two halves of a channel's address, typed (common/strong_types.h).
inline WorkspaceId WorkspaceOf(const herald::publisher::v1::Channel& c) { return WorkspaceId(c.workspace_id()); }
inline ChannelId IdOf(const herald::publisher::v1::Channel& c) { return ChannelId(c.id()); }

class ChannelStore {
 public:
  ChannelStore(RedisClient& redis, const CredentialsBox& box) : redis_(redis), box_(box) {}

  // Creates or replaces the channel and its access token in one step. An
  // empty refresh_token keeps the one stored (reconnecting an account or
  // refreshing a token must never wipe it).
  absl::Status Put(const herald::publisher::v1::Channel& channel, const std::string& access_token,
                   const std::string& refresh_token = "");
  // New tokens after a refresh: written only if the channel was not changed
  // (disconnected, re-authorised, updated) since `read`; false otherwise.
  // An empty refresh_token keeps the stored one.
  absl::StatusOr<bool> ReplaceTokens(const ChannelWithToken& read, const herald::publisher::v1::Channel& channel,
                                     const std::string& access_token, const std::string& refresh_token);
  // Stores the channel (its status DISCONNECTED) and erases its credentials.
  absl::Status PutDisconnected(const herald::publisher::v1::Channel& channel);
  // NOT_FOUND when missing.
  absl::StatusOr<herald::publisher::v1::Channel> Get(const WorkspaceId& workspace, const ChannelId& channel);
  absl::StatusOr<ChannelWithToken> GetWithToken(const WorkspaceId& workspace, const ChannelId& channel);
  absl::StatusOr<std::vector<herald::publisher::v1::Channel>> List(const WorkspaceId& workspace);
  absl::Status SetStatus(const WorkspaceId& workspace, const ChannelId& channel,
                         herald::publisher::v1::ChannelStatus status);
  // Every channel whose status is NEEDS_REAUTH, across workspaces (at most
  // `max`); drops the index entries of channels re-authorised, disconnected
  // or deleted since.
  absl::StatusOr<std::vector<herald::publisher::v1::Channel>> NeedingReauth(size_t max = 10000);

  static std::string Key(const std::string& ws, const std::string& id) { return "pub:{" + ws + "}:ch:" + id; }

 private:
  static std::string Index(const std::string& ws) { return "pub:{" + ws + "}:channels"; }

  RedisClient& redis_;
  const CredentialsBox& box_;
};

}  // namespace herald::publisher
