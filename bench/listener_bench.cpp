// Listener benchmark: signed Mastodon webhooks taken in per second —
// signature verified, parsed, HTML made text, scored (VADER), matched against
// the workspace's rules, claimed in Redis, on Kafka (acks=all), in the inbox
// and counted for spikes — beside a bare HTTP 200 route of the same server
// (libmicrohttpd, same executor, same client), measured in the same run.
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include <prometheus/registry.h>

#include "bench_stack.h"
#include "bench_util.h"
#include "common/clock.h"
#include "common/executor.h"
#include "common/grpc_server.h"
#include "common/hmac.h"
#include "common/http_server.h"
#include "common/kafka.h"
#include "common/log.h"
#include "common/redis.h"
#include "listener/alerts/spike_watch.h"
#include "listener/inbox/conversation_store.h"
#include "listener/inbox/inbox_desk.h"
#include "listener/inbox/inbox_feed.h"
#include "listener/inbox/inbox_service.h"
#include "listener/inbox/inbox_settings_store.h"
#include "listener/ingest/mention_ingest.h"
#include "listener/rule_store.h"
#include "listener/webhook_handler.h"
#include "support/devbroker.h"
#include "support/redis_server.h"

using namespace herald;
using namespace herald::listener;
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

// `clients` keep-alive connections sending bodies[i] to path(i) round robin.
Load Drive(int port, int clients, const std::vector<std::string>& paths, const std::vector<std::string>& bodies,
           const std::vector<std::string>& signatures, int ok_status) {
  std::atomic<size_t> next{0};
  std::atomic<int64_t> ok{0}, other{0};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(clients));
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);  // no 40 ms Nagle/delayed-ACK stall between headers and body
      for (size_t i = next++; i < bodies.size(); i = next++) {
        httplib::Headers h{{"X-Herald-Signature", signatures[i]}};
        auto t0 = std::chrono::steady_clock::now();
        auto res = client.Post(paths[i % paths.size()], h, bodies[i], "application/json");
        latencies[static_cast<size_t>(c)].push_back(Seconds(t0) * 1000);
        (res && res->status == ok_status ? ok : other)++;
      }
    });
  }
  for (auto& t : threads) t.join();
  Load out;
  out.per_second = static_cast<double>(bodies.size()) / Seconds(start);
  out.ok = ok;
  out.other = other;
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  out.p50_ms = herald::bench::Percentile(all, 50);
  out.p99_ms = herald::bench::Percentile(all, 99);
  return out;
}

