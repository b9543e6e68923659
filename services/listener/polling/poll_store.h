#pragma once
// What the listener polls and where each poll got to, in Redis:
//   lst:{<ws>}:listen                       HASH channel → network number
//   lst:{<ws>}:cursor:<channel>:<stream>    the gateway's cursor ("mentions", "search:<rule id>")
//   lst:poll:due                            ZSET "<ws>/<channel>/<network>" → next poll (ms)
//   lst:acct:<network>:<remote account id>  "<ws>/<channel>": the channel a network's own
//                                           webhook means when it names the account
// A replica claims a due channel by pushing its score a lease ahead: one
// poller per channel at a time, and a poller that dies gives the channel
// back when its lease runs out. Cursors survive restarts; a cursor is saved
// only after what it read is in the inbox, so a crash repeats, never skips.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis.h"
#include "herald/common/v1/common.pb.h"

namespace herald::listener {

struct PollTarget {
  std::string workspace_id;
  std::string channel_id;
  herald::common::v1::Network network = herald::common::v1::NETWORK_UNSPECIFIED;
};

class PollStore {
 public:
  explicit PollStore(RedisClient& redis) : redis_(redis) {}

  // Starts polling the channel now (nothing changes if it already is).
  absl::Status Listen(const PollTarget& target, int64_t now_ms);
  // Stops polling it (its cursors stay: a reconnected channel goes on where it was).
  absl::Status Forget(const PollTarget& target);
  // Up to `max` channels due by now, each leased until now + lease_ms.
  absl::StatusOr<std::vector<PollTarget>> ClaimDue(int64_t now_ms, int64_t lease_ms, int max);
  // The next poll of a channel still listened to (a forgotten one stays forgotten).
  absl::Status Reschedule(const PollTarget& target, int64_t at_ms);
  // The workspace's listened channels: channel → network.
  absl::StatusOr<std::map<std::string, herald::common::v1::Network>> Listened(const std::string& workspace_id);

  // The account behind a channel (page id, user id), for the networks'
  // webhooks; unmapped only if it still maps to this channel.
  absl::Status MapAccount(const PollTarget& target, const std::string& remote_account_id);
  absl::Status UnmapAccount(const PollTarget& target, const std::string& remote_account_id);
  // nullopt when no listened channel is that account.
  absl::StatusOr<std::optional<PollTarget>> ChannelOfAccount(herald::common::v1::Network network,
                                                             const std::string& remote_account_id);

  absl::StatusOr<std::string> Cursor(const PollTarget& target, const std::string& stream);
  absl::Status SaveCursor(const PollTarget& target, const std::string& stream, const std::string& cursor);

 private:
  RedisClient& redis_;
};

}  // namespace herald::listener
