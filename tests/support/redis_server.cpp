#include "support/redis_server.h"

#include <stdexcept>
#include <thread>

namespace herald::testing {

RedisServer::RedisServer(bool aof, bool tls)
    : aof_(aof), tls_(tls), port_(FreePort()), dir_(MakeTempDir("herald-redis-")) {
  // Made once: a restart keeps the certificates clients already trust.
  if (tls_) certs_ = MakeTestCertificates(dir_ + "/tls");
  Start();
}

RedisServer::~RedisServer() {
  process_.Kill();
  std::string cmd = "rm -rf '" + dir_ + "'";
  (void)std::system(cmd.c_str());
}

void RedisServer::Start() {
  std::vector<std::string> argv{"/usr/bin/redis-server", "--port", tls_ ? "0" : std::to_string(port_), "--bind", "127.0.0.1",
                                "--dir", dir_, "--save", "", "--maxmemory-policy", "noeviction",
                                // as deployed (k8s/components/redis/redis.conf): posts stay in listpacks
                                "--hash-max-listpack-value", "1024", "--zset-max-listpack-entries", "256"};
  if (aof_) {
    argv.insert(argv.end(), {"--appendonly", "yes", "--appendfsync", "always"});
  } else {
    argv.insert(argv.end(), {"--appendonly", "no"});
  }
  if (tls_) {
    argv.insert(argv.end(), {"--tls-port", std::to_string(port_), "--tls-cert-file", certs_.cert_file,
                             "--tls-key-file", certs_.key_file, "--tls-ca-cert-file", certs_.ca_file,
                             "--tls-auth-clients", "no"});
  }
  process_ = Process("redis", argv, {}, dir_ + "/redis.log");
  if (!WaitForPort(port_, std::chrono::seconds(30))) throw std::runtime_error("redis-server did not start");
  RedisClient probe(options());
  for (int i = 0; i < 100; ++i) {
    if (probe.Ping().ok()) return;  // AOF loading answers LOADING until done
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("redis-server not answering PING");
}

RedisOptions RedisServer::options() const {
  RedisOptions o;
  o.host = "127.0.0.1";
  o.port = port_;
  o.pool_size = 4;
  o.tls_ca_file = certs_.ca_file;
  return o;
}

void RedisServer::FlushAll() {
  RedisClient c(options());
  (void)c.Command({"FLUSHALL"});
}

void RedisServer::Restart(bool hard) {
  if (hard) {
    process_.Kill();
  } else {
    process_.Stop();
  }
  Start();
}

}  // namespace herald::testing
