// Publisher benchmarks (issue 4). Each figure is printed beside a baseline
// measured in the same run on the same machine.
//
//   publisher_bench [--decisions=400000] [--posts=3000]
//
// 1. Quota decisions per second: RateLimiter::AcquireMany (4 clients, 100
//    decisions per round trip, random accounts) vs redis-benchmark running
//    EVALSHA of the same script with the same pipelining and concurrency.
// 2. Publishing through the simulator, limits off: PostDue messages on Kafka
//    for 32 channels → DeliveryWorker (8 lanes; ledger, quota, X connector over
//    HTTP, result on Kafka)
//    vs the same number of bare HTTP POSTs to the simulator from one client.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include "bench_util.h"
#include "common/clock.h"
#include "common/events.h"
#include "common/http_client.h"
#include "common/kafka.h"
#include "common/log.h"
#include "common/redis.h"
#include "herald/events/v1/events.pb.h"
#include "herald/topics.h"
#include "publisher/channel_store.h"
#include "publisher/delivery_worker.h"
#include "support/devbroker.h"
#include "support/redis_server.h"
#include "support/simulator.h"

using namespace herald;
using namespace herald::publisher;
using herald::bench::Flag;
using herald::bench::Fmt;
using herald::bench::Seconds;
using herald::bench::Row;
using herald::bench::ProcessCpu;
using herald::bench::RedisCpu;
using herald::bench::SelfCpu;

namespace {

// "EVALSHA: 123456.78 requests per second"
double RedisBenchmark(int port, int64_t n, const std::string& command) {
  std::string out = herald::bench::RunCommand("redis-benchmark -p " + std::to_string(port) + " -n " +
                                              std::to_string(n) + " -c 4 -P 100 -r 100000 -q " + command +
                                              " 2>/dev/null");
  auto end = out.find(" requests per second");
  if (end == std::string::npos) return 0;
  auto start = out.rfind(": ", end);
  return start == std::string::npos ? 0 : std::atof(out.c_str() + start + 2);
}

QuotaPlan XPlan(const std::string& account) {
  // X's shape: 100 per 15 min per account (one hash tag per account here).
  return {{"rl:{bench:" + account + "}:15m", {"15m", 100, 900000}, 1}};
}

}  // namespace

