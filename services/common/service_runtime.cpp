#include "common/service_runtime.h"

#include <csignal>
#include <pthread.h>

#include "common/log.h"

namespace herald {
namespace {

sigset_t ShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

ServiceRuntime::ServiceRuntime(std::string name, int argc, char** argv)
    : name_(name), settings_(Settings::FromMain(name, argc, argv)), grpc_(metrics_.registry()) {
  // Before any thread exists, so every thread inherits the mask.
  sigset_t set = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  grpc_port_ = settings_.Port("grpc-port", 0, "gRPC listen port (0 picks a free one)");
  metrics_port_ = settings_.Port("metrics-port", 0, "Prometheus /metrics port (0 picks a free one)");
  executor_threads_ = static_cast<int>(settings_.Int("executor-threads", 8, 1, 256, "threads for blocking request work"));
  drain_ms_ = static_cast<int>(settings_.Int("drain-ms", 5000, 0, 600000, "time in-flight RPCs get at shutdown"));
  std::string level = settings_.Choice("log-level", "info", {"debug", "info", "warn", "error"}, "log verbosity");
  log::Init(name_, level);
  executor_ = std::make_unique<Executor>(executor_threads_);
}

RedisOptions ServiceRuntime::RedisSettings() {
  RedisOptions options;
  std::string addr = settings_.String("redis-addr", "127.0.0.1:6379", "Redis host:port");
  if (auto hp = ParseHostPort(addr)) {
    options.host = hp->host;
    options.port = hp->port;
  } else {
    settings_.AddError("--redis-addr=" + addr + ": want host:port");
  }
  options.pool_size = static_cast<int>(settings_.Int("redis-pool", 8, 1, 256, "Redis connections"));
  return options;
}

KafkaOptions ServiceRuntime::KafkaSettings() {
  if (!kafka_) {
    kafka_.emplace();
    kafka_->brokers = settings_.Required("kafka-brokers", "Kafka bootstrap servers, host:port[,host:port]");
    kafka_->client_id = "herald-" + name_;
  }
  return *kafka_;
}

ConsumerOptions ServiceRuntime::ConsumerSettings(const std::string& default_group, std::vector<std::string> topics) {
  ConsumerOptions options;
  options.kafka = KafkaSettings();
  options.group_id = settings_.String("consumer-group", default_group, "Kafka consumer group");
  options.kafka.properties["session.timeout.ms"] = std::to_string(
      settings_.Int("kafka-session-timeout-ms", 10000, 1000, 300000, "consumer session timeout (rebalance speed)"));
  options.topics = std::move(topics);
  return options;
}

std::unique_ptr<RedisClient> ServiceRuntime::ConnectRedis(const RedisOptions& options) {
  auto redis = std::make_unique<RedisClient>(options);
  if (auto st = redis->Ping(); !st.ok()) log::Warn("redis not reachable yet", {{"error", st.ToString()}});
  return redis;
}

int ServiceRuntime::Run() {
  metrics_.Start(metrics_port_);
  grpc_.Start("0.0.0.0:" + std::to_string(grpc_port_));
  log::Info("serving", {{"grpc_port", grpc_.port()}, {"metrics_port", metrics_port_}});

  sigset_t set = ShutdownSignals();
  int sig = 0;
  sigwait(&set, &sig);
  log::Info("shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});

  grpc_.SetServing(false);
  grpc_.Shutdown(std::chrono::milliseconds(drain_ms_));
  executor_->Stop();
  for (auto it = stop_hooks_.rbegin(); it != stop_hooks_.rend(); ++it) (*it)();
  log::Info("stopped");
  return 0;
}

}  // namespace herald
