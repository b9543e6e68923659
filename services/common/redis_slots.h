#pragma once
// Redis Cluster routing, free of I/O: which keys a command names, the slot a
// key hashes to (CRC16 of its {hash tag}), the MOVED/ASK redirections a node
// answers with, and the slot → master map read from CLUSTER SLOTS.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis_reply.h"

namespace herald {

inline constexpr int kRedisSlots = 16384;

// CRC16-XMODEM of the key's hash tag (the first non-empty {...}) or of the
// whole key, modulo 16384: what every Redis Cluster node computes.
uint16_t KeySlot(std::string_view key);

// The keys a command names, in order: EVAL/EVALSHA's declared keys, XREAD's
// streams, DEL/MGET/EXISTS's arguments, the key after XINFO/OBJECT
// subcommands; none for server commands (PING, INFO, SCRIPT, FLUSHALL, ...);
// otherwise the first argument.
std::vector<std::string_view> CommandKeys(const std::vector<std::string>& args);

// The one slot a command touches: nullopt for a keyless command;
// InvalidArgument naming the keys when they hash to different slots (a
// cluster would answer CROSSSLOT; refusing it everywhere keeps a standalone
// deployment honest about what a cluster would do).
absl::StatusOr<std::optional<uint16_t>> CommandSlot(const std::vector<std::string>& args);

struct RedisNodeAddress {
  std::string host;
  int port = 0;
  std::string Key() const { return host + ":" + std::to_string(port); }
  bool operator==(const RedisNodeAddress&) const = default;
};

// "MOVED 3999 127.0.0.1:6381" / "ASK 3999 :6381" (an empty host means the
// node that answered).
struct RedisRedirect {
  bool ask = false;
  uint16_t slot = 0;
  RedisNodeAddress to;
};
std::optional<RedisRedirect> ParseRedirect(std::string_view error, std::string_view answering_host);

// Errors that clear by themselves: a multi-key command during resharding,
// a cluster electing a new master.
bool IsTransientClusterError(std::string_view error);

// Slot → master, as one node sees it.
class SlotMap {
 public:
  // A CLUSTER SLOTS reply: [[start, end, [host, port, id], replicas...], ...].
  // Hosts a node leaves empty or "?" are the answering node's.
  static absl::StatusOr<SlotMap> FromClusterSlots(const RedisReply& reply, std::string_view answering_host);

  // The master serving the slot; nullopt while no master covers it.
  std::optional<RedisNodeAddress> MasterFor(uint16_t slot) const;
  void Move(uint16_t slot, const RedisNodeAddress& to);
  const std::vector<RedisNodeAddress>& masters() const { return masters_; }
  bool empty() const { return masters_.empty(); }

 private:
  static constexpr uint16_t kNone = 0xffff;
  int IndexOf(const RedisNodeAddress& node);
  std::vector<RedisNodeAddress> masters_;
  std::vector<uint16_t> owner_ = std::vector<uint16_t>(kRedisSlots, kNone);
};

}  // namespace herald
