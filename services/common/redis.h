#pragma once
// A small Redis client over hiredis (kept out of this header): a pool of
// blocking connections, pipelines, and Lua scripts run by EVALSHA with a
// fallback to EVAL after a restart or failover empties the script cache.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace herald {

struct RedisReply {
  enum class Type { kNil, kInteger, kString, kStatus, kArray, kError };
  Type type = Type::kNil;
  long long integer = 0;
  std::string str;
  std::vector<RedisReply> elements;

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
  // Integer replies, or strings holding an integer.
  long long AsInt() const;
};

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
};

class TlsTunnel;

class RedisClient {
 public:
  using Args = std::vector<std::string>;

  explicit RedisClient(RedisOptions options);
  ~RedisClient();

  absl::StatusOr<RedisReply> Command(const Args& args);
  // Sends every command before reading any reply: one round trip.
  absl::StatusOr<std::vector<RedisReply>> Pipeline(const std::vector<Args>& commands);
  absl::StatusOr<RedisReply> Eval(const RedisScript& script, const Args& keys, const Args& args);
  // Many EVALSHAs of one script in one round trip.
  absl::StatusOr<std::vector<RedisReply>> EvalPipeline(const RedisScript& script,
                                                      const std::vector<std::pair<Args, Args>>& calls);
  absl::Status Ping();

 private:
  struct Connection;
  std::unique_ptr<Connection> Acquire(absl::Status& status);
  void Release(std::unique_ptr<Connection> conn);

  RedisOptions options_;
  std::unique_ptr<TlsTunnel> tunnel_;  // when TLS is on
  absl::Status tunnel_status_;         // why the tunnel could not start
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;
};

}  // namespace herald
