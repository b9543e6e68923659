// The publisher under failure (issue 4), through the whole platform: 1,000
// posts while the simulated networks misbehave — each fault alone, then all
// mixed — must each appear exactly once in the simulator's ledger; a publisher
// killed mid-request posts nothing twice; two publishers share one quota and
// never draw a 429; a token the network rejects marks its channel.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <csignal>
#include <fstream>
#include <map>

#include "common/time_util.h"
#include "e2e_util.h"
#include "herald/publisher/v1/publisher.grpc.pb.h"
#include "herald/scheduler/v1/scheduler.grpc.pb.h"
#include "platform.h"
#include "platform_test.h"

namespace herald {
namespace {

using herald::common::v1::Network;
using herald::testing::Ctx;
using herald::testing::Eventually;
using herald::testing::HttpJson;
using herald::testing::Platform;
using herald::testing::PlatformOptions;
using herald::testing::PlatformTest;
using nlohmann::json;
namespace sched = herald::scheduler::v1;
namespace pub = herald::publisher::v1;

constexpr const char* kWorkspace = "faults";

// A networks file for the test: quotas high enough for 1,000 posts in minutes.
std::string NetworksFile(int limit_per_minute, const std::string& scope = "account") {
  std::string dir = herald::testing::MakeTempDir("herald-networks-");
  std::string path = dir + "/networks.json";
  json quota = {{"scope", scope}, {"windows", {{{"name", "1m"}, {"limit", limit_per_minute}, {"seconds", 60}}}}};
  json mastodon = {{"text", {{"max_length", 500}, {"counting", "code_points"}, {"url_length", 23}}},
                   {"media", {{"max", 4}}},
                   {"threads", {{"supported", true}, {"max_parts", 25}}},
                   {"quotas", {quota}}};
  // X as the (strict) simulator counts it.
  json x = mastodon;
  x["text"] = {{"max_length", 280}, {"counting", "x_weighted"}, {"url_length", 23}};
  std::ofstream(path) << json{{"version", "e2e"}, {"networks", {{"x", x}, {"mastodon", mastodon}}}}.dump(2);
  return path;
}

class FaultMatrix : public PlatformTest {
 protected:
  void SetUp() override {
    PlatformOptions o;
    // Calls time out after 800 ms; "succeeds but times out" holds 1.5 s.
    // Faults far above any real network's: allow more attempts than the default 5.
    o.publisher_args = {"--http-timeout-ms=800", "--max-attempts=10", "--networks-file=" + NetworksFile(300)};
    o.simulator_args = {"--rate-limit=100000", "--rate-window-s=60"};
    p_ = std::make_unique<Platform>(o);
  }
};

TEST_F(FaultMatrix, EveryPostExactlyOnceUnderEachFaultAloneAndMixed) {
  // X has no idempotency key (unknown outcomes are read back); Mastodon has one.
  std::vector<std::string> channels{Connect(Network::NETWORK_X, "e2e-token").id(),
                                    Connect(Network::NETWORK_X, "other-token").id(),
                                    Connect(Network::NETWORK_MASTODON, "e2e-token").id(),
                                    Connect(Network::NETWORK_MASTODON, "other-token").id()};
  ASSERT_EQ(std::set<std::string>(channels.begin(), channels.end()).size(), 4u);  // one account, two networks
  struct Scenario {
    std::string name;
    json faults;
    int posts;
  };
  const std::vector<Scenario> scenarios{
      {"clean", json::object(), 100},
      {"latency", {{"latency_ms", 150}}, 150},
      {"5xx", {{"error_rate", 0.3}}, 200},
      {"reset", {{"reset_rate", 0.3}}, 200},
      {"timeout", {{"timeout_rate", 0.2}, {"timeout_hold_ms", 1500}}, 100},
      {"close", {{"close_rate", 0.2}}, 100},
      {"mixed",
       {{"latency_ms", 20}, {"error_rate", 0.1}, {"reset_rate", 0.1}, {"timeout_rate", 0.05}, {"close_rate", 0.05},
        {"timeout_hold_ms", 1500}},
       150},
  };
  std::vector<std::string> all_texts;
  for (const auto& sc : scenarios) {
    SCOPED_TRACE(sc.name);
    SetFaults(kNoFaults);
    json fired_before = Fired();
    SetFaults(sc.faults);
    std::vector<std::string> texts;
    for (int i = 0; i < sc.posts; ++i) texts.push_back("fault matrix " + sc.name + " #" + std::to_string(i));
    auto ids = CreatePosts(texts, channels);
    EXPECT_EQ(WaitPublished(ids, std::chrono::seconds(240)), ids.size()) << p_->Logs();
    all_texts.insert(all_texts.end(), texts.begin(), texts.end());
    // Each fault the scenario asked for really fired.
    json fired = Fired();
    for (const char* fault : {"error", "reset", "timeout", "close"}) {
      if (sc.faults.value(std::string(fault) + "_rate", 0.0) > 0) {
        EXPECT_GT(fired.value(fault, 0), fired_before.value(fault, 0)) << fault << " never fired";
      }
    }
  }
  SetFaults(kNoFaults);
  ASSERT_EQ(all_texts.size(), 1000u);
  auto counts = LedgerCounts();
  int missing = 0, doubled = 0;
  for (const auto& t : all_texts) {
    missing += counts[t] == 0;
    doubled += counts[t] > 1;
  }
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(doubled, 0);
  // The read-back path really ran: some X posts landed whose answer never came.
  EXPECT_GT(Metric("publisher", "herald_publisher_deliveries_total{network=\"x\",outcome=\"reconciled\"}"), 0);
}

// The post lands, then the connection closes before a byte of the answer —
// what a proxy dropping a kept-alive connection does. An HTTP client that
// quietly resends on a fresh connection publishes it twice; the publisher
// must see the broken attempt and read the account back instead. Warm-up
// posts first, so delivery threads hold kept-alive connections to reuse.
TEST_F(FaultMatrix, AnswersLostToAClosedConnectionAreReadBackNotResent) {
  std::vector<std::string> channels{Connect(Network::NETWORK_X, "e2e-token").id(),
                                    Connect(Network::NETWORK_X, "other-token").id()};
  std::vector<std::string> warm;
  for (int i = 0; i < 20; ++i) warm.push_back("warm-up #" + std::to_string(i));
  auto warm_ids = CreatePosts(warm, channels);
  ASSERT_EQ(WaitPublished(warm_ids, std::chrono::seconds(60)), warm_ids.size()) << p_->Logs();
  json fired_before = Fired();
  SetFaults({{"close_rate", 0.5}});
  std::vector<std::string> texts;
  for (int i = 0; i < 40; ++i) texts.push_back("closed before the answer #" + std::to_string(i));
  auto ids = CreatePosts(texts, channels);
  EXPECT_EQ(WaitPublished(ids, std::chrono::seconds(180)), ids.size()) << p_->Logs();
  SetFaults(kNoFaults);
  EXPECT_GT(Fired().value("close", 0), fired_before.value("close", 0)) << "the close fault never fired";
  auto counts = LedgerCounts();
  int doubled = 0;
  for (const auto& t : texts) {
    EXPECT_GE(counts[t], 1) << t;
    doubled += counts[t] > 1;
  }
  EXPECT_EQ(doubled, 0) << "posts published twice after their connection closed";
  EXPECT_GT(Metric("publisher", "herald_publisher_deliveries_total{network=\"x\",outcome=\"reconciled\"}"), 0);
}

// Every answer is lost, every post lands: only reading the account back can
// finish these deliveries, and it must not send any of them again.
TEST_F(FaultMatrix, LostAnswersAreReadBackNotResent) {
  std::vector<std::string> channels{Connect(Network::NETWORK_X, "e2e-token").id()};
  SetFaults({{"timeout_rate", 1.0}, {"timeout_hold_ms", 1500}});
  std::vector<std::string> texts;
  for (int i = 0; i < 10; ++i) texts.push_back("answer lost #" + std::to_string(i));
  auto ids = CreatePosts(texts, channels);
  EXPECT_EQ(WaitPublished(ids, std::chrono::seconds(120)), ids.size()) << p_->Logs();
  SetFaults({{"timeout_rate", 0}});
  auto counts = LedgerCounts();
  for (const auto& t : texts) EXPECT_EQ(counts[t], 1) << t;
  EXPECT_EQ(Metric("publisher", "herald_publisher_deliveries_total{network=\"x\",outcome=\"reconciled\"}"), 10);
}

// The kill lands while a post request is in the network — the simulator's
// in-flight count says so — so that request's post lands with nobody left to
// hear the answer. The restarted publisher must settle it without a second
// send: read back (X) or repeated under its idempotency key, which the
// network absorbs (Mastodon). Both are counted and one of them must show.
TEST_F(FaultMatrix, PublisherKilledMidRequestPostsNothingTwice) {
  std::vector<std::string> channels{Connect(Network::NETWORK_X, "e2e-token").id(),
                                    Connect(Network::NETWORK_MASTODON, "e2e-token").id()};
  SetFaults({{"latency_ms", 600}});  // every request spends 0.6 s in the network (the timeout is 0.8 s)
  std::vector<std::string> texts;
  for (int i = 0; i < 20; ++i) texts.push_back("killed mid-request #" + std::to_string(i));
  auto ids = CreatePosts(texts, channels);
  json at_kill;
  ASSERT_TRUE(Eventually(
      [&] {
        at_kill = HttpJson("GET", p_->simulator_url() + "/_sim/stats");
        return at_kill.value("accepted", 0) >= 2 && at_kill.value("posting_in_flight", 0) >= 1;
      },
      std::chrono::seconds(60)))
      << "no post request was ever in flight: " << at_kill.dump();
  p_->process("publisher").Signal(SIGKILL);
  p_->Restart("publisher");
  EXPECT_EQ(WaitPublished(ids, std::chrono::seconds(180)), ids.size()) << p_->Logs();
  SetFaults({{"latency_ms", 0}});
  auto counts = LedgerCounts();
  for (const auto& t : texts) EXPECT_EQ(counts[t], 1) << t;
  double reconciled =
      Metric("publisher", "herald_publisher_deliveries_total{network=\"x\",outcome=\"reconciled\"}");
  int absorbed = HttpJson("GET", p_->simulator_url() + "/_sim/stats").value("repeats_absorbed", 0);
  EXPECT_GE(reconciled + absorbed, 1) << "the attempt cut off by the kill was never settled by read-back or key";
}

// A thread cut off by a kill: the publisher dies while a later part is in
// the network (part 1 is in the ledger, a request is in flight). The
// restarted publisher resumes the thread: every part exactly once, each
// replying to the one before.
TEST_F(FaultMatrix, PublisherKilledMidThreadResumesWithEveryPartOnce) {
  auto x = Connect(Network::NETWORK_X, "e2e-token");
  SetFaults({{"latency_ms", 600}});
  std::string text;
  for (int i = 0; i < 90; ++i) text += "killthread" + std::to_string(i) + " ";
  sched::CreatePostRequest r;
  r.set_workspace_id(kWorkspace);
  r.set_request_id("thread-killed-midway");
  r.set_text(text);
  r.add_channel_ids(x.id());
  r.set_publish_now(true);
  r.set_split_into_thread(true);
  sched::Post post;
  auto created = Stub<sched::SchedulerService>("scheduler")->CreatePost(Ctx().get(), r, &post);
  ASSERT_TRUE(created.ok()) << created.error_message();
  auto thread_parts = [&] {
    std::vector<json> parts;
    for (const auto& e : HttpJson("GET", p_->simulator_url() + "/_sim/ledger")) {
      if (e.value("text", "").find("killthread") != std::string::npos) parts.push_back(e);
    }
    return parts;
  };
  json at_kill;
  ASSERT_TRUE(Eventually(
      [&] {
        at_kill = HttpJson("GET", p_->simulator_url() + "/_sim/stats");
        return thread_parts().size() >= 1 && at_kill.value("posting_in_flight", 0) >= 1;
      },
      std::chrono::seconds(60)))
      << "the thread never had a later part in flight: " << at_kill.dump();
  p_->process("publisher").Signal(SIGKILL);
  p_->Restart("publisher");
  EXPECT_EQ(WaitPublished({post.id()}, std::chrono::seconds(180)), 1u) << p_->Logs();
  SetFaults({{"latency_ms", 0}});
  auto parts = thread_parts();
  ASSERT_GE(parts.size(), 3u);
  for (size_t k = 0; k < parts.size(); ++k) {
    std::string want = std::to_string(k + 1) + "/" + std::to_string(parts.size());
    EXPECT_NE(parts[k].value("text", "").find(want), std::string::npos) << "part " << k << " out of order or twice";
    EXPECT_EQ(parts[k].value("in_reply_to_id", ""), k == 0 ? "" : parts[k - 1].value("id", ""));
  }
  // The restarted publisher found the part the kill cut off by reading it
  // back (its metrics start at the restart).
  EXPECT_GE(Metric("publisher", "herald_publisher_deliveries_total{network=\"x\",outcome=\"reconciled\"}"), 1);
}

TEST_F(FaultMatrix, ARejectedTokenMarksTheChannel) {
  auto channel = Connect(Network::NETWORK_X, "other-token");
  HttpJson("POST", p_->simulator_url() + "/_sim/revoke", json{{"token", "other-token"}}.dump());
  auto ids = CreatePosts({"to a revoked account"}, {channel.id()});
  auto publisher = Stub<pub::PublisherService>("publisher");
  pub::GetChannelRequest g;
  g.set_workspace_id(kWorkspace);
  g.set_channel_id(channel.id());
  pub::Channel now;
  EXPECT_TRUE(Eventually([&] {
    return publisher->GetChannel(Ctx().get(), g, &now).ok() && now.status() == pub::CHANNEL_STATUS_NEEDS_REAUTH;
  })) << p_->Logs();
  auto scheduler = Stub<sched::SchedulerService>("scheduler");
  sched::GetPostRequest gp;
  gp.set_workspace_id(kWorkspace);
  gp.set_post_id(ids[0]);
  sched::Post post;
  EXPECT_TRUE(Eventually([&] {
    return scheduler->GetPost(Ctx().get(), gp, &post).ok() && post.state() == sched::POST_STATE_FAILED;
  }));
  EXPECT_EQ(LedgerCounts()["to a revoked account"], 0);
}

TEST_F(FaultMatrix, BadInputToThePublisherApiNamesTheField) {
  auto publisher = Stub<pub::PublisherService>("publisher");
  pub::GetQuotaStatusRequest q;
  pub::QuotaStatus qs;
  auto s = publisher->GetQuotaStatus(Ctx().get(), q, &qs);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("workspace_id"), std::string::npos);
  EXPECT_NE(s.error_message().find("channel_id"), std::string::npos);
  pub::ConnectChannelRequest c;
  c.set_workspace_id(kWorkspace);
  c.set_network(Network::NETWORK_BLUESKY);
  c.set_base_url(p_->simulator_url());
  c.set_access_token("e2e-token");
  pub::Channel ch;
  s = publisher->ConnectChannel(Ctx().get(), c, &ch);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("identifier"), std::string::npos);
  c.set_identifier("brand.bsky.social");
  c.set_access_token("not-the-password");
  s = publisher->ConnectChannel(Ctx().get(), c, &ch);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("access_token"), std::string::npos);
  pub::ValidateContentRequest v;
  v.set_workspace_id(kWorkspace);
  pub::ValidateContentResponse vr;
  s = publisher->ValidateContent(Ctx().get(), v, &vr);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("channel_id"), std::string::npos);
  pub::ListChannelsRequest l;
  pub::ListChannelsResponse lr;
  ASSERT_TRUE(publisher->ListChannels(Ctx().get(), [] {
    pub::ListChannelsRequest r;
    r.set_workspace_id(kWorkspace);
    return r;
  }(), &lr).ok());
  EXPECT_EQ(lr.channels_size(), 0);  // nothing was stored by the refused calls
}

