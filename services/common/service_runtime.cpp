#include "common/service_runtime.h"

#include <csignal>
#include <pthread.h>

#include <fstream>
#include <sstream>

#include "common/auth/kafka_audit_sink.h"
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

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A secret file's content without the trailing newline Secrets often carry.
std::optional<std::string> ReadSecret(const std::string& path) {
  auto s = ReadFile(path);
  if (!s) return std::nullopt;
  while (!s->empty() && (s->back() == '\n' || s->back() == '\r' || s->back() == ' ')) s->pop_back();
  return s;
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
  DeclareTrustSettings();
}

void ServiceRuntime::DeclareTrustSettings() {
  auth_enabled_ = settings_.Choice("auth", "on", {"on", "off"},
                                   "authenticate and authorise every call (off: development only)") == "on";
  std::string keys_file = settings_.String("auth-keys-file", "", "declared API keys (bootstrap admin, services)");
  if (!keys_file.empty()) {
    auto text = ReadFile(keys_file);
    auto keys = text ? auth::ParseKeysFile(*text) : absl::InvalidArgumentError("cannot read " + keys_file);
    if (keys.ok()) auth_options_.static_keys = *keys;
    else settings_.AddError("--auth-keys-file: " + std::string(keys.status().message()));
  }
  std::string jwks = settings_.String("jwks-file", "", "JWKS of the identity provider (enables JWTs)");
  auth::JwtOptions jwt;
  jwt.issuer = settings_.String("jwt-issuer", "", "required iss of JWTs");
  jwt.audience = settings_.String("jwt-audience", "", "required aud of JWTs");
  jwt.workspace_claim = settings_.String("jwt-workspace-claim", jwt.workspace_claim, "claim naming the workspace");
  jwt.role_claim = settings_.String("jwt-role-claim", jwt.role_claim, "claim naming the role");
  jwt.leeway_s = settings_.Int("jwt-leeway-s", 30, 0, 300, "clock skew allowed on exp and nbf");
  if (!jwks.empty()) {
    auto text = ReadFile(jwks);
    auto verifier = text ? auth::JwtVerifier::FromJwks(*text, jwt) : absl::InvalidArgumentError("cannot read " + jwks);
    if (verifier.ok()) auth_options_.jwt = std::move(*verifier);
    else settings_.AddError("--jwks-file: " + std::string(verifier.status().message()));
  }
  std::string service_key = settings_.String("service-key-file", "", "this service's API key for calls to others");
  if (!service_key.empty()) {
    auto key = ReadSecret(service_key);
    if (!key || !auth::KeyId(*key)) settings_.AddError("--service-key-file: want a file holding an hk_ API key");
    else client_.api_key = *key;
  }
  tls_.cert_file = settings_.String("tls-cert-file", "", "PEM certificate: serve gRPC over TLS (and present it to peers)");
  tls_.key_file = settings_.String("tls-key-file", "", "PEM private key of --tls-cert-file");
  tls_.ca_file = settings_.String("tls-ca-file", "", "PEM roots: verify peers (and call other services over TLS)");
  tls_.require_client_cert = settings_.Bool("tls-require-client-cert", false, "mutual TLS: refuse clients without a certificate");
  if (tls_.cert_file.empty() != tls_.key_file.empty()) settings_.AddError("--tls-cert-file and --tls-key-file go together");
  if (tls_.require_client_cert && (tls_.ca_file.empty() || tls_.cert_file.empty())) {
    settings_.AddError("--tls-require-client-cert needs --tls-cert-file, --tls-key-file and --tls-ca-file");
  }
  client_.tls = tls_;
}

std::shared_ptr<auth::Authenticator> ServiceRuntime::Authenticator() {
  if (!auth_enabled_) return nullptr;
  if (!authenticator_) {
    if (redis_) {
      RedisOptions r = *redis_;
      r.pool_size = 2;
      auth_redis_ = std::make_unique<RedisClient>(r);
      key_store_ = auth::MakeRedisKeyStore(*auth_redis_);
    }
    authenticator_ = std::make_shared<auth::Authenticator>(auth_options_, key_store_.get(), SystemClock::Instance());
  }
  return authenticator_;
}

