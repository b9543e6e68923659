// Tracked links over real TCP: the campaign service's redirect endpoint
// answers 302 with the campaign's UTM parameters and a click id, records
// every click on link.clicks (bots and repeats flagged, no raw address), a
// post in a campaign goes out with its short link, and what a SIGKILL and a
// SIGTERM during a click burst can lose is what docs/campaigns.md says.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <iostream>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/http_client.h"
#include "common/kafka.h"
#include "common/redis.h"
#include "common/time_util.h"
#include "herald/analytics/v1/analytics.grpc.pb.h"
#include "herald/campaign/v1/campaign.grpc.pb.h"
#include "herald/campaign/v1/links.grpc.pb.h"
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
using herald::testing::HttpJson;
using herald::testing::NowMs;
using herald::testing::Platform;
namespace sched = herald::scheduler::v1;
namespace pub = herald::publisher::v1;
namespace cmp = herald::campaign::v1;
using herald::events::v1::LinkClick;

class Links : public herald::testing::SuitePlatform<Links> {
 protected:

  cmp::Campaign NewCampaign(const std::string& ws) {
    cmp::CreateCampaignRequest cc;
    cc.set_workspace_id(ws);
    cc.set_name("Links " + ws);
    cc.set_objective(cmp::OBJECTIVE_TRAFFIC);
    cc.set_activate(true);
    cc.mutable_utm()->set_source("herald");
    cc.mutable_utm()->set_medium("social");
    cmp::Campaign c;
    auto s = Stub<cmp::CampaignService>("campaign")->CreateCampaign(Ctx().get(), cc, &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return c;
  }

  cmp::TrackedLink NewLink(const cmp::Campaign& c, const std::string& url) {
    cmp::CreateLinkRequest r;
    r.set_workspace_id(c.workspace_id());
    r.set_campaign_id(c.id());
    r.set_destination_url(url);
    cmp::TrackedLink link;
    auto s = Stub<cmp::LinkService>("campaign")->CreateLink(Ctx().get(), r, &link);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return link;
  }

  absl::StatusOr<HttpResponse> Click(const std::string& url, const std::string& user_agent = "Mozilla/5.0 (X11; Linux)",
                                     const std::string& method = "GET") {
    HttpRequest req;
    req.method = method;
    req.url = url;
    req.headers = {{"User-Agent", user_agent}, {"Referer", "https://social.example/@brand/42"}};
    req.timeout = std::chrono::milliseconds(3000);
    req.connect_timeout = std::chrono::milliseconds(500);
    return SendHttp(req);
  }

  // Every click recorded on link.clicks for `code`, by click id (read from
  // the start with a fresh consumer group until `want` arrived or 20 s passed).
  std::map<std::string, LinkClick> Recorded(const std::string& code, size_t want) {
    ConsumerOptions o;
    o.kafka.brokers = p().brokers();
    o.group_id = "links-test-" + std::to_string(NowMs());
    o.topics = {std::string(topics_link_clicks)};
    KafkaConsumer consumer(o);
    std::map<std::string, LinkClick> out;
    size_t seen = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline && out.size() < want) {
      for (const auto& m : consumer.PollBatch(1000, std::chrono::milliseconds(500))) {
        LinkClick c;
        if (!c.ParseFromString(m.value) || c.code() != code) continue;
        ++seen;
        out[c.click_id()] = c;
      }
    }
    duplicates_ = seen - out.size();
    consumer.Close();
    return out;
  }

  static std::string ClickIdOf(const std::string& location) {
    auto at = location.find("hclid=");
    return at == std::string::npos ? "" : location.substr(at + 6, location.find_first_of("&#", at) - at - 6);
  }

  static constexpr const char* topics_link_clicks = "link.clicks";
  size_t duplicates_ = 0;
};

