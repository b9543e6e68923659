#pragma once
// Channels in Redis, tagged by workspace so each workspace's keys share a slot:
//   pub:{<workspace>}:ch:<id>     HASH  channel → serialized Channel, token → sealed token
//   pub:{<workspace>}:channels    SET   channel ids
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis.h"
#include "herald/publisher/v1/publisher.pb.h"
#include "publisher/credentials_box.h"

namespace herald::publisher {

struct ChannelWithToken {
  herald::publisher::v1::Channel channel;
  std::string access_token;  // decrypted, in memory only
};

class ChannelStore {
 public:
  ChannelStore(RedisClient& redis, const CredentialsBox& box) : redis_(redis), box_(box) {}

  // Creates or replaces the channel and its sealed token in one step.
  absl::Status Put(const herald::publisher::v1::Channel& channel, const std::string& access_token);
  // NOT_FOUND when missing.
  absl::StatusOr<herald::publisher::v1::Channel> Get(const std::string& workspace_id, const std::string& channel_id);
  absl::StatusOr<ChannelWithToken> GetWithToken(const std::string& workspace_id, const std::string& channel_id);
  absl::StatusOr<std::vector<herald::publisher::v1::Channel>> List(const std::string& workspace_id);
  absl::Status SetStatus(const std::string& workspace_id, const std::string& channel_id,
                         herald::publisher::v1::ChannelStatus status);

 private:
  static std::string Key(const std::string& ws, const std::string& id) { return "pub:{" + ws + "}:ch:" + id; }
  static std::string Index(const std::string& ws) { return "pub:{" + ws + "}:channels"; }

  RedisClient& redis_;
  const CredentialsBox& box_;
};

}  // namespace herald::publisher
