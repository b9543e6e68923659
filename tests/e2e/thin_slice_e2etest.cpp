// The walking skeleton, end to end over real TCP: a channel is connected, a
// post is scheduled and published through scheduler → Kafka → publisher →
// network simulator → Kafka → scheduler; a signed mention enters through the
// listener's webhook; a campaign gets the post; analytics counts all of it
// exactly; Prometheus has scraped every service.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/hmac.h"
#include "common/http_client.h"
#include "common/time_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "herald/analytics/v1/analytics.grpc.pb.h"
#include "herald/campaign/v1/campaign.grpc.pb.h"
#include "herald/listener/v1/listener.grpc.pb.h"
#include "herald/publisher/v1/publisher.grpc.pb.h"
#include "herald/scheduler/v1/scheduler.grpc.pb.h"
#include "e2e_util.h"
#include "platform.h"
#include "suite_platform.h"

namespace herald {
namespace {

using herald::testing::Ctx;
using herald::testing::Eventually;
using herald::testing::HttpJson;
using herald::testing::NowMs;

using herald::testing::Platform;
using nlohmann::json;
namespace sched = herald::scheduler::v1;
namespace pub = herald::publisher::v1;
namespace lst = herald::listener::v1;
namespace cmp = herald::campaign::v1;
namespace an = herald::analytics::v1;

constexpr const char* kWorkspace = "e2e";

class ThinSlice : public herald::testing::SuitePlatform<ThinSlice> {
 protected:

  pub::Channel Connect() {
    pub::ConnectChannelRequest req;
    req.set_workspace_id(kWorkspace);
    req.set_network(herald::common::v1::NETWORK_MASTODON);
    req.set_base_url(p().simulator_url());
    req.set_access_token("e2e-token");
    pub::Channel ch;
    auto s = Stub<pub::PublisherService>("publisher")->ConnectChannel(Ctx().get(), req, &ch);
    EXPECT_TRUE(s.ok()) << s.error_message() << p().Logs();
    return ch;
  }

};

TEST_F(ThinSlice, OnePostThroughAllFiveServices) {
  // 0. Every service answers the standard health check (what Kubernetes probes call).
  for (const auto& [name, ports] : p().ports()) {
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse res;
    auto health = grpc::health::v1::Health::NewStub(grpc::CreateChannel(p().Grpc(name), grpc::InsecureChannelCredentials()));
    ASSERT_TRUE(Eventually([&] { return health->Check(Ctx().get(), req, &res).ok(); }, std::chrono::seconds(20))) << name;
    EXPECT_EQ(res.status(), grpc::health::v1::HealthCheckResponse::SERVING) << name;
  }

  // 1. Connect the simulator's account.
  pub::Channel channel = Connect();
  ASSERT_FALSE(channel.id().empty());
  EXPECT_EQ(channel.handle(), "brand");
  EXPECT_EQ(channel.status(), pub::CHANNEL_STATUS_ACTIVE);

  // 2. A post due in two seconds.
  auto scheduler = Stub<sched::SchedulerService>("scheduler");
  sched::CreatePostRequest create;
  create.set_workspace_id(kWorkspace);
  create.set_request_id("e2e-post-1");
  create.set_text("Hello from the walking skeleton");
  create.add_channel_ids(channel.id());
  *create.mutable_publish_at() = FromMs(NowMs() + 2000);
  sched::Post post;
  ASSERT_TRUE(scheduler->CreatePost(Ctx().get(), create, &post).ok()) << p().Logs();
  EXPECT_EQ(post.state(), sched::POST_STATE_SCHEDULED);
  sched::Post again;  // a retried create returns the same post
  ASSERT_TRUE(scheduler->CreatePost(Ctx().get(), create, &again).ok());
  EXPECT_EQ(again.id(), post.id());

  // 3. Due → Kafka → publisher → simulator → Kafka → scheduler: PUBLISHED.
  sched::GetPostRequest get;
  get.set_workspace_id(kWorkspace);
  get.set_post_id(post.id());
  sched::Post current;
  ASSERT_TRUE(Eventually([&] {
    return scheduler->GetPost(Ctx().get(), get, &current).ok() && current.state() == sched::POST_STATE_PUBLISHED;
  })) << "post state " << sched::PostState_Name(current.state()) << "\n" << p().Logs();
  ASSERT_EQ(current.targets_size(), 1);
  EXPECT_FALSE(current.targets(0).remote_id().empty());
  EXPECT_GE(ToMs(current.update_time()), ToMs(post.publish_at()));
  json ledger = HttpJson("GET", p().simulator_url() + "/_sim/ledger");
  ASSERT_TRUE(ledger.is_array());
  ASSERT_EQ(ledger.size(), 1u) << ledger.dump();  // exactly once
  EXPECT_EQ(ledger[0]["text"], "Hello from the walking skeleton");
  EXPECT_EQ(ledger[0]["id"], current.targets(0).remote_id());

  // 4. A listening rule, then a signed mention through the listener's webhook
  // onto Kafka and into the inbox, scored and matched against the rule.
  auto listener = Stub<lst::ListenerService>("listener");
  lst::CreateRuleRequest rule_req;
  rule_req.set_workspace_id(kWorkspace);
  rule_req.set_name("Brand praise");
  rule_req.set_query("@brand (congrats OR thanks) NOT job");
  rule_req.add_tags("brand");
  rule_req.set_request_id("brand-praise");
  lst::ListeningRule rule, rule_again;
  ASSERT_TRUE(listener->CreateRule(Ctx().get(), rule_req, &rule).ok());
  ASSERT_TRUE(listener->CreateRule(Ctx().get(), rule_req, &rule_again).ok());
  EXPECT_EQ(rule_again.id(), rule.id());  // a retried create finds the first
  rule_req.set_query("@brand AND");
  rule_req.set_request_id("broken");
  lst::ListeningRule refused;
  grpc::Status bad = listener->CreateRule(Ctx().get(), rule_req, &refused);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(bad.error_message().find("query: at 11:"), std::string::npos) << bad.error_message();
  lst::ListRulesRequest list_rules;
  list_rules.set_workspace_id(kWorkspace);
  lst::ListRulesResponse rules;
  ASSERT_TRUE(listener->ListRules(Ctx().get(), list_rules, &rules).ok());
  ASSERT_EQ(rules.rules_size(), 1);  // the refused one stored nothing
  json mention = {{"webhook_url", p().listener_url() + "/v1/webhooks/mastodon/" + kWorkspace + "/" + channel.id()},
                  {"author", "fan"},
                  {"text", "@brand congrats!"},
                  {"id", "777"}};
  json sent = HttpJson("POST", p().simulator_url() + "/_sim/mention", mention.dump());
  ASSERT_EQ(sent.value("webhook_status", 0), 202) << sent.dump() << p().Logs();
  json resent = HttpJson("POST", p().simulator_url() + "/_sim/mention", mention.dump());  // redelivery
  EXPECT_EQ(resent.value("webhook_status", 0), 200) << resent.dump();
  lst::ListInboxRequest inbox_req;
  inbox_req.set_workspace_id(kWorkspace);
  lst::ListInboxResponse inbox;
  ASSERT_TRUE(Stub<lst::ListenerService>("listener")->ListInbox(Ctx().get(), inbox_req, &inbox).ok());
  ASSERT_EQ(inbox.items_size(), 1);
  EXPECT_EQ(inbox.items(0).author_handle(), "fan");
  // Scored on the way in: "congrats!" is positive; the language is the network's tag.
  EXPECT_EQ(inbox.items(0).language(), "en");
  EXPECT_TRUE(inbox.items(0).sentiment().scored());
  EXPECT_GT(inbox.items(0).sentiment().compound(), 0.3) << inbox.items(0).DebugString();
  ASSERT_EQ(inbox.items(0).rule_ids_size(), 1);
  EXPECT_EQ(inbox.items(0).rule_ids(0), rule.id());
  EXPECT_EQ(inbox.items(0).tags(0), "brand");

  // 5. A campaign with the post attached.
  auto campaigns = Stub<cmp::CampaignService>("campaign");
  cmp::CreateCampaignRequest cc;
  cc.set_workspace_id(kWorkspace);
  cc.set_name("Launch");
  cc.set_objective(cmp::OBJECTIVE_AWARENESS);
  cc.mutable_budget()->set_currency("EUR");
  cc.mutable_budget()->set_micros(1'000'000'000);
  cmp::Campaign campaign;
  ASSERT_TRUE(campaigns->CreateCampaign(Ctx().get(), cc, &campaign).ok());
  cmp::AttachPostRequest attach;
  attach.set_workspace_id(kWorkspace);
  attach.set_campaign_id(campaign.id());
  attach.set_post_id(post.id());
  ASSERT_TRUE(campaigns->AttachPost(Ctx().get(), attach, &campaign).ok());
  ASSERT_TRUE(campaigns->AttachPost(Ctx().get(), attach, &campaign).ok());  // idempotent
  ASSERT_EQ(campaign.post_ids_size(), 1);
  EXPECT_EQ(campaign.post_ids(0), post.id());

  // 6. Analytics counts each fact exactly once.
  auto analytics = Stub<an::AnalyticsService>("analytics");
  an::GetChannelStatsRequest chreq;
  chreq.set_workspace_id(kWorkspace);
  chreq.set_channel_id(channel.id());
  an::ChannelStats chstats;
  an::GetWorkspaceStatsRequest wsreq;
  wsreq.set_workspace_id(kWorkspace);
  an::WorkspaceStats wsstats;
  an::GetCampaignStatsRequest cpreq;
  cpreq.set_workspace_id(kWorkspace);
  cpreq.set_campaign_id(campaign.id());
  an::CampaignStats cpstats;
  ASSERT_TRUE(Eventually([&] {
    return analytics->GetChannelStats(Ctx().get(), chreq, &chstats).ok() && chstats.posts_published() >= 1 &&
           analytics->GetWorkspaceStats(Ctx().get(), wsreq, &wsstats).ok() && wsstats.mentions() >= 1 &&
           analytics->GetCampaignStats(Ctx().get(), cpreq, &cpstats).ok() && cpstats.posts() >= 1 &&
           cpstats.posts_published() >= 1;
  })) << chstats.DebugString() << wsstats.DebugString() << cpstats.DebugString() << p().Logs();
  std::this_thread::sleep_for(std::chrono::seconds(2));  // any duplicate would have landed by now
  ASSERT_TRUE(analytics->GetChannelStats(Ctx().get(), chreq, &chstats).ok());
  ASSERT_TRUE(analytics->GetWorkspaceStats(Ctx().get(), wsreq, &wsstats).ok());
  ASSERT_TRUE(analytics->GetCampaignStats(Ctx().get(), cpreq, &cpstats).ok());
  EXPECT_EQ(chstats.posts_published(), 1);
  EXPECT_EQ(chstats.posts_failed(), 0);
  EXPECT_EQ(wsstats.mentions(), 1);
  EXPECT_EQ(wsstats.campaigns(), 1);
  EXPECT_EQ(cpstats.posts(), 1);
  // Attached after it went out, it still counts as published for the campaign.
  EXPECT_EQ(cpstats.posts_published(), 1);

  // 6b. Analytics read the post's metrics through the publisher's gateway
  // (reads at 2 s and 6 s of age here): Mastodon counts likes, boosts and
  // replies, and no impressions, which stay absent rather than zero.
  an::GetPostTimelineRequest tl;
  tl.set_workspace_id(kWorkspace);
  tl.set_post_id(post.id());
  tl.set_time_zone("America/New_York");
  tl.set_hours(2);
  an::PostTimeline timeline;
  ASSERT_TRUE(Eventually([&] {
    timeline.Clear();
    return analytics->GetPostTimeline(Ctx().get(), tl, &timeline).ok() && timeline.post().counts().count("likes") == 1;
  })) << timeline.DebugString() << p().Logs();
  EXPECT_EQ(timeline.post().channel_id(), channel.id());
  EXPECT_EQ(timeline.post().counts().count("reposts"), 1u);
  EXPECT_EQ(timeline.post().counts().count("impressions"), 0u);
  EXPECT_FALSE(timeline.post().has_engagement_rate());
  ASSERT_EQ(timeline.hourly().groups_size(), 1);
  an::GetReportRequest report_req;
  report_req.set_workspace_id(kWorkspace);
  *report_req.mutable_from() = FromMs(NowMs() - 86400000);
  *report_req.mutable_to() = FromMs(NowMs() + 3600000);
  report_req.set_time_zone("Asia/Kolkata");
  report_req.set_granularity(an::GRANULARITY_TOTAL);
  report_req.add_figures(an::FIGURE_POSTS_PUBLISHED);
  report_req.add_figures(an::FIGURE_MENTIONS);
  report_req.add_figures(an::FIGURE_IMPRESSIONS);
  an::Report report;
  ASSERT_TRUE(analytics->GetReport(Ctx().get(), report_req, &report).ok());
  ASSERT_EQ(report.groups_size(), 1);
  EXPECT_EQ(report.groups(0).figures(0).total().value(), 1);
  EXPECT_EQ(report.groups(0).figures(1).total().value(), 1);
  EXPECT_FALSE(report.groups(0).figures(2).total().has_value());
  // Follower growth: the channel's followers are read every 3 s here; the
  // first reading is the baseline, later ones count what the simulated
  // audience gained (one a second).
  an::GetReportRequest growth_req = report_req;
  growth_req.clear_figures();
  growth_req.add_figures(an::FIGURE_FOLLOWER_GROWTH);
  growth_req.set_group_by(an::GROUP_BY_CHANNEL);
  an::Report growth;
  ASSERT_TRUE(Eventually(
      [&] {
        growth.Clear();
        return analytics->GetReport(Ctx().get(), growth_req, &growth).ok() && growth.groups_size() == 1 &&
               growth.groups(0).figures(0).total().value() > 0;
      },
      std::chrono::seconds(30)))
      << growth.DebugString() << p().Logs();
  EXPECT_EQ(growth.groups(0).group_id(), channel.id());
  // The same through heraldctl, as a table by channel, and as CSV.
  auto ctl = [&](const std::string& args) {
    return herald::testing::Heraldctl(p().operator_key(),
                                      "--analytics " + p().Grpc("analytics") + " --workspace " + kWorkspace + " " + args);
  };
  std::string table = ctl("report --from -1d --to +1h --by total --group channel --figures posts_published,likes");
  EXPECT_NE(table.find(channel.id()), std::string::npos) << table;
  EXPECT_NE(table.find("posts_published"), std::string::npos) << table;
  std::string csv = ctl("report export --from -1d --to +1h --by day --zone Asia/Kathmandu --figures mentions");
  EXPECT_EQ(csv.rfind("period_start_local,period_start_utc,group_id,mentions\n", 0), 0u) << csv;
  EXPECT_NE(csv.find("T00:00:00,"), std::string::npos) << csv;  // Kathmandu midnights (18:15 UTC)
  EXPECT_NE(csv.find("T18:15:00Z"), std::string::npos) << csv;

  // 7. The real Prometheus server scraped every service's request counter.
  // (PromQL answers: true once the query returns at least one series.)
  auto has_data = [&](const std::string& query, json& answer) {
    HttpRequest req;
    req.method = "POST";
    req.url = p().prometheus_url() + "/api/v1/query";
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    req.body = "query=" + UrlEncode(query);
    auto res = SendHttp(req);
    if (!res.ok()) return false;
    answer = json::parse(res->body, nullptr, false);
    return answer.is_object() && answer["status"] == "success" && !answer["data"]["result"].empty();
  };
  for (const auto& [name, ports] : p().ports()) {
    std::string query = "grpc_server_handled_total{job=\"herald-" + name + "\"}";
    json result;
    ASSERT_TRUE(Eventually([&] { return has_data(query, result); }, std::chrono::seconds(60)))
        << "no samples for " << query << ": " << result.dump();
  }

  // 8. It loaded the production alerting rules and evaluates them: healthy,
  // and on a platform that is up and dispatching, none of these fire.
  json loaded;
  std::map<std::string, std::pair<std::string, std::string>> seen;  // alert → (health, state)
  ASSERT_TRUE(Eventually(
      [&] {
        HttpRequest req;
        req.url = p().prometheus_url() + "/api/v1/rules";
        auto res = SendHttp(req);
        if (!res.ok()) return false;
        loaded = json::parse(res->body, nullptr, false);
        if (!loaded.is_object() || loaded.value("status", "") != "success") return false;
        seen.clear();
        for (const auto& g : loaded["data"]["groups"]) {
          for (const auto& r : g["rules"]) {
            if (r.value("lastEvaluation", "").rfind("0001-", 0) == 0) continue;  // not evaluated yet
            seen[r.value("name", "")] = {r.value("health", ""), r.value("state", "")};
          }
        }
        for (const char* name : {"HeraldPostsOverdue", "HeraldJobAbsent", "HeraldServiceDown"}) {
          if (!seen.count(name) || seen[name].second != "inactive") return false;  // (pending before the first scrape)
        }
        return true;
      },
      std::chrono::seconds(60)))
      << loaded.dump();
  for (const char* name : {"HeraldPostsOverdue", "HeraldJobAbsent", "HeraldServiceDown"}) {
    EXPECT_EQ(seen[name].first, "ok") << name;
    EXPECT_EQ(seen[name].second, "inactive") << name;
  }

  // 9. No dead panels: every query of the Grafana dashboard returns data from
  // this Prometheus after a post went through (a misspelt or retired metric,
  // or a recording rule that is not loaded, returns nothing). Grafana's
  // variables become what a viewer would pick: every Herald job, a 1m window.
  std::ifstream file(std::string(HERALD_SOURCE_DIR) + "/deploy/grafana/herald-overview.json");
  json dashboard = json::parse(file, nullptr, false);
  ASSERT_TRUE(dashboard.is_object() && dashboard["panels"].is_array());
  int queries = 0;
  for (const auto& panel : dashboard["panels"]) {
    for (const auto& target : panel.value("targets", json::array())) {
      std::string expr = target.value("expr", "");
      expr = std::regex_replace(expr, std::regex("\\$__rate_interval"), "1m");
      expr = std::regex_replace(expr, std::regex("\\$job"), "herald-.+");
      ++queries;
      json answer;
      EXPECT_TRUE(Eventually([&] { return has_data(expr, answer); }, std::chrono::seconds(30)))
          << "dead panel '" << panel.value("title", "") << "': " << expr << " -> " << answer.dump();
    }
  }
  EXPECT_GT(queries, 25);
}

TEST_F(ThinSlice, BadInputGetsInvalidArgumentNamingTheFieldAndStoresNothing) {
  pub::Channel channel = Connect();
  auto scheduler = Stub<sched::SchedulerService>("scheduler");
  auto publisher = Stub<pub::PublisherService>("publisher");
  auto campaigns = Stub<cmp::CampaignService>("campaign");
  auto analytics = Stub<an::AnalyticsService>("analytics");
  auto listener = Stub<lst::ListenerService>("listener");

  auto expect_invalid = [](const grpc::Status& s, const std::string& field) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field << ": " << s.error_message();
    EXPECT_NE(s.error_message().find(field), std::string::npos) << "message does not name " << field << ": "
                                                                << s.error_message();
  };
  sched::ListPostsRequest list;
  list.set_workspace_id("bad-input-ws");
  sched::ListPostsResponse before, after;
  ASSERT_TRUE(scheduler->ListPosts(Ctx().get(), list, &before).ok());

  // CreatePost: each bad field alone.
  auto valid = [&] {
    sched::CreatePostRequest r;
    r.set_workspace_id("bad-input-ws");
    r.set_text("fine");
    r.add_channel_ids(channel.id());
    *r.mutable_publish_at() = FromMs(NowMs() + 60000);
    return r;
  };
  sched::Post out;
  auto r = valid();
  r.set_text("");
  expect_invalid(scheduler->CreatePost(Ctx().get(), r, &out), "text");
  r = valid();
  r.set_text(std::string(70000, 'x'));
  expect_invalid(scheduler->CreatePost(Ctx().get(), r, &out), "text");
  r = valid();
  r.clear_channel_ids();
  expect_invalid(scheduler->CreatePost(Ctx().get(), r, &out), "channel_ids");
  r = valid();
  r.set_channel_ids(0, "ch_does_not_exist");
  expect_invalid(scheduler->CreatePost(Ctx().get(), r, &out), "channel_ids[0]");
  r = valid();
  *r.mutable_publish_at() = FromMs(NowMs() - 3600000);
  expect_invalid(scheduler->CreatePost(Ctx().get(), r, &out), "publish_at");
  r = valid();
  r.set_workspace_id("");
  expect_invalid(scheduler->CreatePost(Ctx().get(), r, &out), "workspace_id");
  sched::GetPostRequest gp;
  gp.set_workspace_id("bad-input-ws");
  gp.set_post_id("bad id!");
  expect_invalid(scheduler->GetPost(Ctx().get(), gp, &out), "post_id");
  ASSERT_TRUE(scheduler->ListPosts(Ctx().get(), list, &after).ok());
  EXPECT_EQ(after.posts_size(), before.posts_size());  // nothing stored

  // ConnectChannel.
  pub::ListChannelsRequest lc;
  lc.set_workspace_id("bad-input-ws");
  pub::ListChannelsResponse channels;
  pub::ConnectChannelRequest conn;
  conn.set_workspace_id("bad-input-ws");
  conn.set_network(herald::common::v1::NETWORK_MASTODON);
  conn.set_base_url(p().simulator_url());
  conn.set_access_token("wrong-token");
  pub::Channel ch;
  expect_invalid(publisher->ConnectChannel(Ctx().get(), conn, &ch), "access_token");
  conn.set_access_token("e2e-token");
  conn.set_base_url("not a url");
  expect_invalid(publisher->ConnectChannel(Ctx().get(), conn, &ch), "base_url");
  conn.set_base_url(p().simulator_url());
  conn.set_network(herald::common::v1::NETWORK_UNSPECIFIED);
  expect_invalid(publisher->ConnectChannel(Ctx().get(), conn, &ch), "network");
  ASSERT_TRUE(publisher->ListChannels(Ctx().get(), lc, &channels).ok());
  EXPECT_EQ(channels.channels_size(), 0);

  // Campaign.
  cmp::CreateCampaignRequest cc;
  cc.set_workspace_id("bad-input-ws");
  cc.set_objective(cmp::OBJECTIVE_TRAFFIC);
  cmp::Campaign campaign;
  expect_invalid(campaigns->CreateCampaign(Ctx().get(), cc, &campaign), "name");
  cc.set_name("ok");
  cc.mutable_budget()->set_currency("euros");
  expect_invalid(campaigns->CreateCampaign(Ctx().get(), cc, &campaign), "budget.currency");
  cc.clear_budget();
  ASSERT_TRUE(campaigns->CreateCampaign(Ctx().get(), cc, &campaign).ok());
  cmp::AttachPostRequest ap;
  ap.set_workspace_id("bad-input-ws");
  ap.set_campaign_id(campaign.id());
  ap.set_post_id("p_unknown");
  expect_invalid(campaigns->AttachPost(Ctx().get(), ap, &campaign), "post_id");
  cmp::GetCampaignRequest gc;
  gc.set_workspace_id("bad-input-ws");
  gc.set_campaign_id(campaign.id());
  ASSERT_TRUE(campaigns->GetCampaign(Ctx().get(), gc, &campaign).ok());
  EXPECT_EQ(campaign.post_ids_size(), 0);

  // Queries.
  an::GetChannelStatsRequest cs;
  cs.set_workspace_id("bad-input-ws");
  an::ChannelStats stats;
  expect_invalid(analytics->GetChannelStats(Ctx().get(), cs, &stats), "channel_id");
  lst::ListInboxRequest li;
  li.set_workspace_id("bad-input-ws");
  li.set_page_size(-1);
  lst::ListInboxResponse inbox;
  expect_invalid(listener->ListInbox(Ctx().get(), li, &inbox), "page_size");

  // Webhooks: a signature that is missing, of the old body-only kind, made for
  // another channel's URL or with another workspace's secret, or outside the
  // five-minute window is 401 and stores nothing.
  HttpRequest hook;
  hook.method = "POST";
  hook.url = p().listener_url() + "/v1/webhooks/mastodon/bad-input-ws/" + channel.id();
  hook.body = R"({"event":"mention.created","object":{"id":"1","account":{"acct":"x"}}})";
  const std::string secret = WorkspaceWebhookSecret(p().webhook_secret(), "bad-input-ws");
  const int64_t now_s = NowMs() / 1000;
  for (const auto& [why, header] : std::vector<std::pair<std::string, std::string>>{
           {"none", ""},
           {"body only", SignatureHeader(secret, hook.body)},
           {"another channel", InboundSignature(secret, now_s, "bad-input-ws", "other-channel", hook.body)},
           {"another workspace's secret",
            InboundSignature(WorkspaceWebhookSecret(p().webhook_secret(), "other-ws"), now_s, "bad-input-ws",
                             channel.id(), hook.body)},
           {"ten minutes old", InboundSignature(secret, now_s - 600, "bad-input-ws", channel.id(), hook.body)},
           {"ten minutes ahead", InboundSignature(secret, now_s + 600, "bad-input-ws", channel.id(), hook.body)}}) {
    hook.headers = {{"X-Herald-Signature", header}};
    auto res = SendHttp(hook);
    ASSERT_TRUE(res.ok());
    EXPECT_EQ(res->status, 401) << why;
  }
  li.set_page_size(10);
  ASSERT_TRUE(listener->ListInbox(Ctx().get(), li, &inbox).ok());
  EXPECT_EQ(inbox.items_size(), 0);
}

// Every metric every service exports, after a post went through them all,
// follows Prometheus's naming rules: snake_case under herald_ (or grpc_, the
// names gRPC dashboards expect from go-grpc-prometheus), counters end in
// _total and nothing else does, histograms and summaries carry their unit
// (_seconds, _bytes), label names are snake_case, and no family has more
// series than a bounded label set can make. prometheus-cpp's own exposer_
// metrics are its names, not ours: only the counter rule applies to them.
// Every service also exports the standard process_* figures and
// herald_build_info, and its gRPC error series exist at zero before any error
// (a series born non-zero hides its first increment from rate()).
TEST_F(ThinSlice, EveryExportedMetricFollowsTheNamingRules) {
  const std::regex name_rule("(herald|grpc|exposer|process)_[a-z0-9_]*[a-z0-9]");
  const std::regex label_rule("[a-z][a-z0-9_]*");
  int families = 0;
  for (const char* service : {"scheduler", "publisher", "listener", "campaign", "analytics"}) {
    SCOPED_TRACE(service);
    HttpRequest req;
    req.url = "http://127.0.0.1:" + std::to_string(p().ports().at(service).metrics) + "/metrics";
    auto res = SendHttp(req);
    ASSERT_TRUE(res.ok() && res->status == 200);
    std::map<std::string, std::string> type_of;
    std::map<std::string, int> series_of;
    std::istringstream lines(res->body);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("# TYPE ", 0) == 0) {
        std::istringstream f(line.substr(7));
        std::string name, type;
        f >> name >> type;
        type_of[name] = type;
        EXPECT_TRUE(std::regex_match(name, name_rule)) << name;
        bool total = name.size() > 6 && name.compare(name.size() - 6, 6, "_total") == 0;
        EXPECT_EQ(total, type == "counter") << name << " is a " << type;
        if ((type == "histogram" || type == "summary") && name.rfind("exposer_", 0) != 0) {
          EXPECT_TRUE(std::regex_search(name, std::regex("_(seconds|bytes)$"))) << name << ": no unit";
        }
        continue;
      }
      if (line.empty() || line[0] == '#') continue;
      std::string series = line.substr(0, line.find_first_of(" {"));
      ++series_of[series];
      auto open = line.find('{');
      if (open == std::string::npos) continue;
      std::string labels = line.substr(open + 1, line.find('}') - open - 1);
      for (size_t at = 0; at < labels.size();) {
        size_t eq = labels.find('=', at);
        std::string label = labels.substr(at, eq - at);
        EXPECT_TRUE(std::regex_match(label, label_rule)) << series << " label " << label;
        size_t close = labels.find('"', labels.find('"', eq) + 1);
        at = labels.find(',', close) == std::string::npos ? labels.size() : labels.find(',', close) + 1;
      }
    }
    for (const auto& [series, n] : series_of) EXPECT_LE(n, 1000) << series << ": unbounded labels?";
    families += static_cast<int>(type_of.size());
    for (const char* standard : {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
                                 "process_start_time_seconds"}) {
      EXPECT_EQ(type_of.count(standard), 1u) << standard;
    }
    EXPECT_NE(res->body.find("herald_build_info{service=\"" + std::string(service) + "\""), std::string::npos);
    // Unavailable and Internal are never answered on a working platform:
    // their series are there, at zero, for every served method.
    std::regex zero_errors("grpc_server_handled_total\\{[^}]*grpc_code=\"(Unavailable|Internal)\"[^}]*\\} 0\n");
    auto n = std::distance(std::sregex_iterator(res->body.begin(), res->body.end(), zero_errors), std::sregex_iterator());
    EXPECT_GE(n, 4) << "error series at zero from the start";
    // Every service probes its Redis: up, and one memory series per master
    // (three when the platform runs on Redis Cluster — the proof it does).
    EXPECT_NE(res->body.find("\nherald_redis_up 1"), std::string::npos);
    std::regex node_memory(R"(\nherald_redis_memory_used_bytes\{node="[^"]+"\} [1-9])");
    auto masters =
        std::distance(std::sregex_iterator(res->body.begin(), res->body.end(), node_memory), std::sregex_iterator());
    EXPECT_EQ(masters, p().redis_cluster() ? 3 : 1);
  }
  EXPECT_GT(families, 20);  // the pages were really read
}

TEST_F(ThinSlice, ServicesShutDownCleanlyOnSigterm) {
  for (const char* name : {"campaign", "analytics", "listener", "scheduler", "publisher"}) {
    EXPECT_EQ(p().process(name).Stop(std::chrono::seconds(20)), 0) << name << "\n" << p().process(name).LogTail();
  }
}

}  // namespace
}  // namespace herald