TEST_F(Links, RedirectsCarryTheUtmAndAClickIdAndEveryClickIsRecorded) {
  cmp::Campaign campaign = NewCampaign("links-basic");
  cmp::TrackedLink link = NewLink(campaign, "https://shop.example.com/winter?ref=7#sizes");
  ASSERT_EQ(link.short_url(), p().campaign_url() + "/l/" + link.code());
  EXPECT_EQ(link.target_url(),
            "https://shop.example.com/winter?ref=7&utm_source=herald&utm_medium=social&utm_campaign=Links%20links-basic"
            "#sizes");

  auto human = Click(link.short_url());
  ASSERT_TRUE(human.ok()) << human.status() << p().Logs();
  EXPECT_EQ(human->status, 302);
  std::string location = human->Header("location");
  EXPECT_EQ(location.rfind("https://shop.example.com/winter?ref=7&utm_source=herald", 0), 0u) << location;
  EXPECT_NE(location.find("&hclid=k_"), std::string::npos) << location;
  EXPECT_EQ(location.substr(location.size() - 6), "#sizes");
  EXPECT_EQ(human->Header("cache-control"), "no-store");
  auto again = Click(link.short_url());  // the same client: a repeat
  auto preview = Click(link.short_url(), "facebookexternalhit/1.1");
  auto head = Click(link.short_url(), "Mozilla/5.0 (iPhone; Mobile)", "HEAD");
  for (auto* r : {&again, &preview, &head}) {
    ASSERT_TRUE(r->ok());
    EXPECT_EQ((*r)->status, 302);
  }
  EXPECT_EQ(Click(p().campaign_url() + "/l/ZZZZZZZZ")->status, 404);
  EXPECT_EQ(Click(p().campaign_url() + "/l/..%2F..%2Fetc")->status, 404);
  EXPECT_EQ(Click(p().campaign_url() + "/l/")->status, 404);

  auto clicks = Recorded(link.code(), 4);
  ASSERT_EQ(clicks.size(), 4u) << p().Logs();
  EXPECT_EQ(duplicates_, 0u);
  const LinkClick& first = clicks.at(ClickIdOf(location));
  EXPECT_FALSE(first.bot());
  EXPECT_FALSE(first.repeated());
  EXPECT_EQ(first.campaign_id(), campaign.id());
  EXPECT_EQ(first.user_agent_class(), "desktop");
  EXPECT_EQ(first.referrer(), "https://social.example");
  EXPECT_EQ(first.ip_hash().size(), 16u);
  EXPECT_EQ(first.meta().workspace_id(), "links-basic");
  EXPECT_TRUE(clicks.at(ClickIdOf(again->Header("location"))).repeated());
  const LinkClick& bot = clicks.at(ClickIdOf(preview->Header("location")));
  EXPECT_TRUE(bot.bot());
  EXPECT_EQ(bot.user_agent_class(), "bot");
  EXPECT_EQ(clicks.at(ClickIdOf(head->Header("location"))).user_agent_class(), "mobile");
  for (const auto& [id, c] : clicks) EXPECT_EQ(c.SerializeAsString().find("127.0.0.1"), std::string::npos);
  // Each click is kept under its id for the conversions that will name it.
  RedisOptions ro;
  ro.port = p().redis_port();
  ro.pool_size = 1;
  RedisClient redis(ro);
  auto kept = redis.Command({"GET", "lnk:k:{" + ClickIdOf(location) + "}"});
  ASSERT_TRUE(kept.ok() && !kept->is_nil());
  LinkClick kept_click;
  ASSERT_TRUE(kept_click.ParseFromString(kept->str));
  EXPECT_EQ(kept_click.campaign_id(), campaign.id());
  EXPECT_EQ(kept_click.code(), link.code());

  // Analytics counts them for the campaign: three by a person (one client,
  // so one unique), one by a link preview — once each, however redelivered.
  auto analytics = herald::analytics::v1::AnalyticsService::NewStub(
      grpc::CreateChannel(p().Grpc("analytics"), grpc::InsecureChannelCredentials()));
  herald::analytics::v1::GetCampaignStatsRequest sr;
  sr.set_workspace_id("links-basic");
  sr.set_campaign_id(campaign.id());
  herald::analytics::v1::CampaignStats stats;
  ASSERT_TRUE(Eventually([&] {
    return analytics->GetCampaignStats(Ctx().get(), sr, &stats).ok() && stats.clicks() + stats.bot_clicks() >= 4;
  })) << stats.DebugString() << p().Logs();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  ASSERT_TRUE(analytics->GetCampaignStats(Ctx().get(), sr, &stats).ok());
  EXPECT_EQ(stats.clicks(), 3);
  EXPECT_EQ(stats.unique_clicks(), 1);
  EXPECT_EQ(stats.bot_clicks(), 1);
  // And in reports, by campaign.
  herald::analytics::v1::GetReportRequest rr;
  rr.set_workspace_id("links-basic");
  *rr.mutable_from() = FromMs(NowMs() - 3600000);
  *rr.mutable_to() = FromMs(NowMs() + 60000);
  rr.set_time_zone("UTC");
  rr.set_granularity(herald::analytics::v1::GRANULARITY_TOTAL);
  rr.set_group_by(herald::analytics::v1::GROUP_BY_CAMPAIGN);
  rr.add_figures(herald::analytics::v1::FIGURE_CLICKS);
  rr.add_figures(herald::analytics::v1::FIGURE_UNIQUE_CLICKS);
  herald::analytics::v1::Report report;
  auto rs = analytics->GetReport(Ctx().get(), rr, &report);
  ASSERT_TRUE(rs.ok()) << rs.error_message();
  ASSERT_EQ(report.groups_size(), 1) << report.DebugString();
  EXPECT_EQ(report.groups(0).group_id(), campaign.id());
  EXPECT_EQ(report.groups(0).figures(0).total().value(), 3);
  EXPECT_EQ(report.groups(0).figures(1).total().value(), 1);

  // Bad input names its field and makes nothing.
  cmp::CreateLinkRequest bad;
  bad.set_workspace_id("links-basic");
  bad.set_campaign_id(campaign.id());
  bad.set_destination_url("javascript:alert(1)");
  cmp::TrackedLink none;
  auto s = Stub<cmp::LinkService>("campaign")->CreateLink(Ctx().get(), bad, &none);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("destination_url"), std::string::npos) << s.error_message();
  cmp::ListLinksRequest list;
  list.set_workspace_id("links-basic");
  list.set_campaign_id(campaign.id());
  cmp::ListLinksResponse listed;
  ASSERT_TRUE(Stub<cmp::LinkService>("campaign")->ListLinks(Ctx().get(), list, &listed).ok());
  EXPECT_EQ(listed.links_size(), 1);
}

