// Conversion ingest benchmark: conversions recorded per second over gRPC —
// validated, attributed to a stored click, stored once per sender event id
// with its event in the outbox (answered then; Kafka's acknowledgement and the
// outbox removal follow asynchronously, timed after the run) — and the
// same calls sent again (every one a duplicate: the idempotent path). Beside,
// in the same run: a trivial gRPC call from the same clients, a raw
// librdkafka produce of as many records, and a pipelined Redis SET NX of as
// many keys.
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <atomic>
#include <random>
#include <thread>

#include <prometheus/registry.h>

#include "bench_stack.h"
#include "bench_util.h"
#include "campaign/audiences/profile_rules.h"
#include "campaign/campaign_store.h"
#include "campaign/conversions/conversion_ingest.h"
#include "campaign/conversions/conversion_rules.h"
#include "campaign/conversions/conversion_service.h"
#include "campaign/conversions/conversion_store.h"
#include "campaign/links/link_store.h"
#include "campaign/outbox.h"
#include "common/events.h"
#include "common/executor.h"
#include "common/grpc_server.h"
#include "common/ids.h"
#include "common/kafka.h"
#include "common/log.h"
#include "common/redis.h"
#include "common/time_util.h"
#include "herald/campaign/v1/conversions.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "support/devbroker.h"
#include "support/redis_server.h"

using namespace herald;
using namespace herald::campaign;
using herald::bench::Flag;
using herald::bench::Fmt;
using herald::bench::Row;
using herald::bench::Seconds;
namespace ev = herald::events::v1;

namespace {

struct Rate {
  double per_second = 0;
  double p50_ms = 0, p99_ms = 0;
  int64_t errors = 0;
};

// `clients` threads make `calls` calls in all (call(client, i) for i shared).
Rate Run(int clients, int calls, int items_per_call, const std::function<bool(int, int)>& call) {
  std::atomic<int> next{0};
  std::atomic<int64_t> errors{0};
  std::vector<std::vector<double>> lat(static_cast<size_t>(clients));
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (int i = next++; i < calls; i = next++) {
        auto t0 = std::chrono::steady_clock::now();
        if (!call(c, i)) ++errors;
        lat[static_cast<size_t>(c)].push_back(Seconds(t0) * 1000);
      }
    });
  }
  for (auto& t : threads) t.join();
  double elapsed = Seconds(start);
  std::vector<double> all;
  for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
  return {static_cast<double>(calls) * items_per_call / elapsed, herald::bench::Percentile(all, 50),
          herald::bench::Percentile(all, 99), errors.load()};
}

}  // namespace

