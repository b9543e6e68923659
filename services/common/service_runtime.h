#pragma once
// What every service's main() shares: settings, logs, the metrics endpoint,
// the gRPC server, an executor for blocking work, and graceful shutdown.
//
// Shutdown on SIGTERM/SIGINT: health NOT_SERVING → gRPC stops taking calls and
// finishes those in flight → registered stop hooks run in reverse order of
// registration (consumers drain and commit, producers flush) → exit 0.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/auth/authenticator.h"
#include "common/auth/key_store.h"
#include "common/config.h"
#include "common/consumer_groups.h"
#include "common/grpc_client.h"
#include "common/executor.h"
#include "common/grpc_server.h"
#include "common/kafka.h"
#include "common/metrics.h"
#include "common/redis.h"
#include "common/redis_probe.h"

namespace herald {

class ServiceRuntime {
 public:
  // Blocks SIGTERM/SIGINT in every thread (they are waited for in Run) and
  // declares the settings every service has.
  ServiceRuntime(std::string name, int argc, char** argv);

  Settings& settings() { return settings_; }
  const std::string& name() const { return name_; }

  // Settings shared by several services.
  RedisOptions RedisSettings();
  KafkaOptions KafkaSettings();
  // A consumer of `topics` in a group: --consumer-group (default_group) and
  // --kafka-session-timeout-ms, on top of KafkaSettings().
  ConsumerOptions ConsumerSettings(const std::string& default_group, std::vector<std::string> topics);
  // The same for one of Herald's groups (common/consumer_groups.h).
  ConsumerOptions ConsumerSettings(const ConsumerGroup& group) { return ConsumerSettings(group.id, group.topics); }

  // A Redis client for the validated options; warns (does not fail) when Redis
  // is not reachable yet — requests fail with UNAVAILABLE until it is.
  std::unique_ptr<RedisClient> ConnectRedis(const RedisOptions& options);

  // Call after the service declared its own settings: exits on any error.
  void ValidateSettings() { settings_.ExitOnError(); }

  // A channel to another Herald service, carrying this service's identity
  // (--service-key-file) and TLS settings.
  std::shared_ptr<grpc::Channel> Dial(const std::string& address) { return DialService(address, client_); }

  prometheus::Registry& metrics() { return metrics_.registry(); }
  Executor& executor() { return *executor_; }
  GrpcServer& grpc() { return grpc_; }

  // Runs at shutdown, last registered first.
  void OnStop(std::function<void()> hook) { stop_hooks_.push_back(std::move(hook)); }
  // Starts a component (anything with Start and Stop) and registers its Stop
  // in the same call, so components stop in the reverse of the order they
  // started, by construction.
  template <class Component>
  void Launch(Component& component) {
    component.Start();
    OnStop([&component] { component.Stop(); });
  }

  // Who a credential names, for endpoints outside gRPC (an HTTP API): the
  // same API keys and JWTs, the same cache. Null when auth is off. Call
  // after RedisSettings (keys created through the admin API live in Redis).
  std::shared_ptr<auth::Authenticator> Authenticator();

  // Starts metrics and gRPC, waits for a signal, shuts down. Returns the exit code.
  int Run();

 private:
  void DeclareTrustSettings();
  void StartAuth();

  std::string name_;
  Settings settings_;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
  int executor_threads_ = 8;
  int drain_ms_ = 5000;
  std::optional<KafkaOptions> kafka_;
  std::optional<RedisOptions> redis_;
  bool auth_enabled_ = true;
  auth::AuthenticatorOptions auth_options_;
  TlsFiles tls_;
  ServiceClientOptions client_;
  std::unique_ptr<RedisProbe> redis_probe_;  // with Redis: herald_redis_* gauges
  std::unique_ptr<RedisClient> auth_redis_;
  std::unique_ptr<auth::KeyStore> key_store_;
  std::shared_ptr<auth::Authenticator> authenticator_;
  std::unique_ptr<Executor> auth_executor_;
  std::unique_ptr<KafkaProducer> audit_producer_;
  std::unique_ptr<auth::AuditSink> audit_;
  MetricsServer metrics_;
  GrpcServer grpc_;
  std::unique_ptr<Executor> executor_;
  std::vector<std::function<void()>> stop_hooks_;
};

}  // namespace herald
