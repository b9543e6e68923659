// Scheduler benchmarks (issue 3). Each figure is printed beside a baseline
// measured in the same run on the same machine, because these machines are
// shared and noisy: compare ratios, not absolute numbers.
//
//   scheduler_bench [--posts=1000000] [--lateness-posts=10000] [--rpc-seconds=5]
//
// 1. Redis bytes per scheduled post (200-byte text) vs the bare minimum in
//    Redis: ZADD of the id + SET of the same payload.
// 2. Dispatch: due posts produced to Kafka per second vs redis-benchmark -t zadd
//    and a raw librdkafka produce of the same messages.
// 3. Lateness (Kafka produce time - due time) at 1,000 due posts/s: p50/p99.
// 4. CreatePost with 16 concurrent clients vs a trivial gRPC call (health check).
#include <grpcpp/grpcpp.h>

#include <atomic>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "common/clock.h"
#include "common/executor.h"
#include "common/grpc_server.h"
#include "common/kafka.h"
#include "common/log.h"
#include "common/redis.h"
#include "common/time_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "herald/events/v1/events.pb.h"
#include "herald/scheduler/v1/scheduler.grpc.pb.h"
#include "herald/topics.h"
#include "scheduler/dispatcher.h"
#include "scheduler/post_rules.h"
#include "scheduler/post_store.h"
#include "scheduler/scheduler_service.h"
#include "common/auth/kafka_audit_sink.h"
#include "common/auth/key_store.h"
#include "common/auth/server_auth.h"
#include "support/devbroker.h"
#include "support/jwt_issuer.h"
#include "support/process.h"
#include "support/redis_server.h"

using namespace herald;
using namespace herald::scheduler;
using herald::bench::Flag;
using herald::bench::Fmt;
using herald::bench::Seconds;
using herald::bench::Percentile;
using herald::bench::Row;
using herald::bench::RedisCpu;
using herald::bench::SelfCpu;
using herald::bench::ProcessCpu;

namespace {


int64_t UsedMemory(RedisClient& redis) {
  auto info = redis.Command({"INFO", "memory"});
  auto pos = info->str.find("used_memory:");
  return std::atoll(info->str.c_str() + pos + 12);
}

const std::string kText(200, 'x');

v1::Post MakePost(int i, int64_t due, int64_t now) {
  v1::CreatePostRequest r;
  r.set_workspace_id("bench");
  r.set_text(kText);
  r.add_channel_ids("ch_" + std::to_string(i % 100));
  *r.mutable_publish_at() = FromMs(due);
  return BuildPost(r, NewPostId("bench", "req-" + std::to_string(i)), due, now);
}

// Stores n posts due at due(i), 2,000 per round trip.
void CreatePosts(PostStore& store, int n, const std::function<int64_t(int)>& due) {
  int64_t now = SystemClock::Instance().NowMs();
  for (int start = 0; start < n; start += 2000) {
    std::vector<v1::Post> batch;
    for (int i = start; i < std::min(n, start + 2000); ++i) batch.push_back(MakePost(i, due(i), now));
    auto r = store.CreateMany(batch);
    if (!r.ok()) {
      std::fprintf(stderr, "create failed: %s\n", r.status().ToString().c_str());
      std::exit(1);
    }
  }
}

// redis-benchmark's "ZADD: 85034.01 requests per second".
double RedisBenchmarkZadd(int port) {
  std::string out = herald::bench::RunCommand("redis-benchmark -p " + std::to_string(port) +
                                              " -t zadd -n 200000 -c 50 -q 2>/dev/null");
  // -q prints progress lines ending in \r; the result is the one with "requests per second".
  auto end = out.find(" requests per second");
  if (end == std::string::npos) return 0;
  auto start = out.rfind("ZADD: ", end);
  return start == std::string::npos ? 0 : std::atof(out.c_str() + start + 6);
}

double RawProduceRate(const std::string& brokers, int n, const std::string& payload) {
  KafkaProducer producer(KafkaOptions{brokers, "bench-raw", {}});
  auto start = std::chrono::steady_clock::now();
  std::atomic<int> done{0};
  for (int i = 0; i < n; ++i) {
    producer.Produce("link.clicks", "ch_" + std::to_string(i % 100), payload, {}, [&](const std::string&) { ++done; });
  }
  producer.Flush(std::chrono::seconds(120));
  return done / Seconds(start);
}

class FakeDirectory : public ChannelDirectory {
 public:
  absl::StatusOr<std::optional<ChannelInfo>> Lookup(const std::string&, const std::string& id) override {
    return std::optional<ChannelInfo>(ChannelInfo{id, "UTC", true});
  }
  absl::StatusOr<std::vector<ContentProblem>> ValidateContent(const std::string&, const std::string&, const std::string&,
                                                          const std::vector<std::string>&, const std::string&,
                                                          bool, bool) override {
    return std::vector<ContentProblem>{};
  }
};

// Runs `call` from `clients` threads for `seconds`; returns {rpc/s, p50 ms, p99 ms, errors}.
struct RpcResult {
  double rate, p50, p99;
  int errors;
};
RpcResult Hammer(int clients, double seconds, const std::function<bool(int client, int i)>& call) {
  std::vector<std::vector<double>> lat(clients);
  std::atomic<int> errors{0};
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (int i = 0; std::chrono::steady_clock::now() < until; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        if (!call(c, i)) ++errors;
        lat[c].push_back(Seconds(t0) * 1000);
      }
    });
  }
  for (auto& t : threads) t.join();
  double elapsed = Seconds(start);
  std::vector<double> all;
  for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
  return {static_cast<double>(all.size()) / elapsed, Percentile(all, 50), Percentile(all, 99), errors.load()};
}

}  // namespace

