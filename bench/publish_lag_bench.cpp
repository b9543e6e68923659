// End-to-end publish lag (issue 15): posts fall due at --rate a second across
// --channels channels for --seconds, through the whole platform (scheduler,
// Kafka, publisher, the network). The lag of each post is the network's
// acceptance time (the simulator's clock, this machine's) minus its due time.
//
//   publish_lag_bench [--rate=1000] [--seconds=10] [--channels=100] [--lead-ms=20000]
//                     [--fetch-wait-ms=N]  the publisher's --kafka-fetch-wait-ms
// LAG_DUMP=file writes "index lag_ms" for every post (index = due order).
//
// Baseline, same run: the scheduler's own lateness (due -> handed to Kafka),
// from its histogram, so the table shows how much of the lag is the hand-over
// and how much the rest of the path. One warm-up post per channel goes out
// 3 s before the measured ones (not counted). Quotas are set far above the offered
// rate (the simulator's and the networks file's): this measures the path, not
// quota waits. Every post must arrive exactly once.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "bench_util.h"
#include "common/http_client.h"
#include "common/log.h"
#include "common/time_util.h"
#include "e2e_util.h"
#include "herald/scheduler/v1/scheduler.grpc.pb.h"
#include "platform.h"
#include "platform_bench.h"

using namespace herald;
using herald::bench::Flag;
using herald::bench::Fmt;
using herald::bench::Row;
using herald::testing::Ctx;
using herald::testing::NowMs;
using nlohmann::json;
namespace sched = herald::scheduler::v1;

namespace {

constexpr const char* kWorkspace = "lag";

// The q-quantile of a Prometheus histogram in a /metrics page, over every
// label set, interpolated within its bucket (as histogram_quantile does).
double HistogramQuantile(const std::string& page, const std::string& name, double q) {
  std::map<double, double> cumulative;  // le -> count, summed over label sets
  std::istringstream lines(page);
  const std::string prefix = name + "_bucket{";
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(prefix, 0) != 0) continue;
    auto le = line.find("le=\"");
    if (le == std::string::npos) continue;
    std::string bound = line.substr(le + 4, line.find('"', le + 4) - le - 4);
    double upper = bound == "+Inf" ? INFINITY : std::atof(bound.c_str());
    cumulative[upper] += std::atof(line.c_str() + line.rfind(' ') + 1);
  }
  if (cumulative.empty() || cumulative.rbegin()->second <= 0) return NAN;
  double rank = q * cumulative.rbegin()->second, lower = 0, below = 0;
  for (const auto& [upper, count] : cumulative) {
    if (count >= rank) {
      if (std::isinf(upper)) return lower;
      return lower + (upper - lower) * (rank - below) / std::max(count - below, 1e-9);
    }
    lower = upper;
    below = count;
  }
  return lower;
}

std::string Ms(double seconds) { return std::isnan(seconds) ? "n/a" : Fmt(seconds * 1000.0, 1) + " ms"; }

}  // namespace

