#pragma once
// A test that runs the whole platform (Platform) and talks to it like a user:
// gRPC stubs, channels connected to the simulator, posts created and awaited,
// the simulator's ledger and the services' metrics read.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <cctype>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "e2e_util.h"
#include "herald/publisher/v1/publisher.grpc.pb.h"
#include "herald/scheduler/v1/scheduler.grpc.pb.h"
#include "platform.h"

namespace herald::testing {

namespace sched = herald::scheduler::v1;
namespace pub = herald::publisher::v1;
using herald::common::v1::Network;
using nlohmann::json;

class PlatformTest : public ::testing::Test {
 protected:
  template <class Service>
  std::unique_ptr<typename Service::Stub> Stub(const std::string& name) {
    return Service::NewStub(grpc::CreateChannel(p_->Grpc(name), grpc::InsecureChannelCredentials()));
  }
  pub::Channel Connect(Network network, const std::string& token) {
    pub::ConnectChannelRequest req;
    req.set_workspace_id(workspace_);
    req.set_network(network);
    req.set_base_url(p_->simulator_url());
    req.set_access_token(token);
    pub::Channel ch;
    auto s = Stub<pub::PublisherService>("publisher")->ConnectChannel(Ctx().get(), req, &ch);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return ch;
  }
  // Creates one post per text (publish now) on the given channels, round robin.
  std::vector<std::string> CreatePosts(const std::vector<std::string>& texts, const std::vector<std::string>& channels) {
    auto scheduler = Stub<sched::SchedulerService>("scheduler");
    std::vector<std::string> ids;
    for (size_t i = 0; i < texts.size(); ++i) {
      sched::CreatePostRequest r;
      r.set_workspace_id(workspace_);
      std::string request_id = texts[i];
      for (char& c : request_id) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
      r.set_request_id(request_id);
      r.set_text(texts[i]);
      r.add_channel_ids(channels[i % channels.size()]);
      r.set_publish_now(true);
      sched::Post post;
      auto s = scheduler->CreatePost(Ctx().get(), r, &post);
      EXPECT_TRUE(s.ok()) << s.error_message();
      ids.push_back(post.id());
    }
    return ids;
  }
  // Waits until every post is PUBLISHED; returns how many are.
  size_t WaitPublished(const std::vector<std::string>& ids, std::chrono::seconds timeout) {
    auto scheduler = Stub<sched::SchedulerService>("scheduler");
    std::set<std::string> pending(ids.begin(), ids.end());
    Eventually(
        [&] {
          for (auto it = pending.begin(); it != pending.end();) {
            sched::GetPostRequest g;
            g.set_workspace_id(workspace_);
            g.set_post_id(*it);
            sched::Post post;
            bool done = scheduler->GetPost(Ctx().get(), g, &post).ok() && post.state() == sched::POST_STATE_PUBLISHED;
            it = done ? pending.erase(it) : std::next(it);
          }
          return pending.empty();
        },
        timeout);
    return ids.size() - pending.size();
  }
  std::map<std::string, int> LedgerCounts() {
    std::map<std::string, int> counts;
    for (const auto& e : HttpJson("GET", p_->simulator_url() + "/_sim/ledger")) counts[e.value("text", "")]++;
    return counts;
  }
  void SetFaults(const json& plan) {
    auto r = HttpJson("POST", p_->simulator_url() + "/_sim/faults", plan.dump());
    ASSERT_TRUE(r.is_object() && !r.contains("error")) << plan.dump() << " → " << r.dump();
  }
  // Faults the simulator has fired since it started, by kind (error, reset,
  // timeout, close).
  json Fired() {
    auto r = HttpJson("GET", p_->simulator_url() + "/_sim/faults");
    EXPECT_TRUE(r.is_object() && r.contains("fired")) << r.dump();
    return r.is_object() ? r.value("fired", json::object()) : json::object();
  }
  static inline const json kNoFaults = {
      {"latency_ms", 0}, {"error_rate", 0}, {"reset_rate", 0}, {"timeout_rate", 0}, {"close_rate", 0}};
  double Metric(const std::string& service, const std::string& series) {
    return MetricValue(p_->ports().at(service).metrics, series);
  }

  std::unique_ptr<Platform> p_;
  // Every request names this workspace.
  std::string workspace_ = "faults";
};


}  // namespace herald::testing
