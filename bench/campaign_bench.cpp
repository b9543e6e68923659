// Campaign benchmark: tracked-link redirects with click capture per second
// and their latency — code looked up (cached), repeat checked in Redis, the
// click handed to Kafka, 302 with a click id — beside a bare 302 route of the
// same server (libmicrohttpd, same executor, same client) in the same run.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <prometheus/registry.h>

#include "bench_stack.h"
#include "bench_util.h"
#include "campaign/links/link_maker.h"
#include "campaign/links/link_store.h"
#include "campaign/links/redirector.h"
#include "common/clock.h"
#include "common/executor.h"
#include "common/keyed_executor.h"
#include "common/http_server.h"
#include "common/kafka.h"
#include "common/log.h"
#include "common/redis.h"
#include "support/devbroker.h"
#include "support/redis_server.h"

using namespace herald;
using namespace herald::campaign;
using herald::bench::Flag;
using herald::bench::Fmt;
using herald::bench::Row;
using herald::bench::Seconds;

namespace {

struct Load {
  double per_second = 0;
  int64_t ok = 0, other = 0;
  double p50_ms = 0, p99_ms = 0;
};

// `clients` keep-alive connections GETting paths[i % n], `requests` in all.
// Each client sends a different X-Forwarded-For, as many clients would.
Load Drive(int port, int clients, const std::vector<std::string>& paths, int requests, int want_status) {
  std::atomic<int> next{0};
  std::atomic<int64_t> ok{0}, other{0};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(clients));
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      httplib::Headers h{{"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) bench"},
                         {"X-Forwarded-For", "198.51.100." + std::to_string(c)}};
      for (int i = next++; i < requests; i = next++) {
        auto t0 = std::chrono::steady_clock::now();
        auto res = client.Get(paths[static_cast<size_t>(i) % paths.size()], h);
        latencies[static_cast<size_t>(c)].push_back(Seconds(t0) * 1000);
        (res && res->status == want_status ? ok : other)++;
      }
    });
  }
  for (auto& t : threads) t.join();
  Load out;
  out.per_second = requests / Seconds(start);
  out.ok = ok;
  out.other = other;
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  out.p50_ms = herald::bench::Percentile(all, 50);
  out.p99_ms = herald::bench::Percentile(all, 99);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  log::Init("bench", "error");
  const int requests = static_cast<int>(Flag(argc, argv, "requests", 100000));
  const int clients = static_cast<int>(Flag(argc, argv, "clients", 16));
  const int link_count = static_cast<int>(Flag(argc, argv, "links", 1000));

  herald::bench::LocalStack stack;
  RedisClient& redis = stack.redis;
  KafkaProducer& producer = stack.producer;
  prometheus::Registry& registry = stack.registry;

  LinkStore links(redis);
  LinkMaker maker(links, SystemClock::Instance(), "http://127.0.0.1");
  v1::Campaign campaign;
  campaign.set_id("c_bench");
  campaign.set_workspace_id("bench");
  campaign.set_name("Bench");
  campaign.mutable_utm()->set_source("herald");
  std::vector<std::string> paths;
  for (int i = 0; i < link_count; ++i) {
    auto l = maker.Make(campaign, "https://shop.example.com/item/" + std::to_string(i), v1::Utm(), "p_" + std::to_string(i),
                        "ch1", "");
    if (!l.ok()) {
      std::fprintf(stderr, "making links failed: %s\n", l.status().ToString().c_str());
      return 1;
    }
    paths.push_back("/l/" + l->code());
  }
  RedirectOptions options;
  options.ip_hash_secret = "bench";
  options.trust_forwarded_for = true;
  Executor pool(16, 8192);
  const int capture_threads = static_cast<int>(Flag(argc, argv, "capture-threads", 4));
  KeyedExecutor capture(capture_threads, 100000 / static_cast<size_t>(capture_threads));
  Redirector redirector(links, producer, capture, SystemClock::Instance(), options, registry);

  HttpServerOptions http_options;
  http_options.max_connections_per_ip = 4096;
  HttpServer http(http_options, pool);
  http.Route("GET", "/bare", [](const HttpServerRequest&) {
    HttpServerResponse r{302, "", "text/plain", {}};
    r.headers["Location"] = "https://shop.example.com/item/1?utm_source=herald&hclid=k_0123456789abcdef01234567";
    return r;
  });
  http.Route(
      "GET", "/l/", [&](const HttpServerRequest& req) { return redirector.TryAnswer(req); },
      [&](const HttpServerRequest& req) { return redirector.Handle(req); });
  if (!http.Start(0)) return 1;

  // Warm: every link once (the cache holds them after), then measure.
  (void)Drive(http.port(), clients, paths, link_count, 302);
  Load bare = Drive(http.port(), clients, {"/bare"}, requests, 302);
  double redis_cpu0 = herald::bench::RedisCpu(redis);
  double self_cpu0 = herald::bench::SelfCpu();
  Load redirects = Drive(http.port(), clients, paths, requests, 302);
  http.Stop();
  pool.Stop();
  capture.Stop();  // every click checked and handed to the producer
  double redis_us = (herald::bench::RedisCpu(redis) - redis_cpu0) * 1e6 / requests;
  double self_us = (herald::bench::SelfCpu() - self_cpu0) * 1e6 / requests;
  auto flush_start = std::chrono::steady_clock::now();
  producer.Flush(std::chrono::seconds(30));
  double flush_s = Seconds(flush_start);

  std::vector<Row> rows;
  rows.push_back({"Redirects with click capture per second", Fmt(redirects.per_second), Fmt(bare.per_second),
                  "bare 302 of the same server and client", ">= 10,000"});
  rows.push_back({"  p50 / p99 latency, ms", Fmt(redirects.p50_ms, 2) + " / " + Fmt(redirects.p99_ms, 2),
                  Fmt(bare.p50_ms, 2) + " / " + Fmt(bare.p99_ms, 2), "bare 302", "p99 <= 5 ms"});
  rows.push_back({"  answered 302 of " + std::to_string(requests), Fmt(static_cast<double>(redirects.ok)),
                  Fmt(static_cast<double>(bare.ok)), "", "all"});
  rows.push_back({"  CPU per redirect (us): campaign + client", Fmt(self_us, 1), "", "", ""});
  rows.push_back({"  then: last clicks on Kafka after the burst, s", Fmt(flush_s, 2), "", "", ""});
  rows.push_back({"  CPU per redirect (us): Redis", Fmt(redis_us, 1), "", "", ""});
  herald::bench::PrintTable("Campaign: tracked-link redirects (" + std::to_string(clients) + " keep-alive clients, " +
                                std::to_string(link_count) + " links)",
                            rows);
  return redirects.ok == requests ? 0 : 1;
}
