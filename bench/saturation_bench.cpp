// Saturation (issue 4): the whole platform under sustained overload, the
// simulator's limits equal to the configured ones. Posts are created through
// the scheduler's API at twice what the networks allow, for --seconds; the
// publisher must draw no 429 and still use (nearly) all of the quota.
//
//   saturation_bench [--seconds=600] [--limit=120] [--channels=4] [--backlog=0]
//
// --backlog=1: every post is created at the start (a backlog to drain, the
// deferred posts the only ones left) instead of a steady stream.
//
// Baseline, same run, same limits, its own account: a header-driven client —
// what most tools do — that posts until the network answers 429, then sleeps
// until the x-rate-limit-reset the answer names.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <thread>

#include "bench_util.h"
#include "common/http_client.h"
#include "common/log.h"
#include "e2e_util.h"
#include "herald/scheduler/v1/scheduler.grpc.pb.h"
#include "platform.h"
#include "platform_bench.h"
#include "support/process.h"

using namespace herald;
using herald::bench::Flag;
using herald::bench::Fmt;
using herald::bench::Row;
using herald::testing::Ctx;
using nlohmann::json;
namespace sched = herald::scheduler::v1;

namespace {

struct NaiveResult {
  int64_t accepted = 0;
  int64_t rate_limited = 0;
};

// Posts as fast as answers come; on 429 sleeps until the reset it names.
NaiveResult NaiveClient(const std::string& url, const std::atomic<bool>& stop) {
  NaiveResult out;
  for (int64_t i = 0; !stop; ++i) {
    HttpRequest req;
    req.method = "POST";
    req.url = url + "/2/tweets";
    req.body = json{{"text", "naive client post " + std::to_string(i)}}.dump();
    req.headers = {{"Authorization", "Bearer tok-naive"}, {"Content-Type", "application/json"}};
    auto res = SendHttp(req);
    if (!res.ok()) continue;
    if (res->status == 201) ++out.accepted;
    if (res->status != 429) continue;
    ++out.rate_limited;
    int64_t reset_ms = std::atoll(res->Header("x-rate-limit-reset").c_str()) * 1000;
    while (!stop && herald::testing::NowMs() < reset_ms) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  log::Init("bench", "warn");
  const int seconds = static_cast<int>(Flag(argc, argv, "seconds", 600));
  const int limit = static_cast<int>(Flag(argc, argv, "limit", 120));
  const int channels = static_cast<int>(Flag(argc, argv, "channels", 4));
  const bool backlog = Flag(argc, argv, "backlog", 0) != 0;

  herald::testing::PlatformOptions o;
  o.simulator_accounts = "tok-naive:naive," + herald::bench::SimulatorAccounts("tok-", channels);
  o.simulator_args = {"--rate-limit=" + std::to_string(limit), "--rate-window-s=60"};
  o.publisher_args = {"--networks-file=" + herald::bench::XNetworksFile("saturation", limit)};
  std::fprintf(stderr, "bench: starting the platform...\n");
  herald::testing::Platform p(o);
  auto scheduler =
      sched::SchedulerService::NewStub(grpc::CreateChannel(p.Grpc("scheduler"), grpc::InsecureChannelCredentials()));
  std::vector<std::string> channel_ids = herald::bench::ConnectXChannels(p, "saturation", "tok-", channels);
  if (channel_ids.empty()) return 1;

  // Twice what the networks allow, spread evenly.
  const double per_second = 2.0 * limit * channels / 60.0;
  std::fprintf(stderr, "bench: %d s of overload, %.1f posts/s offered, %d a minute allowed per account...\n", seconds,
               per_second, limit);
  std::atomic<bool> stop{false};
  std::atomic<int64_t> created{0}, refused{0};
  const int64_t t0 = herald::testing::NowMs();
  std::thread offered([&] {
    for (int64_t i = 0; !stop; ++i) {
      sched::CreatePostRequest r;
      r.set_workspace_id("saturation");
      r.set_request_id("sat-" + std::to_string(i));
      r.set_text("saturation post " + std::to_string(i));
      r.add_channel_ids(channel_ids[i % channel_ids.size()]);
      r.set_publish_now(true);
      sched::Post post;
      (scheduler->CreatePost(Ctx().get(), r, &post).ok() ? created : refused)++;
      if (backlog) {
        if (i + 1 >= per_second * seconds) break;
        continue;
      }
      int64_t next = t0 + static_cast<int64_t>(static_cast<double>(i + 1) * 1000.0 / per_second);
      while (!stop && herald::testing::NowMs() < next) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  NaiveResult naive;
  std::thread baseline([&] { naive = NaiveClient(p.simulator_url(), stop); });
  while (herald::testing::NowMs() < t0 + seconds * 1000LL) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  json ledger = herald::testing::HttpJson("GET", p.simulator_url() + "/_sim/ledger");
  json stats = herald::testing::HttpJson("GET", p.simulator_url() + "/_sim/stats");
  stop = true;
  offered.join();
  baseline.join();

  std::map<std::string, int64_t> per_account;
  for (const auto& e : ledger) {
    if (e.value("text", "").rfind("saturation post ", 0) == 0) per_account[e.value("account_id", "")]++;
  }
  int64_t herald_accepted = 0;
  for (const auto& [account, n] : per_account) herald_accepted += n;
  const int64_t herald_429 = stats.value("rate_limited", int64_t{0}) - naive.rate_limited;
  // What the simulator allows one account in the run: `limit` per minute.
  const double allowed = static_cast<double>(limit) * seconds / 60.0;
  const double herald_used = herald_accepted / (allowed * channels);
  const double naive_used = naive.accepted / allowed;

  std::vector<Row> rows = {
      {"429s received", std::to_string(herald_429), std::to_string(naive.rate_limited),
       "header-driven client, same limits, same run", "0"},
      {"quota used (accepted / allowed per account)", Fmt(100 * herald_used, 1) + " %", Fmt(100 * naive_used, 1) + " %",
       "header-driven client, same limits, same run", ">= 95 %"},
      {"  posts accepted (Herald: all accounts)", std::to_string(herald_accepted), std::to_string(naive.accepted), "",
       ""},
      {"  posts offered / refused by the API", std::to_string(created.load()) + " / " + std::to_string(refused.load()),
       "", "", ""},
  };
  for (const auto& [account, n] : per_account) {
    rows.push_back({"  accepted, account " + account, std::to_string(n) + " (" + Fmt(100.0 * n / allowed, 1) + " %)",
                    "", "", ""});
  }
  herald::bench::PrintTable("Saturation: " + std::to_string(seconds) + " s at 2x the quota (" +
                                (backlog ? "all created at the start" : "a steady stream") + "), " +
                                std::to_string(channels) +
                                " X accounts, " + std::to_string(limit) + " posts/min each (2 cores)",
                            rows);
  return 0;
}