int main(int argc, char** argv) {
  log::Init("bench", "error");
  const int conversions = static_cast<int>(Flag(argc, argv, "conversions", 200000));
  const int batch = static_cast<int>(Flag(argc, argv, "batch", 100));
  const int clients = static_cast<int>(Flag(argc, argv, "clients", 8));
  const int click_count = static_cast<int>(Flag(argc, argv, "clicks", 10000));
  const int calls = conversions / batch;

  herald::bench::LocalStack stack;
  RedisClient& redis = stack.redis;
  KafkaProducer& producer = stack.producer;
  prometheus::Registry& registry = stack.registry;

  CampaignStore campaigns(redis);
  LinkStore links(redis);
  ConversionStore store(redis);
  Outbox outbox(redis, producer, SystemClock::Instance(), OutboxOptions{}, registry);
  ProfileStore profiles(redis);
  SegmentLabels segment_labels(profiles);
  ConversionIngest ingest(store, campaigns, links, segment_labels, outbox, SystemClock::Instance());

  v1::Campaign campaign;
  campaign.set_id("c_bench");
  campaign.set_workspace_id("bench");
  campaign.set_name("Bench");
  campaign.set_version(1);
  campaign.mutable_budget()->set_currency("EUR");
  campaign.mutable_budget()->set_micros(1'000'000'000'000);
  if (!campaigns.Create(campaign).ok()) return 1;
  // Clicks as the redirect keeps them, spread over the last six days.
  std::vector<std::string> clicks;
  std::mt19937_64 rng(42);
  const int64_t now = SystemClock::Instance().NowMs();
  for (int i = 0; i < click_count; ++i) {
    ev::LinkClick k;
    k.set_click_id(NewId("k_"));
    k.set_code("Ab3dE5gH");
    k.set_campaign_id("c_bench");
    k.set_post_id("p_" + std::to_string(i % 50));
    k.set_channel_id("ch" + std::to_string(i % 4));
    *k.mutable_clicked_at() = FromMs(now - static_cast<int64_t>(rng() % (6LL * 86400 * 1000)));
    *k.mutable_meta() = NewEventMeta(k, "bench", SystemClock::Instance(), k.click_id());
    if (!links.RecordClick(k.code(), std::to_string(i), 1000, k.click_id(), k.SerializeAsString(), 30LL * 86400 * 1000)
             .ok()) {
      return 1;
    }
    clicks.push_back(k.click_id());
  }
  auto request_for = [&](int call, int size, const std::string& prefix) {
    v1::RecordConversionsRequest r;
    r.set_workspace_id("bench");
    for (int j = 0; j < size; ++j) {
      const int n = call * size + j;
      auto* in = r.add_conversions();
      in->set_source("shop");
      in->set_event_id(prefix + std::to_string(n));
      in->set_stage(ev::CONVERSION_STAGE_SALE);
      in->set_click_id(clicks[static_cast<size_t>(n) % clicks.size()]);
      in->set_value_micros(19'990'000);
      in->set_currency("EUR");
    }
    return r;
  };

  Executor executor(8);
  ConversionService service(ingest, executor);
  GrpcServer server(registry);
  server.AddService(&service);
  server.Start("127.0.0.1:0");
  const std::string addr = "127.0.0.1:" + std::to_string(server.port());
  std::vector<std::unique_ptr<v1::ConversionService::Stub>> stubs;
  std::vector<std::unique_ptr<grpc::health::v1::Health::Stub>> health;
  for (int c = 0; c < clients; ++c) {
    grpc::ChannelArguments args;
    args.SetInt("herald.bench.client", c);  // one connection per client
    auto ch = grpc::CreateCustomChannel(addr, grpc::InsecureChannelCredentials(), args);
    stubs.push_back(v1::ConversionService::NewStub(ch));
    health.push_back(grpc::health::v1::Health::NewStub(ch));
  }
  std::atomic<int64_t> duplicates{0}, credited{0};
  auto record = [&](int c, const v1::RecordConversionsRequest& r) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    v1::RecordConversionsResponse out;
    if (!stubs[static_cast<size_t>(c)]->RecordConversions(&ctx, r, &out).ok()) return false;
    for (const auto& res : out.results()) {
      duplicates += res.duplicate();
      credited += res.conversion().credits_size() > 0;
    }
    return true;
  };
  // Warm connections, the producer and the campaign's cache-free path.
  (void)Run(clients, 20, batch, [&](int c, int i) { return record(c, request_for(i, batch, "warm-")); });
  duplicates = credited = 0;

  Rate fresh = Run(clients, calls, batch, [&](int c, int i) { return record(c, request_for(i, batch, "order-")); });
  const int64_t fresh_credited = credited.exchange(0);
  Rate replay = Run(clients, calls, batch, [&](int c, int i) { return record(c, request_for(i, batch, "order-")); });
  const int64_t replay_duplicates = duplicates.exchange(0);
  const int single_calls = std::min(conversions / 5, 20000);
  Rate single = Run(clients, single_calls, 1, [&](int c, int i) { return record(c, request_for(i, 1, "single-")); });
  // Conversions naming customers, in a workspace with 20 segments and 5,000
  // CRM profiles: each call reads the segments and the customers' profiles
  // and labels every conversion with the segments it is in.
  for (int k = 0; k < 20; ++k) {
    v1::Segment seg;
    seg.set_id("seg_" + std::to_string(k));
    seg.set_workspace_id("bench");
    seg.set_name(seg.id());
    seg.set_expression(k % 2 ? "country = \"DE\" and conversions >= " + std::to_string(k % 5)
                             : "tagged(\"t" + std::to_string(k) + "\") or followers > 1000");
    seg.mutable_create_time()->set_seconds(k + 1);
    if (!profiles.CreateSegment(seg, "").ok()) return 1;
  }
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> crm;
  for (int k = 0; k < 5000; ++k) {
    crm.push_back({CrmProfileId(CustomerHash("bench", "cust-" + std::to_string(k))),
                   {{"co", k % 2 ? "DE" : "AT"}, {"tags", "t" + std::to_string(k % 20)}}});
  }
  if (!profiles.ImportRows("bench", crm).ok()) return 1;
  std::atomic<int64_t> labelled{0};
  Rate customers = Run(clients, calls, batch, [&](int c, int i) {
    auto r = request_for(i, batch, "cust-order-");
    for (int j = 0; j < r.conversions_size(); ++j) r.mutable_conversions(j)->set_customer_id("cust-" + std::to_string((i * batch + j) % 5000));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    v1::RecordConversionsResponse out;
    if (!stubs[static_cast<size_t>(c)]->RecordConversions(&ctx, r, &out).ok()) return false;
    for (const auto& res : out.results()) labelled += res.conversion().segment_ids_size() > 0;
    return true;
  });
  Rate trivial = Run(clients, calls, 1, [&](int c, int) {
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse res;
    return health[static_cast<size_t>(c)]->Check(&ctx, req, &res).ok();
  });
  auto drain_start = std::chrono::steady_clock::now();
  const bool drained = outbox.Drain(std::chrono::seconds(60));
  const double drain_s = Seconds(drain_start);
  const int64_t pending = redis.Command({"ZCARD", OutboxKey("bench")})->AsInt();
  server.Shutdown(std::chrono::milliseconds(1000));
  executor.Stop();

  // Baselines: a raw produce of as many ~300-byte records, and Redis SET NX
  // of as many keys, pipelined per call's worth, from as many threads.
  const std::string record_bytes(300, 'x');
  auto produce_start = std::chrono::steady_clock::now();
  for (int i = 0; i < conversions; ++i) producer.Produce("conversions", "c_bench", record_bytes, {}, [](const std::string&) {});
  producer.Flush(std::chrono::seconds(60));
  const double produce_rate = conversions / Seconds(produce_start);
  Rate setnx = Run(clients, calls, batch, [&](int, int i) {
    std::vector<RedisClient::Args> cmds;
    for (int j = 0; j < batch; ++j) {
      cmds.push_back({"SET", "base:{bench}:" + std::to_string(i * batch + j), record_bytes, "NX", "PX", "60000"});
    }
    return redis.Pipeline(cmds).ok();
  });

  std::vector<Row> rows;
  rows.push_back({"Conversions recorded per second (" + std::to_string(batch) + " a call)", Fmt(fresh.per_second),
                  Fmt(produce_rate), "raw librdkafka produce of 300 B records", ">= 10,000"});
  rows.push_back({"  the same calls again (all duplicates) per second", Fmt(replay.per_second), Fmt(setnx.per_second),
                  "Redis SET NX, pipelined per call, same threads", ">= 10,000"});
  rows.push_back({"  naming customers, labelled with 20 segments, per second", Fmt(customers.per_second),
                  Fmt(fresh.per_second), "the same calls without customers (above)", ">= 10,000"});
  rows.push_back({"    labelled with at least one segment", Fmt(static_cast<double>(labelled.load())),
                  Fmt(static_cast<double>(calls * batch)), "conversions sent", "all"});
  rows.push_back({"  one conversion a call, per second", Fmt(single.per_second), Fmt(trivial.per_second),
                  "trivial gRPC call (health check)", ""});
  rows.push_back({"  p50 / p99 per call of " + std::to_string(batch) + ", ms", Fmt(fresh.p50_ms, 2) + " / " + Fmt(fresh.p99_ms, 2),
                  Fmt(trivial.p50_ms, 2) + " / " + Fmt(trivial.p99_ms, 2), "trivial gRPC call", ""});
  rows.push_back({"  credited to a click / answered as duplicates",
                  Fmt(static_cast<double>(fresh_credited)) + " / " + Fmt(static_cast<double>(replay_duplicates)),
                  Fmt(static_cast<double>(conversions)), "conversions sent", "all / all"});
  rows.push_back({"  then: every event acknowledged by Kafka after, s", Fmt(drain_s, 2), "", "", ""});
  rows.push_back({"  events left in the outbox afterwards", Fmt(static_cast<double>(pending)), "", "", "0"});
  rows.push_back({"  failed calls", Fmt(static_cast<double>(fresh.errors + replay.errors + single.errors + customers.errors)),
                  "", "", "0"});
  herald::bench::PrintTable("Campaign: conversion ingest over gRPC (" + std::to_string(clients) + " clients, " +
                                std::to_string(conversions) + " conversions, " + std::to_string(click_count) + " clicks)",
                            rows);
  const bool ok = fresh.errors + replay.errors + single.errors + customers.errors == 0 &&
                  labelled.load() == calls * batch && fresh_credited == calls * batch &&
                  replay_duplicates == calls * batch && drained && pending == 0;
  return ok ? 0 : 1;
}