int main(int argc, char** argv) {
  log::Init("bench", "warn");  // the RPC phase would log every post created
  const int posts = static_cast<int>(Flag(argc, argv, "posts", 1'000'000));
  const int lateness_posts = static_cast<int>(Flag(argc, argv, "lateness-posts", 10'000));
  const double rpc_seconds = static_cast<double>(Flag(argc, argv, "rpc-seconds", 5));
  std::vector<Row> rows;

  herald::testing::RedisServer redis_server;
  herald::testing::DevBroker broker;
  RedisOptions ro = redis_server.options();
  ro.pool_size = 8;
  RedisClient redis(ro);
  const int kShards = 8;

  // ---- 1. memory per post, beside bare ZADD + SET of the same payload
  std::fprintf(stderr, "bench: storing %d posts...\n", posts);
  int64_t now = SystemClock::Instance().NowMs();
  int64_t before = UsedMemory(redis);
  PostStore store(redis, kShards);
  CreatePosts(store, posts, [&](int i) { return now - 60000 + i % 1000; });
  double per_post = static_cast<double>(UsedMemory(redis) - before) / posts;
  {
    RedisClient raw(ro);
    std::string body = MakePost(0, now, now).SerializeAsString();
    int64_t raw_before = UsedMemory(raw);
    int n = std::min(posts, 200000);
    for (int start = 0; start < n; start += 2000) {
      std::vector<RedisClient::Args> cmds;
      for (int i = start; i < std::min(n, start + 2000); ++i) {
        std::string id = "raw:" + std::to_string(i);
        cmds.push_back({"ZADD", "raw:due", std::to_string(now + i), id});
        cmds.push_back({"SET", id, body});
      }
      (void)raw.Pipeline(cmds);
    }
    double raw_per = static_cast<double>(UsedMemory(raw) - raw_before) / n;
    rows.push_back({"Redis bytes per scheduled post (200-byte text)", Fmt(per_post), Fmt(raw_per),
                    "bare ZADD id + SET of the same serialized post", "<= 450"});
    (void)raw.Command({"DEL", "raw:due"});
  }

  // ---- 2. dispatch throughput, beside redis-benchmark zadd and raw produce
  std::fprintf(stderr, "bench: dispatching %d due posts...\n", posts);
  double dispatch_rate;
  std::vector<Row> cpu_rows;
  {
    KafkaProducer producer(KafkaOptions{broker.brokers(), "bench-dispatch", {}});
    prometheus::Registry registry;
    Dispatcher dispatcher(store, producer, SystemClock::Instance(), registry, DispatcherOptions{60000, 1000, 50, 20000});
    auto start = std::chrono::steady_clock::now();
    (void)redis.Command({"CONFIG", "RESETSTAT"});
    double redis_cpu0 = RedisCpu(redis), self_cpu0 = SelfCpu(), broker_cpu0 = ProcessCpu(broker.process().pid());
    dispatcher.Start();
    for (;;) {
      // NextDue is O(1) a shard; Backlog counts every chunk, so it is only
      // asked once nothing is due any more.
      auto next = store.NextDue();
      auto backlog = next.ok() && !next->has_value() ? store.Backlog() : absl::InternalError("due");
      if (backlog.ok() && backlog->due == 0 && backlog->in_flight == 0) break;
      if (Seconds(start) > 600) {
        std::fprintf(stderr, "bench: dispatch did not finish\n");
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    dispatch_rate = posts / Seconds(start);
    dispatcher.Stop();
    if (getenv("BENCH_STATS")) std::fprintf(stderr, "%s\n", redis.Command({"INFO", "commandstats"})->str.c_str());
    // Where the two cores went: CPU microseconds per dispatched post.
    auto per_post = [&](double seconds) { return Fmt(seconds * 1e6 / posts, 1); };
    cpu_rows = {{"Dispatch CPU per post (us): Redis", per_post(RedisCpu(redis) - redis_cpu0), "", "", ""},
                {"Dispatch CPU per post (us): scheduler", per_post(SelfCpu() - self_cpu0), "", "", ""},
                {"Dispatch CPU per post (us): dev broker", per_post(ProcessCpu(broker.process().pid()) - broker_cpu0),
                 "", "", ""}};
  }
  double zadd = RedisBenchmarkZadd(redis_server.port());
  herald::events::v1::PostDue sample;
  sample.set_text(kText);
  sample.set_post_id("p_0123456789abcdef01234567");
  double raw_produce = RawProduceRate(broker.brokers(), std::min(posts, 500000), sample.SerializeAsString());
  rows.push_back({"Dispatch: due posts to Kafka per second", Fmt(dispatch_rate), Fmt(zadd),
                  "redis-benchmark -t zadd, 50 clients (req/s)", ">= 50,000"});
  rows.push_back({"", "", Fmt(raw_produce), "raw librdkafka produce, same payload (msg/s)", ""});
  rows.insert(rows.end(), cpu_rows.begin(), cpu_rows.end());

  // ---- 3. lateness at 1,000 due posts per second
  std::fprintf(stderr, "bench: lateness over %d posts at 1,000/s...\n", lateness_posts);
  redis_server.FlushAll();
  {
    PostStore fresh(redis, kShards);
    KafkaProducer producer(KafkaOptions{broker.brokers(), "bench-lateness", {}});
    prometheus::Registry registry;
    Dispatcher dispatcher(fresh, producer, SystemClock::Instance(), registry, DispatcherOptions{60000, 1000, 50, 20000});
    ConsumerOptions co;
    co.kafka.brokers = broker.brokers();
    co.group_id = "bench-lateness";
    co.topics = {std::string(topics::k_posts_due)};
    // Only what is produced from now on: reading the earlier phase's messages
    // would compete with the dispatcher for the two cores.
    co.kafka.properties["auto.offset.reset"] = "latest";
    KafkaConsumer consumer(co);
    (void)consumer.PollBatch(1, std::chrono::milliseconds(3000));  // join the group first
    dispatcher.Start();  // running before the first post falls due
    int64_t t0 = SystemClock::Instance().NowMs() + 3000;
    CreatePosts(fresh, lateness_posts, [&](int i) { return t0 + i; });  // one per ms
    std::vector<double> late;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(lateness_posts / 1000 + 60);
    while (late.size() < static_cast<size_t>(lateness_posts) && std::chrono::steady_clock::now() < deadline) {
      for (const auto& m : consumer.PollBatch(5000, std::chrono::milliseconds(200))) {
        herald::events::v1::PostDue due;
        if (due.ParseFromString(m.value) && due.meta().workspace_id() == "bench" && due.occurrence_ms() >= t0) {
          late.push_back(static_cast<double>(m.timestamp_ms - due.occurrence_ms()));
        }
      }
    }
    dispatcher.Stop();
    rows.push_back({"Lateness at 1,000 due posts/s: p50 (ms)", Fmt(Percentile(late, 50), 1), "", "", ""});
    rows.push_back({"Lateness at 1,000 due posts/s: p90 (ms)", Fmt(Percentile(late, 90), 1), "", "", ""});
    rows.push_back({"Lateness at 1,000 due posts/s: p99 (ms)", Fmt(Percentile(late, 99), 1), "", "",
                    "<= 25 (" + std::to_string(late.size()) + " posts)"});
    rows.push_back({"Lateness at 1,000 due posts/s: max (ms)", Fmt(Percentile(late, 100), 1), "", "", ""});
  }

  // ---- 4. CreatePost with 16 concurrent clients, beside a trivial call, and with authentication on
  std::fprintf(stderr, "bench: CreatePost, 16 clients, %.0f s each...\n", rpc_seconds);
  {
    prometheus::Registry registry;
    Executor executor(8);
    KafkaProducer producer(KafkaOptions{broker.brokers(), "bench-rpc", {}});
    FakeDirectory directory;
    PostStore rpc_store(redis, kShards);
    SchedulerService service(rpc_store, directory, producer, executor, SystemClock::Instance());
    GrpcServer server(registry);
    server.AddService(&service);
    server.Start("127.0.0.1:0");
    std::string addr = "127.0.0.1:" + std::to_string(server.port());
    const int kClients = 16;
    std::vector<std::unique_ptr<v1::SchedulerService::Stub>> stubs;
    std::vector<std::unique_ptr<grpc::health::v1::Health::Stub>> health;
    for (int c = 0; c < kClients; ++c) {
      grpc::ChannelArguments args;
      args.SetInt("herald.bench.client", c);  // one connection per client
      auto ch = grpc::CreateCustomChannel(addr, grpc::InsecureChannelCredentials(), args);
      stubs.push_back(v1::SchedulerService::NewStub(ch));
      health.push_back(grpc::health::v1::Health::NewStub(ch));
    }
    auto trivial = Hammer(kClients, rpc_seconds, [&](int c, int) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      grpc::health::v1::HealthCheckRequest req;
      grpc::health::v1::HealthCheckResponse res;
      return health[c]->Check(&ctx, req, &res).ok();
    });
    // The same service behind a server that authenticates every call: an API
    // key kept in Redis (checked through the 5 s cache) or an RS256 JWT.
    SchedulerService auth_service(rpc_store, directory, producer, executor, SystemClock::Instance());
    auto key_store = auth::MakeRedisKeyStore(redis);
    auto key = auth::GenerateKey("bench-rpc", "bench", herald::auth::v1::ROLE_EDITOR, SystemClock::Instance().NowMs());
    (void)key_store->Create(key.stored);
    herald::testing::JwtIssuer issuer("bench");
    auth::JwtOptions jwt_options;
    jwt_options.issuer = "https://idp.bench";
    jwt_options.audience = "herald";
    auth::AuthenticatorOptions auth_options;
    auth_options.jwt = std::shared_ptr<const auth::JwtVerifier>(*auth::JwtVerifier::FromJwks(issuer.Jwks(), jwt_options));
    Executor slow_path(2);
    auth::ServerAuthOptions server_auth;
    server_auth.authenticator =
        std::make_shared<auth::Authenticator>(auth_options, key_store.get(), SystemClock::Instance());
    server_auth.slow_path = &slow_path;
    server_auth.clock = &SystemClock::Instance();
    GrpcServer auth_server(registry);
    auth_server.AddService(&auth_service);
    auth_server.SetAuth(server_auth);
    auth_server.Start("127.0.0.1:0");
    // And as the services run: every CreatePost also written to the audit topic.
    SchedulerService audit_service(rpc_store, directory, producer, executor, SystemClock::Instance());
    auth::KafkaAuditSink audit(producer);
    auth::ServerAuthOptions audited = server_auth;
    audited.audit = &audit;
    GrpcServer audit_server(registry);
    audit_server.AddService(&audit_service);
    audit_server.SetAuth(audited);
    audit_server.Start("127.0.0.1:0");
    auto clients_of = [&](int port) {
      std::vector<std::unique_ptr<v1::SchedulerService::Stub>> out;
      for (int c = 0; c < kClients; ++c) {
        grpc::ChannelArguments args;
        args.SetInt("herald.bench.client", c);
        out.push_back(v1::SchedulerService::NewStub(grpc::CreateCustomChannel(
            "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials(), args)));
      }
      return out;
    };
    auto auth_stubs = clients_of(auth_server.port());
    auto audit_stubs = clients_of(audit_server.port());
    const std::string key_header = "Bearer " + key.secret;
    const std::string jwt_header =
        "Bearer " + issuer.Sign({{"iss", "https://idp.bench"}, {"aud", "herald"}, {"sub", "bench"},
                                 {"exp", SystemClock::Instance().NowMs() / 1000 + 3600},
                                 {"herald_workspace", "bench-rpc"}, {"herald_role", "editor"}});

    int64_t at = SystemClock::Instance().NowMs() + 86'400'000;
    std::atomic<int64_t> seq{0};
    auto create_with = [&](std::vector<std::unique_ptr<v1::SchedulerService::Stub>>& with, const std::string& header) {
      return Hammer(kClients, rpc_seconds, [&](int c, int) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        if (!header.empty()) ctx.AddMetadata("authorization", header);
        v1::CreatePostRequest req;
        req.set_workspace_id("bench-rpc");
        req.set_text(kText);
        req.add_channel_ids("ch_" + std::to_string(c));
        *req.mutable_publish_at() = FromMs(at + seq.fetch_add(1));
        v1::Post post;
        return with[c]->CreatePost(&ctx, req, &post).ok();
      });
    };
    // Three rounds, each in a different order, so neither a noisy neighbour
    // nor the store's growth favours one configuration.
    struct Config {
      const char* name;
      std::vector<std::unique_ptr<v1::SchedulerService::Stub>>* stubs;
      std::string header;
      double rate = 0, p99 = 0;
    };
    std::vector<Config> configs = {{"off", &stubs, ""},
                                   {"API key", &auth_stubs, key_header},
                                   {"JWT RS256", &auth_stubs, jwt_header},
                                   {"API key + audit topic", &audit_stubs, key_header}};
    int64_t auth_errors = 0;
    const int kRounds = 3;
    for (int round = 0; round < kRounds; ++round) {
      for (size_t k = 0; k < configs.size(); ++k) {
        Config& cfg = configs[(round + k) % configs.size()];
        auto r = create_with(*cfg.stubs, cfg.header);
        cfg.rate += r.rate / kRounds;
        cfg.p99 = std::max(cfg.p99, r.p99);
        auth_errors += r.errors;
      }
    }
    const double off_rate = configs[0].rate;
    rows.push_back({"CreatePost, 16 clients: RPC/s", Fmt(off_rate), Fmt(trivial.rate),
                    "grpc.health.v1 Check, same server and clients", ""});
    rows.push_back({"CreatePost, 16 clients: p99 (ms)", Fmt(configs[0].p99, 2), Fmt(trivial.p99, 2),
                    "same (errors: " + std::to_string(auth_errors) + "/" + std::to_string(trivial.errors) + ")", ""});
    for (size_t k = 1; k < configs.size(); ++k) {
      bool goal = k < 3;  // the goal is for authentication; the audit write is shown beside it
      rows.push_back({std::string("CreatePost, 16 clients, ") + configs[k].name + ": RPC/s", Fmt(configs[k].rate),
                      Fmt(off_rate), "same, authentication off",
                      (goal ? ">= 0.9x (" : "(") + Fmt(configs[k].rate / off_rate, 2) + "x)"});
      rows.push_back({std::string("CreatePost, 16 clients, ") + configs[k].name + ": p99 (ms)", Fmt(configs[k].p99, 2),
                      Fmt(configs[0].p99, 2), "same, authentication off", ""});
    }
    audit_server.Shutdown(std::chrono::milliseconds(1000));
    auth_server.Shutdown(std::chrono::milliseconds(1000));
    slow_path.Stop();
    server.Shutdown(std::chrono::milliseconds(1000));
    executor.Stop();
  }

  herald::bench::PrintTable("Scheduler benchmarks (" + std::to_string(posts) + " posts, " +
                                std::to_string(std::thread::hardware_concurrency()) + " cores)",
                            rows);
  return 0;
}