TEST_F(Links, APostInACampaignGoesOutWithItsTrackedShortLink) {
  const std::string ws = "links-posts";
  pub::ConnectChannelRequest conn;
  conn.set_workspace_id(ws);
  conn.set_network(herald::common::v1::NETWORK_MASTODON);
  conn.set_base_url(p().simulator_url());
  conn.set_access_token("e2e-token");
  pub::Channel channel;
  ASSERT_TRUE(Stub<pub::PublisherService>("publisher")->ConnectChannel(Ctx().get(), conn, &channel).ok());
  cmp::Campaign campaign = NewCampaign(ws);
  auto scheduler = Stub<sched::SchedulerService>("scheduler");
  sched::CreatePostRequest r;
  r.set_workspace_id(ws);
  r.set_text("New season, new styles: https://shop.example.com/new");
  r.set_link("https://shop.example.com/new");
  r.add_channel_ids(channel.id());
  r.set_campaign_id(campaign.id());
  *r.mutable_publish_at() = FromMs(NowMs() + 1500);
  sched::Post post;
  ASSERT_TRUE(scheduler->CreatePost(Ctx().get(), r, &post).ok()) << p().Logs();
  ASSERT_EQ(post.targets_size(), 1);
  std::string short_link = post.targets(0).tracked_link();
  ASSERT_EQ(short_link.rfind(p().campaign_url() + "/l/", 0), 0u) << post.DebugString();

  // Attached later, a scheduled post's link is swapped too.
  sched::CreatePostRequest later = r;
  later.clear_campaign_id();
  later.set_text("Last call");
  *later.mutable_publish_at() = FromMs(NowMs() + 3600000);
  sched::Post loose;
  ASSERT_TRUE(scheduler->CreatePost(Ctx().get(), later, &loose).ok());
  EXPECT_TRUE(loose.targets(0).tracked_link().empty());
  cmp::AttachPostRequest attach;
  attach.set_workspace_id(ws);
  attach.set_campaign_id(campaign.id());
  attach.set_post_id(loose.id());
  cmp::Campaign out;
  ASSERT_TRUE(Stub<cmp::CampaignService>("campaign")->AttachPost(Ctx().get(), attach, &out).ok());
  sched::GetPostRequest g;
  g.set_workspace_id(ws);
  g.set_post_id(loose.id());
  ASSERT_TRUE(scheduler->GetPost(Ctx().get(), g, &loose).ok());
  EXPECT_EQ(loose.targets(0).tracked_link().rfind(p().campaign_url() + "/l/", 0), 0u) << loose.DebugString();

  // Its link edited: a new short link for the new destination.
  sched::UpdatePostRequest edit;
  edit.set_workspace_id(ws);
  edit.set_post_id(loose.id());
  edit.set_link("https://shop.example.com/last-call");
  sched::Post edited;
  ASSERT_TRUE(scheduler->UpdatePost(Ctx().get(), edit, &edited).ok());
  std::string relinked = edited.targets(0).tracked_link();
  ASSERT_NE(relinked, loose.targets(0).tracked_link());
  auto to = Click(relinked);
  ASSERT_TRUE(to.ok());
  EXPECT_EQ(to->Header("location").rfind("https://shop.example.com/last-call?utm_source=herald", 0), 0u);

  // What the network received: the short link where the link was.
  nlohmann::json ledger;
  ASSERT_TRUE(Eventually([&] {
    ledger = HttpJson("GET", p().simulator_url() + "/_sim/ledger");
    for (const auto& e : ledger) {
      if (e.value("text", "").rfind("New season", 0) == 0) return true;
    }
    return false;
  })) << p().Logs();
  for (const auto& e : ledger) {
    if (e.value("text", "").rfind("New season", 0) != 0) continue;
    EXPECT_EQ(e["text"], "New season, new styles: " + short_link);
  }
  // And the short link leads to the shop with the campaign's parameters.
  auto hop = Click(short_link);
  ASSERT_TRUE(hop.ok());
  EXPECT_EQ(hop->Header("location").rfind("https://shop.example.com/new?utm_source=herald", 0), 0u);
}