void ServiceRuntime::StartAuth() {
  auth::ServerAuthOptions options;
  options.enabled = auth_enabled_;
  options.clock = &SystemClock::Instance();
  if (auth_enabled_) {
    options.authenticator = Authenticator();
    auth_executor_ = std::make_unique<Executor>(2);
    options.slow_path = auth_executor_.get();
  } else {
    log::Warn("authentication is OFF: every caller acts as an owner of every workspace");
  }
  if (kafka_) {
    audit_producer_ = std::make_unique<KafkaProducer>(*kafka_);
    audit_ = std::make_unique<auth::KafkaAuditSink>(*audit_producer_);
    options.audit = audit_.get();
  }
  grpc_.SetAuth(std::move(options));
  grpc_.SetTls(tls_);
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
  options.cluster = settings_.Bool("redis-cluster", false, "--redis-addr is a node of a Redis Cluster (any one)");
  options.pool_size = static_cast<int>(settings_.Int("redis-pool", 8, 1, 256, "Redis connections (per node)"));
  options.username = settings_.String("redis-username", "", "Redis ACL user (with --redis-password-file)");
  std::string password_file = settings_.String("redis-password-file", "", "file holding the Redis password");
  if (!password_file.empty()) {
    auto pw = ReadSecret(password_file);
    if (!pw) settings_.AddError("--redis-password-file: cannot read " + password_file);
    else options.password = *pw;
  }
  // Managed Redis speaks TLS: on when a CA file is given.
  options.tls_ca_file = settings_.String("redis-tls-ca-file", "", "PEM roots for Redis's certificate (turns TLS on)");
  options.tls_server_name =
      settings_.String("redis-tls-server-name", "", "name Redis's certificate must carry (default: the host)");
  options.tls_cert_file = settings_.String("redis-tls-cert-file", "", "client certificate, when Redis asks for one");
  options.tls_key_file = settings_.String("redis-tls-key-file", "", "its private key");
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    settings_.AddError("--redis-tls-cert-file and --redis-tls-key-file go together");
  }
  if (options.tls_ca_file.empty() && !(options.tls_server_name.empty() && options.tls_cert_file.empty())) {
    settings_.AddError("--redis-tls-* need --redis-tls-ca-file");
  }
  redis_ = options;
  return options;
}

KafkaOptions ServiceRuntime::KafkaSettings() {
  if (!kafka_) {
    kafka_.emplace();
    kafka_->brokers = settings_.Required("kafka-brokers", "Kafka bootstrap servers, host:port[,host:port]");
    kafka_->client_id = "herald-" + name_;
    // Managed Kafka: SASL and TLS, passed to librdkafka as they are.
    std::string protocol = settings_.Choice("kafka-security-protocol", "plaintext",
                                            {"plaintext", "ssl", "sasl_plaintext", "sasl_ssl"}, "Kafka security.protocol");
    kafka_->properties["security.protocol"] = protocol;
    std::string mechanism = settings_.String("kafka-sasl-mechanism", "", "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512");
    std::string user = settings_.String("kafka-sasl-username", "", "SASL user");
    std::string password_file = settings_.String("kafka-sasl-password-file", "", "file holding the SASL password");
    std::string ca = settings_.String("kafka-ssl-ca-file", "", "PEM roots for the brokers' certificates");
    if (!mechanism.empty()) kafka_->properties["sasl.mechanisms"] = mechanism;
    if (!user.empty()) kafka_->properties["sasl.username"] = user;
    if (!password_file.empty()) {
      auto pw = ReadSecret(password_file);
      if (!pw) settings_.AddError("--kafka-sasl-password-file: cannot read " + password_file);
      else kafka_->properties["sasl.password"] = *pw;
    }
    if (!ca.empty()) kafka_->properties["ssl.ca.location"] = ca;
    if (protocol.rfind("sasl", 0) == 0 && (mechanism.empty() || user.empty())) {
      settings_.AddError("--kafka-security-protocol=" + protocol + " needs --kafka-sasl-mechanism and --kafka-sasl-username");
    }
  }
  return *kafka_;
}

ConsumerOptions ServiceRuntime::ConsumerSettings(const std::string& default_group, std::vector<std::string> topics) {
  ConsumerOptions options;
  options.kafka = KafkaSettings();
  options.group_id = settings_.String("consumer-group", default_group, "Kafka consumer group");
  options.kafka.properties["session.timeout.ms"] = std::to_string(
      settings_.Int("kafka-session-timeout-ms", 10000, 1000, 300000, "consumer session timeout (rebalance speed)"));
  options.kafka.properties["fetch.wait.max.ms"] = std::to_string(settings_.Int(
      "kafka-fetch-wait-ms", 500, 1, 10000,
      "longest a fetch waits for records (a broker answers sooner when records arrive; one that does not "
      "long-poll, like the dev broker, answers only then)"));
  options.topics = std::move(topics);
  return options;
}

std::unique_ptr<RedisClient> ServiceRuntime::ConnectRedis(const RedisOptions& options) {
  auto redis = std::make_unique<RedisClient>(options);
  if (auto st = redis->Ping(); !st.ok()) log::Warn("redis not reachable yet", {{"error", st.ToString()}});
  return redis;
}

int ServiceRuntime::Run() {
  StartAuth();
  metrics_.Start(metrics_port_, name_);
  if (redis_) {
    redis_probe_ = std::make_unique<RedisProbe>(*redis_, metrics());
    redis_probe_->Start();
  }
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
  if (redis_probe_) redis_probe_->Stop();
  if (auth_executor_) auth_executor_->Stop();
  if (audit_producer_) audit_producer_->Flush(std::chrono::seconds(5));
  log::Info("stopped");
  return 0;
}

}  // namespace herald
