#pragma once
// A real redis-server for one test binary, on a free port, in a temp folder.
#include <memory>
#include <string>

#include "common/redis.h"
#include "support/process.h"
#include "support/test_certs.h"

namespace herald::testing {

class RedisServer {
 public:
  // aof: appendonly yes + appendfsync always (restart tests).
  // tls: the server speaks only TLS (certificates from MakeTestCertificates),
  // and options() reach it through RedisClient's TLS tunnel.
  explicit RedisServer(bool aof = false, bool tls = false);
  ~RedisServer();

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  RedisOptions options() const;
  void FlushAll();
  // Stops the server (SIGKILL when hard) and starts it again on the same port and folder.
  void Restart(bool hard);

 private:
  void Start();
  bool aof_;
  bool tls_;
  int port_;
  std::string dir_;
  TestCertificates certs_;  // with tls
  Process process_;
};

}  // namespace herald::testing
