#pragma once
// The whole platform for an end-to-end test: real redis-server, the dev
// broker, the simulator, the five services and Prometheus — each its own
// process on free ports, stopped when the Platform is destroyed.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/process.h"

namespace herald::testing {

struct ServicePorts {
  int grpc = 0;
  int metrics = 0;
};

struct PlatformOptions {
  std::vector<std::string> publisher_args;
  std::vector<std::string> simulator_args;
  // The simulator's accounts, "token:username,...".
  std::string simulator_accounts = "e2e-token:brand,other-token:other";
  // More publishers in the same consumer group ("publisher", "publisher2", ...).
  int publisher_replicas = 1;
  // How often the listener polls each channel through the publisher's
  // gateway (rarely by default: tests of publishing keep their quota).
  int listener_poll_interval_ms = 30000;
  // When analytics reads a published post's metrics (short, so tests see them).
  std::string metrics_read_ages = "2s,6s,1h";
  // How often analytics reads each channel's followers (short, so tests see growth).
  std::string follower_read_interval = "3s";
  // Extra flags for all five services (e.g. JWT settings).
  std::vector<std::string> service_args;
  // Mutual TLS on every gRPC server and between the services (a CA, and one
  // certificate for 127.0.0.1 the services and the tests present), and a
  // Redis that speaks only TLS.
  bool mtls = false;
  // The services share a three-master Redis Cluster (with replicas) instead
  // of one redis-server. Default: HERALD_E2E_REDIS=cluster in the environment
  // (how ctest runs the thin slice a second time).
  bool redis_cluster = RedisClusterFromEnvironment();
  static bool RedisClusterFromEnvironment();
};

class RedisCluster;

class Platform {
 public:
  explicit Platform(PlatformOptions options = {});
  ~Platform();

  std::string Grpc(const std::string& service) const { return "127.0.0.1:" + std::to_string(ports_.at(service).grpc); }
  const std::map<std::string, ServicePorts>& ports() const { return ports_; }
  std::string simulator_url() const { return "http://127.0.0.1:" + std::to_string(simulator_port_); }
  std::string listener_url() const { return "http://127.0.0.1:" + std::to_string(listener_http_port_); }
  // The campaign service's link redirects (GET /l/{code}).
  std::string campaign_url() const { return "http://127.0.0.1:" + std::to_string(campaign_http_port_); }
  // The Redis server (with redis_cluster: the node the services were pointed at).
  int redis_port() const { return redis_port_; }
  bool redis_cluster() const { return redis_cluster_ != nullptr; }
  // With mtls: the files a client needs (ca.pem, cert.pem, cert.key in dir()/tls).
  std::string tls_file(const std::string& name) const { return dir_ + "/tls/" + name; }
  const std::string& brokers() const { return brokers_; }
  std::string prometheus_url() const { return "http://127.0.0.1:" + std::to_string(prometheus_port_); }
  const std::string& webhook_secret() const { return webhook_secret_; }
  // An owner key of every workspace ("*"), declared in the keys file: what the
  // tests call with (Ctx() carries it).
  const std::string& operator_key() const { return operator_key_; }
  // Where the declared keys are (a test may add its own and restart a service).
  std::string keys_file() const { return dir_ + "/keys"; }
  const std::string& dir() const { return dir_; }
  Process& process(const std::string& name) { return *processes_.at(name); }
  // Starts a stopped or killed process again with the same arguments.
  void Restart(const std::string& name);
  // Logs of every process, for failure messages.
  std::string Logs() const;

 private:
  void Start(const std::string& name, std::vector<std::string> argv, std::map<std::string, std::string> env = {});

  std::string dir_;
  std::string brokers_;
  int redis_port_ = 0, simulator_port_ = 0, listener_http_port_ = 0, campaign_http_port_ = 0, prometheus_port_ = 0;
  std::string webhook_secret_ = "e2e-webhook-secret";
  std::string operator_key_;
  std::map<std::string, ServicePorts> ports_;
  std::vector<std::string> order_;
  std::map<std::string, std::unique_ptr<Process>> processes_;
  struct Launch {
    std::vector<std::string> argv;
    std::map<std::string, std::string> env;
  };
  std::map<std::string, Launch> launches_;
  std::unique_ptr<RedisCluster> redis_cluster_;  // with redis_cluster; outlives the services
};

}  // namespace herald::testing
