#pragma once
// Carries plaintext connections over TLS to a remote server. Debian 12's
// hiredis (0.14) speaks only plaintext, and managed Redis offerings require
// TLS; so RedisClient connects to this tunnel's Unix socket, in a folder only
// this process's user can enter, and the tunnel speaks TLS to Redis, verifying
// its certificate and name. Nothing listens on a network port.
//
// One thread accepts; each carried connection has a thread of its own (a
// Redis pool holds a handful of connections, so threads are few).
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"

namespace herald {

struct TlsTunnelOptions {
  std::string host;  // the TLS server
  int port = 0;
  std::string ca_file;      // PEM roots the server's certificate must chain to
  std::string server_name;  // the name its certificate must carry (default: host)
  std::string cert_file;    // optional client certificate (servers that ask for one)
  std::string key_file;
  int connect_timeout_ms = 2000;
};

class TlsTunnel {
 public:
  // Checks the files (certificates load, key matches) and starts listening.
  static absl::StatusOr<std::unique_ptr<TlsTunnel>> Start(const TlsTunnelOptions& options);
  ~TlsTunnel();
  TlsTunnel(const TlsTunnel&) = delete;
  TlsTunnel& operator=(const TlsTunnel&) = delete;

  // Where plaintext clients connect.
  const std::string& socket_path() const { return socket_path_; }

 private:
  struct Context;
  TlsTunnel(TlsTunnelOptions options, std::unique_ptr<Context> context);
  void AcceptLoop();
  void Carry(int client_fd);

  TlsTunnelOptions options_;
  std::unique_ptr<Context> context_;
  std::string dir_;
  std::string socket_path_;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::condition_variable idle_;
  int carriers_ = 0;           // connections being carried (detached threads)
  std::vector<int> open_fds_;  // their client sockets (shut down on stop)
};

}  // namespace herald