// One client's clicks are checked in the order they came, however busy the
// capture threads: of a quick run of clicks, the first and only the first is
// not a repeat.
TEST_F(Links, AClientsFirstClickIsNeverTakenForARepeat) {
  cmp::Campaign campaign = NewCampaign("links-order");
  cmp::TrackedLink link = NewLink(campaign, "https://shop.example.com/order");
  // Every test client is 127.0.0.1: one client, clicking twelve times in a row.
  std::vector<std::string> answered;
  for (int i = 0; i < 12; ++i) {
    auto r = Click(link.short_url());
    ASSERT_TRUE(r.ok() && r->status == 302);
    answered.push_back(ClickIdOf(r->Header("location")));
  }
  auto clicks = Recorded(link.code(), answered.size());
  ASSERT_EQ(clicks.size(), answered.size()) << p().Logs();
  EXPECT_FALSE(clicks.at(answered[0]).repeated());
  for (size_t i = 1; i < answered.size(); ++i) EXPECT_TRUE(clicks.at(answered[i]).repeated()) << i;
}

TEST_F(Links, ASigkillLosesOnlyUnacknowledgedClicksAndASigtermLosesNone) {
  cmp::Campaign campaign = NewCampaign("links-kill");
  cmp::TrackedLink link = NewLink(campaign, "https://shop.example.com/burst");
  // A burst of clicks from one client; `stop_at` signals the campaign
  // service mid-burst. Returns the click ids of the redirects answered.
  auto burst = [&](int clicks, int signal_after, const std::function<void()>& signal) {
    std::set<std::string> answered;
    for (int i = 0; i < clicks; ++i) {
      if (i == signal_after) signal();
      auto r = Click(link.short_url());
      if (r.ok() && r->status == 302) answered.insert(ClickIdOf(r->Header("location")));
    }
    return answered;
  };
  auto back_up = [&] {
    p().Restart("campaign");
    ASSERT_TRUE(Eventually([&] { auto r = Click(link.short_url(), "curl/8 (readiness)"); return r.ok() && r->status == 302; },
                           std::chrono::seconds(30)));
  };

  // A producer that has just started is still connecting: warm it first, so
  // the burst sees steady state.
  std::set<std::string> warmed;
  auto warm = [&] {
    auto w = burst(20, -1, [] {});
    warmed.insert(w.begin(), w.end());
    std::this_thread::sleep_for(std::chrono::seconds(1));
  };
  // SIGKILL mid-burst: what was answered but not yet acknowledged by the
  // broker is lost; nothing is recorded twice, nothing unanswered appears.
  warm();
  std::set<std::string> killed = burst(300, 150, [&] { p().process("campaign").Kill(); });
  back_up();
  warm();
  std::set<std::string> after_kill = burst(100, -1, [] {});
  // SIGTERM mid-burst: the service stops taking connections, finishes what
  // it holds and flushes the producer — every answered click is recorded.
  std::set<std::string> termed = burst(300, 150, [&] { p().process("campaign").Signal(SIGTERM); });
  ASSERT_TRUE(Eventually([&] { return !p().process("campaign").running(); }, std::chrono::seconds(30)));
  back_up();

  size_t answered = killed.size() + after_kill.size() + termed.size();
  auto recorded = Recorded(link.code(), answered + 2 + 40);  // + the readiness and warming clicks
  EXPECT_EQ(duplicates_, 0u);
  size_t lost_to_kill = 0;
  for (const auto& id : killed) lost_to_kill += recorded.count(id) == 0;
  size_t after_kill_recorded = 0;
  for (const auto& id : after_kill) after_kill_recorded += recorded.count(id);
  ASSERT_EQ(after_kill_recorded, after_kill.size()) << "recorded " << recorded.size() << " of " << answered << "\n"
                                                    << p().process("campaign").LogTail(30000);
  for (const auto& id : termed) EXPECT_EQ(recorded.count(id), 1u) << "lost to SIGTERM: " << id;
  std::set<std::string> all(killed);
  all.insert(warmed.begin(), warmed.end());
  all.insert(after_kill.begin(), after_kill.end());
  all.insert(termed.begin(), termed.end());
  size_t phantom = 0;
  for (const auto& [id, c] : recorded) phantom += all.count(id) == 0 && c.user_agent_class() != "bot";
  // At most the one request in flight when SIGKILL landed may be recorded
  // without its answer reaching the client (the click did happen).
  EXPECT_LE(phantom, 1u);
  EXPECT_GE(killed.size(), 150u);
  EXPECT_GE(termed.size(), 150u);
  RecordProperty("answered_before_sigkill", static_cast<int>(killed.size()));
  RecordProperty("lost_to_sigkill", static_cast<int>(lost_to_kill));
  std::cout << "SIGKILL burst: " << killed.size() << " answered, " << lost_to_kill << " lost; SIGTERM burst: "
            << termed.size() << " answered, 0 lost\n";
}

}  // namespace
}  // namespace herald