// Two publishers in one consumer group, two X accounts drawing on one app-wide
// quota of 60 a minute, against a network that allows the app 60 a minute in
// all (--rate-scope=app). Each replica alone would allow 60: had they not
// shared the budget, together they would have sent up to 120 and drawn 429s.
class SharedQuota : public PlatformTest {
 protected:
  void SetUp() override {
    PlatformOptions o;
    o.publisher_replicas = 2;
    o.publisher_args = {"--networks-file=" + NetworksFile(60, "app")};
    o.simulator_args = {"--rate-limit=60", "--rate-window-s=60", "--rate-scope=app"};
    // Ten accounts: their channels spread over both replicas' partitions (all
    // ten on one replica's half has odds of 1 in 500).
    o.simulator_accounts = "a0:acct0,a1:acct1,a2:acct2,a3:acct3,a4:acct4,a5:acct5,a6:acct6,a7:acct7,a8:acct8,a9:acct9";
    p_ = std::make_unique<Platform>(o);
  }
};

TEST_F(SharedQuota, TwoPublishersNeverDrawA429) {
  std::vector<std::string> channels;
  for (int a = 0; a < 10; ++a) channels.push_back(Connect(Network::NETWORK_X, "a" + std::to_string(a)).id());
  std::vector<std::string> texts;
  for (int i = 0; i < 120; ++i) texts.push_back("shared quota #" + std::to_string(i));
  auto ids = CreatePosts(texts, channels);
  auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(30));
  auto stats = HttpJson("GET", p_->simulator_url() + "/_sim/stats");
  double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(stats.value("rate_limited", -1), 0) << stats.dump();

  double allowed = 2 + elapsed_s / (60.0 / 58);  // a burst of 2, then one every 60 s / 58
  int accepted = stats.value("accepted", 0);
  EXPECT_LE(accepted, allowed + 1);
  // Both replicas decided, and every post the network accepted was allowed
  // by exactly one decision of the shared budget.
  for (const char* replica : {"publisher", "publisher2"}) {
    double decisions = Metric(replica, "herald_publisher_ratelimit_decisions_total{decision=\"allowed\",network=\"x\"}") +
                       Metric(replica, "herald_publisher_ratelimit_decisions_total{decision=\"deferred\",network=\"x\"}");
    EXPECT_GT(decisions, 0) << replica << " made no quota decision: the budget was not shared by two";
  }
  double allowed_decisions = 0;
  for (const char* replica : {"publisher", "publisher2"}) {
    allowed_decisions += Metric(replica, "herald_publisher_ratelimit_decisions_total{decision=\"allowed\",network=\"x\"}");
  }
  EXPECT_EQ(allowed_decisions, accepted);
  auto publisher = Stub<pub::PublisherService>("publisher");
  pub::GetQuotaStatusRequest q;
  q.set_workspace_id(kWorkspace);
  q.set_channel_id(channels[0]);
  pub::QuotaStatus qs;
  ASSERT_TRUE(publisher->GetQuotaStatus(Ctx().get(), q, &qs).ok());
  ASSERT_EQ(qs.windows_size(), 1);
  EXPECT_EQ(qs.windows(0).limit(), 60);
  EXPECT_EQ(qs.rules_version(), "e2e");
  EXPECT_GE(accepted, 2);  // at least the burst went out
}

}  // namespace
}  // namespace herald
