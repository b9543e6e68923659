// Kill things: the platform loses no post and publishes none twice when the
// scheduler and the publisher are SIGKILLed mid-flow and a Kafka broker goes
// down, or SIGTERMed under load; and analytics still counts exactly.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/http_client.h"
#include "common/time_util.h"
#include "herald/analytics/v1/analytics.grpc.pb.h"
#include "herald/publisher/v1/publisher.grpc.pb.h"
#include "herald/scheduler/v1/scheduler.grpc.pb.h"
#include "e2e_util.h"
#include "platform.h"

namespace herald {
namespace {

using herald::testing::Ctx;
using herald::testing::NowMs;

namespace sched = herald::scheduler::v1;
namespace pub = herald::publisher::v1;
namespace an = herald::analytics::v1;
using nlohmann::json;

constexpr const char* kWorkspace = "crash";
constexpr int kPosts = 60;

// A counter's value from a service's /metrics (0 when absent).

int CountPublished(sched::SchedulerService::Stub& scheduler) {
  sched::ListPostsRequest list;
  list.set_workspace_id(kWorkspace);
  list.set_state(sched::POST_STATE_PUBLISHED);
  list.set_page_size(1000);
  sched::ListPostsResponse res;
  return scheduler.ListPosts(Ctx().get(), list, &res).ok() ? res.posts_size() : -1;
}

void CreatePosts(sched::SchedulerService::Stub& scheduler, const std::string& channel_id, int from, int to,
                 int64_t first_due_ms, int64_t spacing_ms) {
  for (int i = from; i < to; ++i) {
    sched::CreatePostRequest r;
    r.set_workspace_id(kWorkspace);
    r.set_request_id("crash-" + std::to_string(i));
    r.set_text("crash test post " + std::to_string(i));
    r.add_channel_ids(channel_id);
    *r.mutable_publish_at() = FromMs(first_due_ms + (i - from) * spacing_ms);
    sched::Post post;
    ASSERT_TRUE(scheduler.CreatePost(Ctx().get(), r, &post).ok());
  }
}

// The simulator's ledger holds `posts` distinct texts, each published once.
void ExpectEachPostOnceOnTheNetwork(herald::testing::Platform& p, int posts) {
  HttpRequest req;
  req.url = p.simulator_url() + "/_sim/ledger";
  auto res = SendHttp(req);
  ASSERT_TRUE(res.ok());
  std::map<std::string, int> copies;
  for (const auto& s : json::parse(res->body)) copies[s["text"].get<std::string>()]++;
  EXPECT_EQ(copies.size(), static_cast<size_t>(posts));
  for (const auto& [text, n] : copies) EXPECT_EQ(n, 1) << text << " published " << n << " times";
}

TEST(Failures, SigkillSchedulerAndPublisherDuringAKafkaOutageLosesNothingAndDuplicatesNothing) {
  herald::testing::Platform p;
  auto chan = [&](const std::string& s) { return grpc::CreateChannel(p.Grpc(s), grpc::InsecureChannelCredentials()); };
  auto publisher = pub::PublisherService::NewStub(chan("publisher"));
  pub::ConnectChannelRequest conn;
  conn.set_workspace_id(kWorkspace);
  conn.set_network(herald::common::v1::NETWORK_MASTODON);
  conn.set_base_url(p.simulator_url());
  conn.set_access_token("e2e-token");
  pub::Channel channel;
  ASSERT_TRUE(publisher->ConnectChannel(Ctx().get(), conn, &channel).ok()) << p.Logs();
  auto scheduler = sched::SchedulerService::NewStub(chan("scheduler"));

  // Half the posts flow from now on; the other half fall due together later,
  // during the outage. (Created up front: CreatePost asks the publisher.)
  int64_t start = NowMs();
  int64_t burst_at = start + 9000;
  CreatePosts(*scheduler, channel.id(), 0, kPosts / 2, start + 1000, 100);
  CreatePosts(*scheduler, channel.id(), kPosts / 2, kPosts, burst_at, 0);

  // Phase 1: SIGKILL the publisher once it is busy delivering.
  auto busy = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (CountPublished(*scheduler) < 5 && std::chrono::steady_clock::now() < busy) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GE(CountPublished(*scheduler), 5) << p.Logs();
  p.process("publisher").Kill();

  // Phase 2: Kafka goes down; posts fall due and are claimed but cannot be
  // produced; the scheduler is SIGKILLed holding those claims.
  p.process("devbroker").Signal(SIGUSR1);
  // Killed only once it holds claims Kafka never confirmed: its in-flight
  // gauge (claims waiting for Kafka) shows them.
  const int scheduler_metrics = p.ports().at("scheduler").metrics;
  ASSERT_TRUE(herald::testing::Eventually(
      [&] {
        return NowMs() > burst_at &&
               herald::testing::MetricValue(scheduler_metrics, "herald_scheduler_inflight_posts") >= 1;
      },
      std::chrono::seconds(60)))
      << "the scheduler never held a claim during the outage\n" << p.Logs();
  p.process("scheduler").Kill();

  // Phase 3: everything comes back.
  p.process("devbroker").Signal(SIGUSR2);
  p.Restart("publisher");
  p.Restart("scheduler");
  scheduler = sched::SchedulerService::NewStub(chan("scheduler"));

  int published = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while ((published = CountPublished(*scheduler)) < kPosts && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  ASSERT_EQ(published, kPosts) << p.Logs();
  // The claims the killed scheduler held really were recovered by the reaper.
  EXPECT_GE(herald::testing::MetricValue(p.ports().at("scheduler").metrics, "herald_scheduler_leases_expired_total"), 1.0);

  // Exactly once on the network.
  ExpectEachPostOnceOnTheNetwork(p, kPosts);

  // Analytics: exactly kPosts, even if a result was announced twice.
  auto analytics = an::AnalyticsService::NewStub(chan("analytics"));
  an::GetChannelStatsRequest cs;
  cs.set_workspace_id(kWorkspace);
  cs.set_channel_id(channel.id());
  an::ChannelStats stats;
  for (int i = 0; i < 120; ++i) {
    if (analytics->GetChannelStats(Ctx().get(), cs, &stats).ok() && stats.posts_published() >= kPosts) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  ASSERT_TRUE(analytics->GetChannelStats(Ctx().get(), cs, &stats).ok());
  EXPECT_EQ(stats.posts_published(), kPosts);
}

TEST(Failures, AnalyticsKilledMidStreamCountsExactlyAfterRestart) {
  herald::testing::Platform p;
  auto chan = [&](const std::string& s) { return grpc::CreateChannel(p.Grpc(s), grpc::InsecureChannelCredentials()); };
  constexpr int kMentions = 200;
  std::string url = p.listener_url() + "/v1/webhooks/mastodon/" + kWorkspace + "/ch_1";
  for (int i = 0; i < kMentions; ++i) {
    if (i == kMentions / 2) p.process("analytics").Kill();
    json m = {{"webhook_url", url}, {"author", "fan"}, {"text", "hi"}, {"id", std::to_string(5000 + i)}};
    HttpRequest req;
    req.method = "POST";
    req.url = p.simulator_url() + "/_sim/mention";
    req.body = m.dump();
    auto res = SendHttp(req);
    ASSERT_TRUE(res.ok());
    ASSERT_EQ(json::parse(res->body).value("webhook_status", 0), 202) << res->body;
  }
  p.Restart("analytics");
  auto analytics = an::AnalyticsService::NewStub(chan("analytics"));
  an::GetWorkspaceStatsRequest ws;
  ws.set_workspace_id(kWorkspace);
  an::WorkspaceStats stats;
  for (int i = 0; i < 120; ++i) {
    if (analytics->GetWorkspaceStats(Ctx().get(), ws, &stats).ok() && stats.mentions() >= kMentions) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  ASSERT_TRUE(analytics->GetWorkspaceStats(Ctx().get(), ws, &stats).ok());
  EXPECT_EQ(stats.mentions(), kMentions) << p.Logs();
}

// SIGTERM under load, as Kubernetes stops a pod in a rolling update: the
// scheduler and the publisher are asked to stop while posts fall due every
// few milliseconds. Each must exit 0 well inside the pod's grace period
// (30 s), having finished what it held: the restarted scheduler finds no
// lease to reap (its claims were settled, not abandoned) and the restarted
// publisher meets no delivery it already made (its offsets were committed).
// Every post goes out, once.
TEST(Failures, SigtermUnderLoadFinishesInFlightWorkAndLosesNothing) {
  constexpr int kChannels = 4, kLoadPosts = 240;
  herald::testing::PlatformOptions options;  // one simulator account per channel
  options.simulator_accounts = "load-0:acct0,load-1:acct1,load-2:acct2,load-3:acct3";
  herald::testing::Platform p(options);
  auto chan = [&](const std::string& s) { return grpc::CreateChannel(p.Grpc(s), grpc::InsecureChannelCredentials()); };
  auto publisher = pub::PublisherService::NewStub(chan("publisher"));
  auto scheduler = sched::SchedulerService::NewStub(chan("scheduler"));
  std::vector<std::string> channels;
  for (int c = 0; c < kChannels; ++c) {
    pub::ConnectChannelRequest conn;
    conn.set_workspace_id(kWorkspace);
    conn.set_network(herald::common::v1::NETWORK_MASTODON);
    conn.set_base_url(p.simulator_url());
    conn.set_access_token("load-" + std::to_string(c));
    pub::Channel channel;
    auto connected = publisher->ConnectChannel(Ctx().get(), conn, &channel);
    ASSERT_TRUE(connected.ok()) << connected.error_message() << "\n" << p.Logs();
    channels.push_back(channel.id());
  }
  // Due every 40 ms for about 10 s, round-robin over the channels.
  int64_t start = NowMs() + 2000;
  for (int i = 0; i < kLoadPosts; ++i) {
    CreatePosts(*scheduler, channels[i % kChannels], i, i + 1, start + i * 40, 0);
  }

  // Mid-stream: both asked to stop at once.
  ASSERT_TRUE(herald::testing::Eventually([&] { return CountPublished(*scheduler) >= kLoadPosts / 4; },
                                          std::chrono::seconds(60)))
      << p.Logs();
  ASSERT_LT(CountPublished(*scheduler), kLoadPosts) << "the load was over before the stop";
  std::map<std::string, int> exit_status;
  std::map<std::string, double> took;
  std::vector<std::thread> stopping;
  std::mutex mu;
  for (const char* name : {"scheduler", "publisher"}) {
    stopping.emplace_back([&, name] {
      auto t0 = std::chrono::steady_clock::now();
      int status = p.process(name).Stop(std::chrono::seconds(30));
      std::lock_guard lock(mu);
      exit_status[name] = status;
      took[name] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    });
  }
  for (auto& t : stopping) t.join();
  for (const char* name : {"scheduler", "publisher"}) {
    EXPECT_EQ(exit_status[name], 0) << name << " did not exit cleanly\n" << p.process(name).LogTail();
    EXPECT_LT(took[name], 25.0) << name << " took " << took[name] << " s to stop";
    EXPECT_NE(p.process(name).LogTail().find("\"stopped\""), std::string::npos) << p.process(name).LogTail();
  }

  p.Restart("publisher");
  p.Restart("scheduler");
  scheduler = sched::SchedulerService::NewStub(chan("scheduler"));
  int published = 0;
  ASSERT_TRUE(herald::testing::Eventually([&] { return (published = CountPublished(*scheduler)) >= kLoadPosts; },
                                          std::chrono::seconds(120)))
      << published << " of " << kLoadPosts << "\n" << p.Logs();
  EXPECT_EQ(published, kLoadPosts);

  // Nothing was abandoned or re-read.
  EXPECT_EQ(herald::testing::MetricValue(p.ports().at("scheduler").metrics, "herald_scheduler_leases_expired_total"), 0.0);
  EXPECT_EQ(herald::testing::MetricValue(p.ports().at("publisher").metrics,
                                         "herald_publisher_deliveries_total{network=\"mastodon\",outcome=\"duplicate\"}"),
            0.0);

  ExpectEachPostOnceOnTheNetwork(p, kLoadPosts);
}

}  // namespace
}  // namespace herald
