#pragma once
// A small Redis client over hiredis (kept out of redis_pool.cpp): pools of
// blocking connections, pipelines, and Lua scripts run by EVALSHA with a
// fallback to EVAL after a restart or failover empties the script cache.
//
// Standalone or Redis Cluster. In a cluster the client keeps the slot → master
// map (CLUSTER SLOTS), sends each command of a pipeline to its slot's master
// (the batches to different masters travel at once), follows MOVED (and
// re-reads the map) and ASK (ASKING first), waits out TRYAGAIN/CLUSTERDOWN,
// and re-reads the map after a connection to a node fails, so a promoted
// replica is found. Either way a command's keys must share one slot: a
// command whose keys do not is refused before it is sent.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/redis_reply.h"

namespace herald {

class RedisScript {
 public:
  explicit RedisScript(std::string source);
  const std::string& source() const { return source_; }
  const std::string& sha1() const { return sha1_; }

 private:
  std::string source_;
  std::string sha1_;
};

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  int pool_size = 4;
  std::chrono::milliseconds timeout{2000};
  // AUTH on every new connection when set (Redis 6 ACL user optional).
  std::string username;
  std::string password;
  // TLS to Redis (managed offerings): on when tls_ca_file is set. The
  // connection goes through an in-process TlsTunnel (hiredis 0.14 has no TLS).
  std::string tls_ca_file;
  std::string tls_server_name;  // default: host
  std::string tls_cert_file;    // optional client certificate
  std::string tls_key_file;
  // host:port is one node of a Redis Cluster (any; the rest are discovered).
  bool cluster = false;
};

// One master's answer to a command sent to every master.
struct RedisNodeReply {
  std::string node;  // host:port
  RedisReply reply;
};

class RedisNodePool;
class SlotMap;
struct RedisNodeAddress;

class RedisClient {
 public:
  using Args = std::vector<std::string>;

  explicit RedisClient(RedisOptions options);
  ~RedisClient();

  absl::StatusOr<RedisReply> Command(const Args& args);
  // Sends every command before reading any reply: one round trip (in a
  // cluster, one per master, all at once). Replies come back in order.
  absl::StatusOr<std::vector<RedisReply>> Pipeline(const std::vector<Args>& commands);
  absl::StatusOr<RedisReply> Eval(const RedisScript& script, const Args& keys, const Args& args);
  // Many EVALSHAs of one script in one round trip.
  absl::StatusOr<std::vector<RedisReply>> EvalPipeline(const RedisScript& script,
                                                      const std::vector<std::pair<Args, Args>>& calls);
  // Every master answers (the one server when standalone).
  absl::Status Ping();
  // A server command run on every master (INFO, WAIT, ...).
  absl::StatusOr<std::vector<RedisNodeReply>> CommandOnEveryMaster(const Args& args);
  // "host:port" of every master (the one server when standalone).
  std::vector<std::string> masters();
  bool cluster() const { return options_.cluster; }

 private:
  absl::StatusOr<std::vector<RedisReply>> ClusterPipeline(const std::vector<Args>& commands);
  RedisNodePool& Pool(const RedisNodeAddress& node);
  // The current map, read again first when marked stale.
  absl::StatusOr<std::shared_ptr<const SlotMap>> Map();
  void RefreshSoon() { map_stale_ = true; }
  void MoveSlot(uint16_t slot, const RedisNodeAddress& to);

  RedisOptions options_;
  std::unique_ptr<RedisNodePool> seed_;  // the configured host:port
  // Cluster state: a pool per node ever seen, the slot map.
  std::mutex nodes_mu_;
  std::map<std::string, std::unique_ptr<RedisNodePool>> nodes_;
  std::shared_ptr<const SlotMap> map_;
  std::atomic<bool> map_stale_{true};
  std::mutex refresh_mu_;  // one CLUSTER SLOTS at a time
};

}  // namespace herald
