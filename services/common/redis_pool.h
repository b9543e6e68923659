#pragma once
// Blocking connections to one Redis server (one cluster node), shared by the
// threads of a process. A Lease is one connection: Send writes a batch of
// commands without waiting, Receive reads their replies, so a caller can have
// batches in flight on several nodes at once. hiredis stays in the .cpp.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/redis_reply.h"

namespace herald {

struct RedisOptions;
class TlsTunnel;

class RedisNodePool {
 public:
  using Args = std::vector<std::string>;
  struct Connection;

  // Connects to options.host:options.port (through a TLS tunnel when
  // options.tls_ca_file is set); pool_size connections at most.
  explicit RedisNodePool(const RedisOptions& options);
  ~RedisNodePool();

  class Lease {
   public:
    Lease(RedisNodePool* pool, std::unique_ptr<Connection> conn);
    Lease(Lease&&) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();  // back to the pool, or closed when replies are left unread
    absl::Status Send(const std::vector<const Args*>& commands);
    absl::StatusOr<std::vector<RedisReply>> Receive();  // the replies of the last Send

   private:
    RedisNodePool* pool_;
    std::unique_ptr<Connection> conn_;
    size_t unread_ = 0;
  };

  absl::StatusOr<Lease> Acquire();
  // Send + Receive on one connection.
  absl::StatusOr<std::vector<RedisReply>> Pipeline(const std::vector<const Args*>& commands);
  const std::string& address() const { return address_; }

 private:
  void Release(std::unique_ptr<Connection> conn);

  std::string host_;
  int port_;
  std::string address_;
  int pool_size_;
  std::chrono::milliseconds timeout_;
  std::string username_, password_;
  std::unique_ptr<TlsTunnel> tunnel_;  // when TLS is on
  absl::Status tunnel_status_;         // why the tunnel could not start
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;
};

}  // namespace herald