int main(int argc, char** argv) {
  log::Init("bench", "warn");
  const int64_t decisions = Flag(argc, argv, "decisions", 400'000);
  const int posts = static_cast<int>(Flag(argc, argv, "posts", 3000));
  std::vector<Row> rows;

  herald::testing::RedisServer redis_server;
  RedisOptions ro = redis_server.options();
  ro.pool_size = 8;
  RedisClient redis(ro);

  // ---- 1. quota decisions
  std::fprintf(stderr, "bench: %lld quota decisions...\n", static_cast<long long>(decisions));
  {
    RateLimiter limiter(redis);
    (void)limiter.Acquire(XPlan("warmup"), QuotaClass{}, AtMs(1'000'000));  // loads the script
    const int kThreads = 4, kBatch = 100;
    std::atomic<int64_t> done{0}, allowed{0};
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937 rng(t);
        while (done.fetch_add(kBatch) < decisions) {
          std::vector<QuotaPlan> plans;
          for (int i = 0; i < kBatch; ++i) plans.push_back(XPlan(std::to_string(rng() % 100000)));
          auto r = limiter.AcquireMany(plans, QuotaClass{}, AtMs(1'000'000));
          if (r.ok()) {
            for (const auto& d : *r) allowed += d.allowed;
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    double rate = static_cast<double>(decisions) / Seconds(start);
    // The same script, keys and arguments, through redis-benchmark.
    const QuotaWindow w{"15m", 100, 900000};
    double interval = 900000.0 / static_cast<double>(w.limit - w.Burst());
    std::string cmd = "EVALSHA " + RateLimiter::AcquireScriptSha() + " 1 rl:{bench:__rand_int__}:15m 1000000 0 0 0 " +
                      std::to_string(interval) + " 900000 1 " +
                      std::to_string(static_cast<double>(w.Burst() - 1) * interval);
    double baseline = RedisBenchmark(redis_server.port(), decisions, cmd);
    rows.push_back({"Quota decisions per second", Fmt(rate), Fmt(baseline),
                    "redis-benchmark EVALSHA, same script, -c 4 -P 100", ">= 0.8 x baseline"});
    rows.push_back({"  ratio to baseline", Fmt(baseline > 0 ? rate / baseline : 0, 2), "", "", ""});
  }

  // ---- 2. publishing through the simulator, limits off
  std::fprintf(stderr, "bench: publishing %d posts through the simulator...\n", posts);
  {
    herald::testing::DevBroker broker;
    herald::testing::Simulator sim("bench-token:brand", 1'000'000, 3600, {"--x-user-daily-limit=1000000"});
    auto box = CredentialsBox::FromHex(std::string(64, '5'));
    ChannelStore channels(redis, *box);
    // 32 accounts' channels: deliveries of different channels run side by side.
    const int kChannels = 32;
    for (int c = 0; c < kChannels; ++c) {
      v1::Channel channel;
      channel.set_id("ch_bench_" + std::to_string(c));
      channel.set_workspace_id("bench");
      channel.set_network(herald::common::v1::NETWORK_X);
      channel.set_base_url(sim.url());
      channel.set_remote_account_id("101");
      channel.set_handle("brand");
      channel.set_status(v1::CHANNEL_STATUS_ACTIVE);
      (void)channels.Put(channel, "bench-token");
    }

    // Quotas off: a networks file without windows for X.
    auto catalog = NetworkCatalog::Parse(
        R"({"version":"bench","networks":{"x":{"text":{"max_length":280,"counting":"x_weighted","url_length":23},"media":{"max":4}}}})");
    DeliveryLedger ledger(redis);
    RateLimiter limiter(redis);
    ChannelCache channel_cache(channels, SystemClock::Instance());
    TokenRefresher refresher(channels, channel_cache, redis, *catalog, {}, SystemClock::Instance());
    ConnectorSet connectors(ConnectorOptions{});
    KafkaProducer producer(KafkaOptions{broker.brokers(), "bench-publisher", {}});
    prometheus::Registry registry;
    ConsumerOptions due;
    due.kafka.brokers = broker.brokers();
    due.group_id = "bench-publisher";
    due.topics = {std::string(topics::k_posts_due)};
    DeliveryWorker worker(channels, channel_cache, refresher, ledger, limiter, connectors, *catalog, producer, due, SystemClock::Instance(), SystemRandom::Instance(),
                          registry, DeliveryOptions{});

    ConsumerOptions results;
    results.kafka.brokers = broker.brokers();
    results.group_id = "bench-results";
    results.topics = {std::string(topics::k_publish_results)};
    KafkaConsumer consumer(results);
    (void)consumer.PollBatch(1, std::chrono::milliseconds(3000));  // join the group first

    // The first posts warm up (group join, connections); the rate is timed
    // over the rest.
    const int warmup = std::max(200, posts / 10);
    for (int i = 0; i < warmup + posts; ++i) {
      herald::events::v1::PostDue d;
      d.set_post_id("p_bench_" + std::to_string(i));
      std::string channel_id = "ch_bench_" + std::to_string(i % kChannels);
      d.set_channel_id(channel_id);
      d.set_occurrence_ms(1'800'000'000'000);
      d.set_text("benchmark post " + std::to_string(i));
      *d.mutable_meta() = NewEventMeta(d, "bench", SystemClock::Instance());  // as the scheduler sends it
      producer.Produce(topics::k_posts_due, channel_id, d.SerializeAsString(), {}, [](const std::string&) {});
    }
    producer.Flush(std::chrono::seconds(30));
    worker.Start();
    auto start = std::chrono::steady_clock::now();
    double redis_cpu0 = 0, self_cpu0 = 0, sim_cpu0 = 0, broker_cpu0 = 0;
    int published = -warmup, timed_from = 0;
    bool timing = false;
    while (published < posts && Seconds(start) < 600) {
      for (const auto& m : consumer.PollBatch(1000, std::chrono::milliseconds(200))) {
        herald::events::v1::PublishResult r;
        if (r.ParseFromString(m.value) && r.outcome() == herald::events::v1::PUBLISH_OUTCOME_PUBLISHED) ++published;
      }
      if (published >= 0 && !timing) {
        timing = true;
        timed_from = published;  // results of the timed posts that came with the last warm-up poll
        start = std::chrono::steady_clock::now();
        redis_cpu0 = RedisCpu(redis), self_cpu0 = SelfCpu(), sim_cpu0 = ProcessCpu(sim.process().pid()),
        broker_cpu0 = ProcessCpu(broker.process().pid());
      }
    }
    double rate = (published - timed_from) / Seconds(start);
    // Where the two cores went: CPU microseconds per published post.
    auto per_post = [&](double cpu_s) {
      return Fmt(published > timed_from ? cpu_s * 1e6 / (published - timed_from) : 0);
    };
    std::vector<Row> cpu_rows = {
        {"  CPU per post (us): publisher (+ results reader)", per_post(SelfCpu() - self_cpu0), "", "", ""},
        {"  CPU per post (us): Redis", per_post(RedisCpu(redis) - redis_cpu0), "", "", ""},
        {"  CPU per post (us): simulator", per_post(ProcessCpu(sim.process().pid()) - sim_cpu0), "", "", ""},
        {"  CPU per post (us): dev broker", per_post(ProcessCpu(broker.process().pid()) - broker_cpu0), "", "", ""}};
    worker.Stop();

    // The floor a sequential worker stands on: bare POSTs, one client.
    auto http_start = std::chrono::steady_clock::now();
    for (int i = 0; i < posts; ++i) {
      HttpRequest req;
      req.method = "POST";
      req.url = sim.url() + "/2/tweets";
      req.body = R"({"text":"bare post )" + std::to_string(i) + "\"}";
      req.headers = {{"Authorization", "Bearer bench-token"}, {"Content-Type", "application/json"}};
      (void)SendHttp(req);
    }
    double http_rate = posts / Seconds(http_start);
    // What a connection per POST (no hidden resend; common/http_client.h)
    // costs: the same POSTs on one kept-alive connection.
    httplib::Client kept("127.0.0.1", std::stoi(sim.url().substr(sim.url().rfind(':') + 1)));
    kept.set_keep_alive(true);
    kept.set_tcp_nodelay(true);
    auto kept_start = std::chrono::steady_clock::now();
    for (int i = 0; i < posts; ++i) {
      (void)kept.Post("/2/tweets", {{"Authorization", "Bearer bench-token"}},
                      R"({"text":"kept post )" + std::to_string(i) + "\"}", "application/json");
    }
    double kept_rate = posts / Seconds(kept_start);
    rows.push_back({"Posts published per second (limits off, 8 lanes)", Fmt(rate), Fmt(http_rate),
                    "bare HTTP POST /2/tweets, one client, a connection each", ">= 2,000"});
    rows.push_back({"  bare POSTs on one kept-alive connection", Fmt(kept_rate), "", "httplib, same run", ""});
    rows.push_back({"  posts published / sent", std::to_string(published) + " / " + std::to_string(posts), "", "", ""});
    rows.insert(rows.end(), cpu_rows.begin(), cpu_rows.end());
  }

  herald::bench::PrintTable("Publisher benchmarks (" + std::to_string(posts) + " posts, 2 cores)", rows);
  return 0;
}