int main(int argc, char** argv) {
  log::Init("bench", "warn");
  const int rate = static_cast<int>(Flag(argc, argv, "rate", 1000));
  const int seconds = static_cast<int>(Flag(argc, argv, "seconds", 10));
  const int channels = static_cast<int>(Flag(argc, argv, "channels", 100));
  const int64_t lead_ms = Flag(argc, argv, "lead-ms", 20000);
  // The publisher's fetch.wait.max.ms (0: its default).
  const int64_t fetch_wait_ms = Flag(argc, argv, "fetch-wait-ms", 0);
  const int posts = rate * seconds;

  // Quotas far above what the run offers: the path is measured, not quota waits.
  herald::testing::PlatformOptions o;
  o.simulator_accounts = herald::bench::SimulatorAccounts("lag-", channels);
  o.simulator_args = {"--rate-limit=1000000", "--rate-window-s=60"};
  o.publisher_args = {"--networks-file=" + herald::bench::XNetworksFile("lag", 1000000)};
  if (fetch_wait_ms > 0) o.publisher_args.push_back("--kafka-fetch-wait-ms=" + std::to_string(fetch_wait_ms));
  std::fprintf(stderr, "bench: starting the platform...\n");
  herald::testing::Platform p(o);
  std::vector<std::string> channel_ids = herald::bench::ConnectXChannels(p, kWorkspace, "lag-", channels);
  if (channel_ids.empty()) return 1;

  // Every post created ahead of time, due one every 1000/rate ms from `first_due`.
  const int64_t first_due = NowMs() + lead_ms;
  auto due_of = [&](int i) { return first_due + static_cast<int64_t>(i) * 1000 / rate; };
  std::fprintf(stderr, "bench: creating %d posts due from %lld ms from now...\n", posts,
               static_cast<long long>(lead_ms));
  std::atomic<int> next{0}, refused{0};
  std::vector<std::thread> creators;
  for (int t = 0; t < 4; ++t) {
    creators.emplace_back([&] {
      auto scheduler =
          sched::SchedulerService::NewStub(grpc::CreateChannel(p.Grpc("scheduler"), grpc::InsecureChannelCredentials()));
      for (int i = next++; i < posts; i = next++) {
        sched::CreatePostRequest r;
        r.set_workspace_id(kWorkspace);
        r.set_request_id("lag-" + std::to_string(i));
        r.set_text("lag post " + std::to_string(i));
        r.add_channel_ids(channel_ids[static_cast<size_t>(i % channels)]);
        *r.mutable_publish_at() = FromMs(due_of(i));
        sched::Post post;
        if (!scheduler->CreatePost(Ctx().get(), r, &post).ok()) ++refused;
      }
    });
  }
  for (auto& t : creators) t.join();
  // Warm-up, not measured: one post per channel 3 s before the run, so the
  // first fetches, producers' metadata, connections and caches are made (a
  // fresh platform's first second is ~1 s slower; production is warm).
  {
    auto scheduler =
        sched::SchedulerService::NewStub(grpc::CreateChannel(p.Grpc("scheduler"), grpc::InsecureChannelCredentials()));
    for (int c = 0; c < channels; ++c) {
      sched::CreatePostRequest r;
      r.set_workspace_id(kWorkspace);
      r.set_request_id("warm-" + std::to_string(c));
      r.set_text("warm-up post " + std::to_string(c));
      r.add_channel_ids(channel_ids[static_cast<size_t>(c)]);
      *r.mutable_publish_at() = FromMs(first_due - 3000);
      sched::Post post;
      if (!scheduler->CreatePost(Ctx().get(), r, &post).ok()) ++refused;
    }
  }
  const int64_t created_by = NowMs();
  if (created_by >= first_due - 3000 || refused > 0) {
    std::fprintf(stderr, "bench: creating took past the first due time (%lld ms late) or was refused (%d): raise "
                 "--lead-ms\n", static_cast<long long>(created_by - first_due), refused.load());
    return 1;
  }

  // Wait for the last post (plus a minute), then read the network's ledger.
  json ledger;
  int seen = 0;
  const int64_t give_up = due_of(posts - 1) + 60000;
  while (NowMs() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    if (NowMs() < due_of(posts - 1)) continue;
    ledger = herald::testing::HttpJson("GET", p.simulator_url() + "/_sim/ledger");
    seen = static_cast<int>(ledger.size());
    if (seen >= posts + channels) break;
  }
  // One pass over the network's ledger: each post's first copy gives its lag.
  std::vector<double> lags;
  std::vector<std::pair<double, int>> by_lag;  // (lag ms, index in due order)
  std::map<int, int> copies;
  for (const auto& e : ledger) {
    const std::string text = e.value("text", "");
    if (text.rfind("lag post ", 0) != 0) continue;
    int i = std::atoi(text.c_str() + 9);
    if (copies[i]++ > 0) continue;
    double lag_ms = static_cast<double>(ParseRfc3339Ms(e.value("created_at", "")) - due_of(i));
    lags.push_back(lag_ms / 1000.0);
    by_lag.push_back({lag_ms, i});
  }
  // Where the tail is (index = order of due times): warm-up, or periodic.
  if (const char* dump = std::getenv("LAG_DUMP")) {  // "index lag_ms" per post, for plotting
    std::ofstream out(dump);
    for (const auto& [lag, i] : by_lag) out << i << ' ' << lag << '\n';
  }
  std::sort(by_lag.rbegin(), by_lag.rend());
  std::fprintf(stderr, "bench: slowest posts (due order, lag ms):");
  for (size_t k = 0; k < std::min<size_t>(by_lag.size(), 12); ++k) {
    std::fprintf(stderr, " #%d %.0f", by_lag[k].second, by_lag[k].first);
  }
  std::fprintf(stderr, "\n");
  if (std::getenv("LAG_LOGS")) std::fprintf(stderr, "%s\n", p.process("publisher").LogTail(20000).c_str());
  int duplicates = 0;
  for (const auto& [i, n] : copies) duplicates += n - 1;
  const int lost = posts - static_cast<int>(copies.size());

  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(p.ports().at("scheduler").metrics) + "/metrics";
  auto sched_page = SendHttp(req);
  req.url = "http://127.0.0.1:" + std::to_string(p.ports().at("publisher").metrics) + "/metrics";
  auto pub_page = SendHttp(req);
  const std::string sched_body = sched_page.ok() ? sched_page->body : "";
  const std::string pub_body = pub_page.ok() ? pub_page->body : "";
  const char* lateness = "herald_scheduler_dispatch_lateness_seconds";
  const char* lag_hist = "herald_publisher_publish_lag_seconds";

  using herald::bench::Percentile;
  std::vector<Row> rows = {
      {"due -> network accepted, p50", Ms(Percentile(lags, 50)), Ms(HistogramQuantile(sched_body, lateness, 0.5)),
       "scheduler's own lateness (due -> Kafka), p50", ""},
      {"due -> network accepted, p90", Ms(Percentile(lags, 90)), Ms(HistogramQuantile(sched_body, lateness, 0.9)),
       "scheduler's own lateness, p90", ""},
      {"due -> network accepted, p99", Ms(Percentile(lags, 99)), Ms(HistogramQuantile(sched_body, lateness, 0.99)),
       "scheduler's own lateness, p99", "<= 50 ms"},
      {"due -> network accepted, max", Ms(Percentile(lags, 100)), "", "", ""},
      {"  publisher's histogram p99 (due -> accepted)", Ms(HistogramQuantile(pub_body, lag_hist, 0.99)), "",
       "bucket-interpolated, for comparison", ""},
      {"posts lost / published twice", std::to_string(lost) + " / " + std::to_string(duplicates), "", "", "0 / 0"},
  };
  herald::bench::PrintTable("Publish lag: " + std::to_string(posts) + " posts due at " + std::to_string(rate) +
                                "/s across " + std::to_string(channels) + " X channels, whole platform (2 cores)",
                            rows);
  return lost == 0 && duplicates == 0 ? 0 : 1;
}
