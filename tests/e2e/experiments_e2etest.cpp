// An A/B test end to end: the experiment schedules each variant's posts on
// its cells (the holdout's get none), no winner is named before the minimum
// sample, clicks on each variant's tracked links and the sales they bring
// decide it, and concluding it cancels the loser's posts still to go out and
// announces experiment.concluded once.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <thread>

#include "common/http_client.h"
#include "common/kafka.h"
#include "common/time_util.h"
#include "herald/campaign/v1/campaign.grpc.pb.h"
#include "herald/campaign/v1/conversions.grpc.pb.h"
#include "herald/campaign/v1/experiments.grpc.pb.h"
#include "herald/campaign/v1/recommendations.grpc.pb.h"
#include "herald/events/v1/events.pb.h"
#include "herald/publisher/v1/publisher.grpc.pb.h"
#include "herald/scheduler/v1/scheduler.grpc.pb.h"
#include "e2e_util.h"
#include "platform.h"
#include "suite_platform.h"

namespace herald {
namespace {

using herald::testing::Ctx;
using herald::testing::Eventually;
using herald::testing::NowMs;
namespace cmp = herald::campaign::v1;
namespace ev = herald::events::v1;
namespace pub = herald::publisher::v1;
namespace sched = herald::scheduler::v1;

constexpr const char* kWs = "exp-e2e";

class Experiments : public herald::testing::SuitePlatform<Experiments> {
 protected:
  // A click through a short link: the click id the redirect appended.
  std::string ClickThrough(const std::string& short_url, int n) {
    HttpRequest get;
    get.url = short_url;
    get.headers = {{"User-Agent", "Mozilla/5.0 (X11; Linux) client-" + std::to_string(n)}};
    auto r = SendHttp(get);
    EXPECT_TRUE(r.ok() && r->status == 302) << short_url;
    if (!r.ok()) return "";
    const std::string location = r->Header("location");
    return location.substr(location.find("hclid=") + 6, 26);
  }
};

TEST_F(Experiments, AWinnerOnlyAfterTheMinimumSampleThenTheLosersPostsAreCancelledAndItIsAnnouncedOnce) {
  pub::ConnectChannelRequest connect;
  connect.set_workspace_id(kWs);
  connect.set_network(herald::common::v1::NETWORK_MASTODON);
  connect.set_base_url(p().simulator_url());
  connect.set_access_token("e2e-token");
  pub::Channel channel;
  ASSERT_TRUE(Stub<pub::PublisherService>("publisher")->ConnectChannel(Ctx().get(), connect, &channel).ok()) << p().Logs();

  cmp::CreateCampaignRequest cc;
  cc.set_workspace_id(kWs);
  cc.set_name("Headlines");
  cc.set_objective(cmp::OBJECTIVE_CONVERSIONS);
  cc.set_activate(true);
  cc.set_allow_cancel_losers(true);
  cmp::Campaign campaign;
  ASSERT_TRUE(Stub<cmp::CampaignService>("campaign")->CreateCampaign(Ctx().get(), cc, &campaign).ok());

  auto experiments = Stub<cmp::ExperimentService>("campaign");
  cmp::CreateExperimentRequest ce;
  ce.set_workspace_id(kWs);
  ce.set_campaign_id(campaign.id());
  ce.set_name("discount or free shipping");
  ce.set_request_id("headline-test-1");
  for (const char* name : {"A", "B"}) {
    auto* v = ce.add_variants();
    v->set_name(name);
    v->set_text(std::string("Our winter offer ") + name);
    v->set_link(std::string("https://shop.example.com/winter-") + name);
  }
  ce.set_holdout_weight(0.5);
  for (int i = 1; i <= 5; ++i) *ce.add_slots() = FromMs(NowMs() + i * 3600 * 1000);  // all still to go out
  ce.add_channel_ids(channel.id());
  ce.set_metric(cmp::EXPERIMENT_METRIC_CONVERSION_RATE);
  ce.set_baseline_rate(0.1);
  ce.set_minimum_detectable_effect(0.5);  // 14 clicks an arm
  cmp::Experiment e;
  auto made = experiments->CreateExperiment(Ctx().get(), ce, &e);
  ASSERT_TRUE(made.ok()) << made.error_message() << p().process("campaign").LogTail(4000);
  EXPECT_EQ(e.status(), "running");
  ASSERT_EQ(e.cells_size(), 5);
  std::map<std::string, std::vector<std::string>> posts;  // arm → post ids
  for (const auto& cell : e.cells()) {
    if (cell.arm() == "holdout") {
      EXPECT_TRUE(cell.post_id().empty());
    } else {
      EXPECT_FALSE(cell.post_id().empty());
    }
    posts[cell.arm()].push_back(cell.post_id());
  }
  EXPECT_EQ(posts["A"].size(), 2u);
  EXPECT_EQ(posts["B"].size(), 2u);
  EXPECT_EQ(posts["holdout"].size(), 1u);
  cmp::Experiment retried;  // the same request again: the same experiment, no new posts
  ASSERT_TRUE(experiments->CreateExperiment(Ctx().get(), ce, &retried).ok());
  EXPECT_EQ(retried.id(), e.id());
  EXPECT_EQ(retried.cells(0).post_id(), e.cells(0).post_id());

  // Each variant's post carries its tracked link, with the variant.
  auto scheduler = Stub<sched::SchedulerService>("scheduler");
  std::map<std::string, std::string> link_of;
  for (const char* arm : {"A", "B"}) {
    sched::GetPostRequest gp;
    gp.set_workspace_id(kWs);
    gp.set_post_id(posts[arm][0]);
    sched::Post post;
    ASSERT_TRUE(scheduler->GetPost(Ctx().get(), gp, &post).ok());
    EXPECT_EQ(post.variant(), arm);
    ASSERT_EQ(post.targets_size(), 1);
    link_of[arm] = post.targets(0).tracked_link();
    ASSERT_FALSE(link_of[arm].empty()) << post.DebugString();
  }

  // Not enough yet: no verdict, no comparison, and concluding is refused.
  cmp::GetExperimentRequest ge;
  ge.set_workspace_id(kWs);
  ge.set_experiment_id(e.id());
  ASSERT_TRUE(experiments->GetExperiment(Ctx().get(), ge, &e).ok());
  EXPECT_EQ(e.result().verdict(), "collecting") << e.result().DebugString();
  EXPECT_EQ(e.result().needed_per_arm(), 14);  // 10% → 60%, alpha 0.05, power 0.8 (pooled variance under H0)
  cmp::ConcludeExperimentRequest conclude;
  conclude.set_workspace_id(kWs);
  conclude.set_experiment_id(e.id());
  EXPECT_EQ(experiments->ConcludeExperiment(Ctx().get(), conclude, &e).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  // 20 clicks on each variant; 2 of A's and 14 of B's buy.
  cmp::RecordConversionsRequest rc;
  rc.set_workspace_id(kWs);
  int n = 0;
  std::string last_click;
  for (const auto& [arm, buyers] : std::vector<std::pair<std::string, int>>{{"A", 2}, {"B", 14}}) {
    for (int i = 0; i < 20; ++i, ++n) {
      const std::string click = ClickThrough(link_of[arm], n);
      last_click = click;
      if (i >= buyers) continue;
      auto* in = rc.add_conversions();
      in->set_source("shop");
      in->set_event_id("order-" + arm + "-" + std::to_string(i));
      in->set_stage(ev::CONVERSION_STAGE_SALE);
      in->set_click_id(click);
      in->set_value_micros(30'000'000);
      in->set_currency("EUR");
    }
  }
  // The last click recorded means all were (one client's clicks are recorded in order).
  ASSERT_TRUE(herald::testing::WaitUntilClickKept(p().redis_port(), last_click));
  cmp::RecordConversionsResponse recorded;
  ASSERT_TRUE(Stub<cmp::ConversionService>("campaign")->RecordConversions(Ctx().get(), rc, &recorded).ok());
  for (const auto& r : recorded.results()) EXPECT_EQ(r.conversion().credits_size(), 1) << r.conversion().unattributed();

  ASSERT_TRUE(Eventually([&] {
    return experiments->GetExperiment(Ctx().get(), ge, &e).ok() && e.result().verdict() == "winner";
  })) << e.result().DebugString();
  EXPECT_EQ(e.result().winner(), "B");
  ASSERT_EQ(e.result().variants_size(), 2);
  EXPECT_EQ(e.result().variants(0).exposures(), 20);
  EXPECT_EQ(e.result().variants(0).successes(), 2);
  EXPECT_EQ(e.result().variants(1).successes(), 14);
  EXPECT_GT(e.result().variants(1).ci_low(), 0);  // the lift's interval excludes zero

  // Recommended: stop the loser, with the numbers; applied with one call.
  auto recommendations = Stub<cmp::RecommendationService>("campaign");
  cmp::ListRecommendationsRequest lr;
  lr.set_workspace_id(kWs);
  lr.set_campaign_id(e.campaign_id());
  cmp::ListRecommendationsResponse listed;
  ASSERT_TRUE(recommendations->ListRecommendations(Ctx().get(), lr, &listed).ok());
  const cmp::Recommendation* pause = nullptr;
  for (const auto& r : listed.recommendations()) {
    if (r.kind() == cmp::RECOMMENDATION_KIND_PAUSE_LOSING_VARIANTS) pause = &r;
  }
  ASSERT_NE(pause, nullptr) << listed.DebugString();
  EXPECT_EQ(pause->variant_pause().winner(), "B");
  EXPECT_EQ(pause->variant_pause().pending_posts(), 2);
  EXPECT_NEAR(pause->expected_change(), 0.7 / 0.1 - 1, 1e-9);  // 14 of 20 against 2 of 20
  cmp::ApplyRecommendationRequest apply;
  apply.set_workspace_id(kWs);
  apply.set_campaign_id(e.campaign_id());
  apply.set_recommendation_id(pause->id());
  cmp::AppliedRecommendation applied;
  ASSERT_TRUE(recommendations->ApplyRecommendation(Ctx().get(), apply, &applied).ok());
  EXPECT_FALSE(applied.already_applied());
  EXPECT_NE(applied.result().find("concluded: winner B, 2 losing posts cancelled"), std::string::npos)
      << applied.result();
  ASSERT_TRUE(recommendations->ApplyRecommendation(Ctx().get(), apply, &applied).ok());
  EXPECT_TRUE(applied.already_applied());  // once

  ASSERT_TRUE(experiments->GetExperiment(Ctx().get(), ge, &e).ok());
  EXPECT_EQ(e.status(), "concluded");
  EXPECT_EQ(std::set<std::string>(e.cancelled_post_ids().begin(), e.cancelled_post_ids().end()),
            std::set<std::string>(posts["A"].begin(), posts["A"].end()));
  for (const auto& id : posts["A"]) {
    sched::GetPostRequest gp;
    gp.set_workspace_id(kWs);
    gp.set_post_id(id);
    sched::Post post;
    ASSERT_TRUE(scheduler->GetPost(Ctx().get(), gp, &post).ok());
    EXPECT_EQ(post.state(), sched::POST_STATE_CANCELED);
  }
  sched::GetPostRequest winner_post;
  winner_post.set_workspace_id(kWs);
  winner_post.set_post_id(posts["B"][0]);
  sched::Post still;
  ASSERT_TRUE(scheduler->GetPost(Ctx().get(), winner_post, &still).ok());
  EXPECT_EQ(still.state(), sched::POST_STATE_SCHEDULED);
  cmp::Experiment again;
  ASSERT_TRUE(experiments->ConcludeExperiment(Ctx().get(), conclude, &again).ok());  // once: the same answer
  EXPECT_EQ(ToMs(again.conclude_time()), ToMs(e.conclude_time()));

  // Announced once on campaign.lifecycle (experiment.concluded).
  ConsumerOptions o;
  o.kafka.brokers = p().brokers();
  o.group_id = "exp-e2e-" + std::to_string(NowMs());
  o.topics = {"campaign.lifecycle"};
  KafkaConsumer consumer(o);
  int announced = 0;
  ev::ExperimentConcluded seen;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    for (const auto& m : consumer.PollBatch(500, std::chrono::milliseconds(300))) {
      ev::CampaignEvent event;
      if (!event.ParseFromString(m.value) || event.kind() != ev::CAMPAIGN_EVENT_KIND_EXPERIMENT_CONCLUDED) continue;
      if (event.experiment().experiment_id() != e.id()) continue;
      ++announced;
      seen = event.experiment();
    }
    if (announced > 0 && std::chrono::steady_clock::now() > deadline - std::chrono::seconds(12)) break;
  }
  consumer.Close();
  EXPECT_EQ(announced, 1);
  EXPECT_EQ(seen.winner(), "B");
  EXPECT_EQ(seen.outcome(), "winner");
  EXPECT_EQ(seen.cancelled_post_ids_size(), 2);

  // What the team sees in heraldctl.
  auto ctl = [&](const std::string& args, int want_exit = 0) {
    return herald::testing::Heraldctl(p().operator_key(),
                                      "--campaign-addr " + p().Grpc("campaign") + " --workspace " + kWs + " " + args,
                                      want_exit);
  };
  std::string shown = ctl("get experiment " + e.id());
  EXPECT_NE(shown.find("verdict: winner — winner B"), std::string::npos) << shown;
  EXPECT_NE(shown.find("cancelled: 2 posts"), std::string::npos) << shown;
  EXPECT_NE(ctl("get experiments --campaign " + campaign.id()).find(e.id()), std::string::npos);
  std::string planned = ctl("create experiment --campaign " + campaign.id() +
                            " --name second --variant A='one' --variant B='two' --channel " + channel.id() +
                            " --slots +3h,+4h,+5h,+6h --metric ctr --baseline 0.02 --mde 0.01 --request-id second");
  EXPECT_NE(planned.find("A=2 B=2 cells"), std::string::npos) << planned;
  EXPECT_NE(ctl("create experiment --campaign " + campaign.id() + " --metric clicks", 2).find("--metric"),
            std::string::npos);
}

}  // namespace
}  // namespace herald
