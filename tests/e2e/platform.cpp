#include "platform.h"

#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/auth/api_key.h"
#include "e2e_util.h"
#include "support/redis_cluster.h"
#include "support/test_certs.h"

namespace herald::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

bool PlatformOptions::RedisClusterFromEnvironment() {
  const char* v = std::getenv("HERALD_E2E_REDIS");
  return v && std::string(v) == "cluster";
}

void Platform::Start(const std::string& name, std::vector<std::string> argv, std::map<std::string, std::string> env) {
  launches_[name] = {argv, env};
  processes_[name] = std::make_unique<Process>(name, std::move(argv), std::move(env), dir_ + "/" + name + ".log");
  order_.push_back(name);
}

void Platform::Restart(const std::string& name) {
  processes_[name]->Kill();
  const Launch& l = launches_.at(name);
  processes_[name] = std::make_unique<Process>(name, l.argv, l.env, dir_ + "/" + name + ".log");
  if (ports_.count(name) && !WaitForPort(ports_[name].grpc, std::chrono::seconds(30))) {
    throw std::runtime_error(name + " did not come back\n" + processes_[name]->LogTail());
  }
}

Platform::Platform(PlatformOptions options) : dir_(MakeTempDir("herald-e2e-")) {
  const std::string bin = BinaryDir();
  // With mtls, everything speaks TLS: gRPC (mutual) and Redis.
  TestCertificates certs;
  if (options.mtls) {
    certs = MakeTestCertificates(dir_ + "/tls");
    options.service_args.push_back("--tls-cert-file=" + certs.cert_file);
    options.service_args.push_back("--tls-key-file=" + certs.key_file);
    options.service_args.push_back("--tls-ca-file=" + certs.ca_file);
    options.service_args.push_back("--tls-require-client-cert=true");
    options.service_args.push_back("--redis-tls-ca-file=" + certs.ca_file);
  }
  if (options.redis_cluster && !options.mtls) {
    redis_cluster_ = std::make_unique<RedisCluster>();
    redis_port_ = redis_cluster_->port(0);
    options.service_args.push_back("--redis-cluster=true");
  } else {
    redis_port_ = FreePort();
    std::vector<std::string> redis{"/usr/bin/redis-server", "--port", std::to_string(redis_port_), "--bind", "127.0.0.1",
                                   "--dir", dir_, "--save", "", "--appendonly", "yes", "--maxmemory", "1gb",
                                   "--maxmemory-policy", "noeviction"};
    if (options.mtls) {
      redis[2] = "0";  // TLS only
      redis.insert(redis.end(), {"--tls-port", std::to_string(redis_port_), "--tls-cert-file", certs.cert_file,
                                 "--tls-key-file", certs.key_file, "--tls-ca-cert-file", certs.ca_file,
                                 "--tls-auth-clients", "no"});
    }
    Start("redis", redis);
    if (!WaitForPort(redis_port_, std::chrono::seconds(30))) throw std::runtime_error("redis did not start");
  }

  Start("devbroker", {bin + "/tools/devbroker/herald-devbroker", "--bootstrap-file=" + dir_ + "/kafka.bootstrap"});
  // Up to a minute: topic creation is slow on a loaded 2-core machine.
  for (int i = 0; i < 1200 && brokers_.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    brokers_ = ReadFile(dir_ + "/kafka.bootstrap");
  }
  if (brokers_.empty()) throw std::runtime_error("devbroker did not write its bootstrap file");

  // Credentials: an operator key for the tests, one service key per service.
  {
    std::ofstream keys(keys_file());
    auto op = auth::GenerateKey("*", "e2e-operator", herald::auth::v1::ROLE_OWNER, NowMs());
    operator_key_ = op.secret;
    keys << auth::KeysFileLine(op.stored) << "\n";
    for (const char* s : {"scheduler", "publisher", "listener", "campaign", "analytics"}) {
      auto k = auth::GenerateKey("*", s, herald::auth::v1::ROLE_SERVICE, NowMs());
      keys << auth::KeysFileLine(k.stored) << "\n";
      std::ofstream(dir_ + "/" + s + ".key") << k.secret << "\n";
    }
    TestAuthorization() = "Bearer " + operator_key_;
  }

  simulator_port_ = FreePort();
  std::vector<std::string> simulator{bin + "/tools/simulator/herald-simulator", "--port=" + std::to_string(simulator_port_),
                                     "--accounts=" + options.simulator_accounts,
                                     "--webhook-secret=" + webhook_secret_};
  simulator.insert(simulator.end(), options.simulator_args.begin(), options.simulator_args.end());
  Start("simulator", simulator);

  std::vector<std::string> publishers{"publisher"};
  for (int i = 2; i <= options.publisher_replicas; ++i) publishers.push_back("publisher" + std::to_string(i));
  for (const auto& s : publishers) ports_[s] = {FreePort(), FreePort()};
  for (const char* s : {"scheduler", "listener", "campaign", "analytics"}) ports_[s] = {FreePort(), FreePort()};
  listener_http_port_ = FreePort();
  campaign_http_port_ = FreePort();
  std::function<std::vector<std::string>(const std::string&)> common = [&](const std::string& s) {
    std::string service = s.rfind("publisher", 0) == 0 ? "publisher" : s;
    return std::vector<std::string>{bin + "/services/" + service + "/herald-" + service,
                                    "--grpc-port=" + std::to_string(ports_[s].grpc),
                                    "--metrics-port=" + std::to_string(ports_[s].metrics),
                                    "--redis-addr=127.0.0.1:" + std::to_string(redis_port_),
                                    "--kafka-brokers=" + brokers_,
                                    "--auth-keys-file=" + keys_file(),
                                    "--service-key-file=" + dir_ + "/" + service + ".key"};
  };
  auto common_with_options = common;
  common = [&, common_with_options](const std::string& s) {
    auto v = common_with_options(s);
    v.insert(v.end(), options.service_args.begin(), options.service_args.end());
    return v;
  };
  auto with = [](std::vector<std::string> v, std::vector<std::string> extra) {
    v.insert(v.end(), extra.begin(), extra.end());
    return v;
  };
  const std::string session = "--kafka-session-timeout-ms=6000";
  for (const auto& name : publishers) {
    // Loopback is where the simulator and the tests' receivers are.
    auto args = with(common(name), {session, "--backoff-base-ms=200", "--egress-allow=127.0.0.0/8"});
    args.insert(args.end(), options.publisher_args.begin(), options.publisher_args.end());
    Start(name, args, {{"HERALD_CREDENTIALS_KEY", std::string(64, '7')}});
  }
  Start("scheduler", with(common("scheduler"), {session, "--lease-ms=3000", "--import-idle-timeout-ms=3000", "--publisher-addr=" + Grpc("publisher"),
                                                 "--analytics-addr=" + Grpc("analytics"),
                                                 "--campaign-addr=" + Grpc("campaign")}));
  Start("listener",
        with(common("listener"),
             {session, "--http-port=" + std::to_string(listener_http_port_), "--scheduler-addr=" + Grpc("scheduler"),
              "--publisher-addr=" + Grpc("publisher"),
              "--poll-interval-ms=" + std::to_string(options.listener_poll_interval_ms), "--claim-ttl-ms=3000", "--poll-lease-ms=5000",
              // The simulator signs the networks' own webhooks with these.
              "--meta-app-secret=dev-meta-app-secret", "--meta-verify-token=e2e-verify-token",
              "--x-consumer-secret=dev-x-consumer-secret"}),
        {{"HERALD_WEBHOOK_SECRET", webhook_secret_}});
  Start("campaign",
        with(common("campaign"), {"--scheduler-addr=" + Grpc("scheduler"), "--analytics-addr=" + Grpc("analytics"),
                                  "--http-port=" + std::to_string(campaign_http_port_),
                                  "--link-base-url=" + campaign_url(),
                                  // Events a killed request left behind are swept out within seconds.
                                  "--outbox-grace-ms=3000", "--outbox-sweep-interval-ms=1000"}),
        {{"HERALD_CLICK_SECRET", "e2e-click-secret"}});
  Start("analytics", with(common("analytics"), {session, "--publisher-addr=" + Grpc("publisher"),
                                                 "--metrics-read-ages=" + options.metrics_read_ages,
                                                 "--follower-read-interval=" + options.follower_read_interval}));

  prometheus_port_ = FreePort();
  {
    std::ofstream cfg(dir_ + "/prometheus.yml");
    // The production alerting rules, evaluated every second (thin slice checks they load and run).
    cfg << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - " << HERALD_SOURCE_DIR
        << "/deploy/prometheus/alerts.yml\nscrape_configs:\n";
    for (const auto& [name, p] : ports_) {
      cfg << "  - job_name: herald-" << name << "\n    static_configs: [{targets: ['127.0.0.1:" << p.metrics
          << "']}]\n";
    }
  }
  Start("prometheus", {"/usr/bin/prometheus", "--config.file=" + dir_ + "/prometheus.yml",
                       "--storage.tsdb.path=" + dir_ + "/prometheus",
                       "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port_)});

  std::vector<int> wait_ports{simulator_port_, listener_http_port_, campaign_http_port_, prometheus_port_};
  for (const auto& [name, p] : ports_) {
    wait_ports.push_back(p.grpc);
    wait_ports.push_back(p.metrics);
  }
  for (int port : wait_ports) {
    if (!WaitForPort(port, std::chrono::seconds(30))) {
      throw std::runtime_error("port " + std::to_string(port) + " never opened\n" + Logs());
    }
  }
}

Platform::~Platform() {
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) processes_[*it]->Stop(std::chrono::seconds(15));
  redis_cluster_.reset();
  std::string cmd = "rm -rf '" + dir_ + "'";
  if (!std::getenv("HERALD_KEEP_TEST_DIRS")) (void)std::system(cmd.c_str());
}

std::string Platform::Logs() const {
  std::string out;
  for (const auto& name : order_) out += "----- " + name + " -----\n" + processes_.at(name)->LogTail(3000) + "\n";
  if (redis_cluster_) out += "----- redis cluster -----\n" + redis_cluster_->Logs();
  return out;
}

}  // namespace herald::testing