// The live inbox: mentions sent at `rate` per second (paced, not as fast as
// possible) while one WatchInbox stream is open; for each, the time from its
// webhook being sent to the watcher receiving it. `path_for(i)`/`sign(i)`
// give mention i's URL and signature; its text carries "#i".
struct Live {
  double p50_ms = 0, p99_ms = 0;
  int64_t delivered = 0;
};
Live LiveInbox(int port, const std::string& grpc_addr, const std::string& ws, int rate, int count,
               const std::vector<std::string>& paths, const std::vector<std::string>& bodies,
               const std::vector<std::string>& signatures) {
  using Clock = std::chrono::steady_clock;
  std::vector<Clock::time_point> sent(static_cast<size_t>(count)), got(static_cast<size_t>(count));
  std::vector<std::atomic<bool>> arrived(static_cast<size_t>(count));
  auto stub = herald::listener::v1::InboxService::NewStub(grpc::CreateChannel(grpc_addr, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  herald::listener::v1::WatchInboxRequest req;
  req.set_workspace_id(ws);
  auto reader = stub->WatchInbox(&ctx, req);
  std::atomic<int64_t> delivered{0};
  std::thread watcher([&] {
    herald::listener::v1::InboxChange change;
    while (reader->Read(&change)) {
      const std::string& text = change.message().text();
      auto hash = text.find('#');
      if (change.kind() != herald::listener::v1::InboxChange::KIND_MESSAGE || hash == std::string::npos) continue;
      size_t i = std::strtoul(text.c_str() + hash + 1, nullptr, 10);
      if (i < got.size() && !arrived[i].exchange(true)) {
        got[i] = Clock::now();
        if (++delivered == count) break;
      }
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the watch is in place
  const auto start = Clock::now() + std::chrono::milliseconds(50);
  std::atomic<int> next{0};
  std::vector<std::thread> senders;
  for (int c = 0; c < 16; ++c) {
    senders.emplace_back([&] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      for (int i = next++; i < count; i = next++) {
        std::this_thread::sleep_until(start + std::chrono::microseconds(static_cast<int64_t>(i) * 1'000'000 / rate));
        sent[static_cast<size_t>(i)] = Clock::now();
        httplib::Headers h{{"X-Herald-Signature", signatures[static_cast<size_t>(i)]}};
        (void)client.Post(paths[static_cast<size_t>(i)], h, bodies[static_cast<size_t>(i)], "application/json");
      }
    });
  }
  for (auto& t : senders) t.join();
  for (int i = 0; i < 100 && delivered < count; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ctx.TryCancel();
  watcher.join();
  Live out;
  out.delivered = delivered;
  std::vector<double> ms;
  for (size_t i = 0; i < got.size(); ++i) {
    if (arrived[i]) ms.push_back(std::chrono::duration<double, std::milli>(got[i] - sent[i]).count());
  }
  out.p50_ms = herald::bench::Percentile(ms, 50);
  out.p99_ms = herald::bench::Percentile(ms, 99);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  log::Init("bench", "error");
  const int requests = static_cast<int>(Flag(argc, argv, "requests", 20000));
  const int clients = static_cast<int>(Flag(argc, argv, "clients", 16));
  std::vector<Row> rows;

  herald::bench::LocalStack stack;
  RedisClient& redis = stack.redis;
  KafkaProducer& producer = stack.producer;
  prometheus::Registry& registry = stack.registry;
  InboxStore inbox(redis);
  RuleStore rules(redis);
  SpikeWatch spikes(redis, SystemClock::Instance(), [](const auto&) { return absl::OkStatus(); });
  // Replies are not benchmarked here: a sender that is never reached.
  struct NoReplies : ReplySender {
    absl::StatusOr<std::string> Send(const std::string&, const herald::listener::v1::InboxItem&, const std::string&,
                                     const std::string&) override {
      return absl::UnimplementedError("not in this benchmark");
    }
  } no_replies;
  ConversationStore conversations(redis);
  InboxSettingsStore inbox_settings(redis);
  InboxDesk desk(conversations, inbox_settings, inbox, no_replies, SystemClock::Instance(), registry);
  MentionIngest ingest(inbox, desk, rules, producer, SystemClock::Instance(), registry, &spikes);
  const std::string master = "bench-master-secret", ws = "bench", channel = "ch_bench";
  WebhookHandler webhooks(ingest, master, SystemClock::Instance(), registry);
  // Three rules, as a workspace listening for its brand has.
  for (const auto& [name, query] : std::vector<std::pair<std::string, std::string>>{
           {"brand", "herald OR @brand"}, {"outage", "(down OR outage) NOT maintenance"}, {"praise", "\"love it\" OR great"}}) {
    herald::listener::v1::ListeningRule r;
    r.set_id("r_" + name);
    r.set_workspace_id(ws);
    r.set_name(name);
    r.set_query(query);
    (void)rules.Create(r);
  }

  Executor executor(static_cast<int>(Flag(argc, argv, "threads", 64)), 4096);
  HttpServerOptions options;
  options.max_connections_per_ip = 1024;
  HttpServer http(options, executor);
  http.Route("POST", "/bare", [](const HttpServerRequest&) { return HttpServerResponse{200, "{}", "application/json", {}}; });
  const std::string prefix = "/v1/webhooks/mastodon/";
  http.Route("POST", prefix, [&](const HttpServerRequest& req) {
    std::string rest = req.path.substr(prefix.size());
    auto slash = rest.find('/');
    WebhookReply r = webhooks.HandleMastodon(rest.substr(0, slash), rest.substr(slash + 1), req.body,
                                             req.Header("x-herald-signature"));
    return HttpServerResponse{r.status, r.body, "application/json", r.headers};
  });
  if (!http.Start(0)) {
    std::fprintf(stderr, "bench: cannot listen\n");
    return 1;
  }

  // Realistic mentions, signed before the clock starts.
  const char* texts[] = {"@brand I love it, great work!", "is herald down for anyone else?",
                         "@brand my order is late and nobody answers. Terrible.", "what time do you open on Sunday?"};
  std::vector<std::string> bodies, signatures;
  const std::string secret = WorkspaceWebhookSecret(master, ws);
  const int64_t now_s = SystemClock::Instance().NowMs() / 1000;
  for (int i = 0; i < requests; ++i) {
    std::string body = "{\"event\":\"mention.created\",\"object\":{\"id\":\"" + std::to_string(1'000'000 + i) +
                       "\",\"content\":\"<p>" + texts[i % 4] + "</p>\",\"language\":\"en\",\"account\":{\"acct\":\"fan" +
                       std::to_string(i % 97) + "\",\"id\":\"7\"}}}";
    signatures.push_back(InboundSignature(secret, now_s, ws, channel, body));
    bodies.push_back(std::move(body));
  }
  std::fprintf(stderr, "bench: %d requests, %d clients...\n", requests, clients);
  Load bare = Drive(http.port(), clients, {"/bare"}, bodies, signatures, 200);
  // Where the CPU goes while webhooks are taken in: this process (the
  // listener's work and the client), Redis, the broker.
  const double self0 = herald::bench::SelfCpu(), redis0 = herald::bench::RedisCpu(redis),
               broker0 = herald::bench::ProcessCpu(stack.broker.process().pid());
  Load hooks = Drive(http.port(), clients, {prefix + ws + "/" + channel}, bodies, signatures, 202);
  auto per_hook = [&](double cpu_s) { return Fmt(cpu_s * 1e6 / requests, 0); };
  const std::string self_us = per_hook(herald::bench::SelfCpu() - self0),
                    redis_us = per_hook(herald::bench::RedisCpu(redis) - redis0),
                    broker_us = per_hook(herald::bench::ProcessCpu(stack.broker.process().pid()) - broker0);
  if (Flag(argc, argv, "commandstats", 0)) {
    auto info = redis.Command({"INFO", "commandstats"});
    if (info.ok()) std::fprintf(stderr, "%s\n", info->str.c_str());
  }
  // Every one again: redeliveries, answered from the claim without Kafka.
  Load again = Drive(http.port(), clients, {prefix + ws + "/" + channel}, bodies, signatures, 200);

  // The live inbox: a watcher on the gRPC API while mentions arrive at a steady rate.
  const int live_rate = static_cast<int>(Flag(argc, argv, "live-rate", 500));
  const int live_count = static_cast<int>(Flag(argc, argv, "live-count", 5000));
  InboxFeed feed(redis, stack.redis_server.options());
  Executor grpc_executor(8, 256);
  InboxService inbox_api(desk, conversations, inbox_settings, feed, grpc_executor, SystemClock::Instance());
  GrpcServer grpc_server(registry);
  grpc_server.AddService(&inbox_api);
  grpc_server.Start("127.0.0.1:0");
  const std::string live_ws = "live";
  std::vector<std::string> live_paths, live_bodies, live_signatures;
  const std::string live_secret = WorkspaceWebhookSecret(master, live_ws);
  for (int i = 0; i < live_count; ++i) {
    std::string body = "{\"event\":\"mention.created\",\"object\":{\"id\":\"" + std::to_string(5'000'000 + i) +
                       "\",\"content\":\"<p>#" + std::to_string(i) + " " + texts[i % 4] +
                       "</p>\",\"language\":\"en\",\"account\":{\"acct\":\"fan" + std::to_string(i % 97) +
                       "\",\"id\":\"7\"}}}";
    live_signatures.push_back(InboundSignature(live_secret, now_s, live_ws, channel, body));
    live_paths.push_back(prefix + live_ws + "/" + channel);
    live_bodies.push_back(std::move(body));
  }
  std::fprintf(stderr, "bench: live inbox, %d mentions at %d/s...\n", live_count, live_rate);
  Live live = LiveInbox(http.port(), "127.0.0.1:" + std::to_string(grpc_server.port()), live_ws, live_rate, live_count,
                        live_paths, live_bodies, live_signatures);
  // Baseline: the bare route at the same pace (what HTTP alone costs).
  const auto bare_count = static_cast<std::ptrdiff_t>(std::min<size_t>(2000, bodies.size()));
  Load paced_bare = Drive(http.port(), 2, {"/bare"}, std::vector<std::string>(bodies.begin(), bodies.begin() + bare_count),
                          signatures, 200);
  grpc_server.Shutdown(std::chrono::milliseconds(500));
  http.Stop();

  rows.push_back({"Webhooks taken in per second", Fmt(hooks.per_second), Fmt(bare.per_second),
                  "bare HTTP 200 route, same server and client", ">= 5,000/s"});
  rows.push_back({"  accepted (202) of " + std::to_string(requests), Fmt(static_cast<double>(hooks.ok)),
                  Fmt(static_cast<double>(bare.ok)), "", "all"});
  rows.push_back({"  p50 / p99 latency, ms", Fmt(hooks.p50_ms, 2) + " / " + Fmt(hooks.p99_ms, 2),
                  Fmt(bare.p50_ms, 2) + " / " + Fmt(bare.p99_ms, 2), "", ""});
  rows.push_back({"  CPU per webhook (us): listener + client", self_us, "", "", ""});
  rows.push_back({"  CPU per webhook (us): Redis", redis_us, "", "", ""});
  rows.push_back({"  CPU per webhook (us): dev broker", broker_us, "", "", ""});
  rows.push_back({"Redeliveries answered per second (duplicates)", Fmt(again.per_second), Fmt(bare.per_second),
                  "bare HTTP 200 route", ""});
  rows.push_back({"  answered 200 duplicate of " + std::to_string(requests), Fmt(static_cast<double>(again.ok)), "", "", "all"});
  rows.push_back({"Live inbox: webhook sent -> WatchInbox, p50 / p99 ms at " + std::to_string(live_rate) + "/s",
                  Fmt(live.p50_ms, 1) + " / " + Fmt(live.p99_ms, 1),
                  Fmt(paced_bare.p50_ms, 2) + " / " + Fmt(paced_bare.p99_ms, 2), "bare HTTP 200 round trip",
                  "p99 <= 250 ms"});
  rows.push_back({"  delivered to the watcher of " + std::to_string(live_count), Fmt(static_cast<double>(live.delivered)),
                  "", "", "all"});
  herald::bench::PrintTable("Listener webhook ingest (" + std::to_string(clients) + " keep-alive clients, 2 cores, "
                            "Redis + dev broker on the same machine)", rows);
  return hooks.ok == requests && again.ok == requests && live.delivered == live_count ? 0 : 1;
}
