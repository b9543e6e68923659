// Conversions and spend over real TCP: a shop posts JSON (or calls gRPC)
// naming the click id a redirect appended; the campaign service attributes,
// stores once per sender event id, and produces; analytics counts each
// conversion exactly once, and spend, for the campaign's ROI. Bad input is
// refused whole (HTTP 400 / INVALID_ARGUMENT naming the field) and stores
// nothing; a SIGKILL and a SIGTERM during an ingest burst lose nothing a
// sender was told was recorded, and count nothing twice.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <iostream>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/http_client.h"
#include "common/kafka.h"
#include "common/time_util.h"
#include "herald/analytics/v1/analytics.grpc.pb.h"
#include "herald/campaign/v1/campaign.grpc.pb.h"
#include "herald/campaign/v1/conversions.grpc.pb.h"
#include "herald/campaign/v1/links.grpc.pb.h"
#include "herald/events/v1/events.pb.h"
#include "e2e_util.h"
#include "platform.h"
#include "suite_platform.h"

namespace herald {
namespace {

using herald::testing::Ctx;
using herald::testing::Eventually;
using herald::testing::NowMs;
using herald::testing::Platform;
using nlohmann::json;
namespace cmp = herald::campaign::v1;
namespace an = herald::analytics::v1;
namespace ev = herald::events::v1;

class Conversions : public herald::testing::SuitePlatform<Conversions> {
 protected:

  cmp::Campaign NewCampaign(const std::string& ws) {
    cmp::CreateCampaignRequest cc;
    cc.set_workspace_id(ws);
    cc.set_name("Conversions " + ws);
    cc.set_objective(cmp::OBJECTIVE_CONVERSIONS);
    cc.set_activate(true);
    cc.set_time_zone("Europe/Berlin");
    cc.mutable_budget()->set_currency("EUR");
    cc.mutable_budget()->set_micros(5'000'000'000);
    cc.mutable_daily_budget()->set_currency("EUR");
    cc.mutable_daily_budget()->set_micros(100'000'000);
    cmp::Campaign c;
    auto stub = Stub<cmp::CampaignService>("campaign");
    auto s = stub->CreateCampaign(Ctx().get(), cc, &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return c;
  }

  // A click through a fresh tracked link of the campaign: its click id.
  std::string ClickThrough(const cmp::Campaign& c, const std::string& channel = "ch_shop") {
    cmp::CreateLinkRequest r;
    r.set_workspace_id(c.workspace_id());
    r.set_campaign_id(c.id());
    r.set_destination_url("https://shop.example.com/item/" + std::to_string(NowMs()));
    r.set_channel_id(channel);
    r.set_post_id("p_" + channel);
    cmp::TrackedLink link;
    auto links = Stub<cmp::LinkService>("campaign");
    EXPECT_TRUE(links->CreateLink(Ctx().get(), r, &link).ok());
    HttpRequest get;
    get.url = link.short_url();
    get.headers = {{"User-Agent", "Mozilla/5.0 (X11; Linux)"}};
    auto res = SendHttp(get);
    EXPECT_TRUE(res.ok() && res->status == 302);
    std::string location = res.ok() ? res->Header("location") : "";
    auto at = location.find("hclid=");
    std::string click = at == std::string::npos ? "" : location.substr(at + 6, 26);
    EXPECT_TRUE(herald::testing::WaitUntilClickKept(p().redis_port(), click)) << click;
    return click;
  }

  // POST to the JSON ingest: (status, answer).
  std::pair<long, json> Post(const std::string& path, const json& body, const std::string& key = "default",
                             const std::string& content_type = "application/json") {
    HttpRequest req;
    req.method = "POST";
    req.url = p().campaign_url() + path;
    req.body = body.is_string() ? body.get<std::string>() : body.dump();
    req.headers = {{"Content-Type", content_type}};
    std::string k = key == "default" ? p().operator_key() : key;
    if (!k.empty()) req.headers.push_back({"Authorization", "Bearer " + k});
    req.timeout = std::chrono::milliseconds(10000);
    auto res = SendHttp(req);
    if (!res.ok()) return {0, json()};
    return {res->status, json::parse(res->body, nullptr, false)};
  }

  an::CampaignStats Stats(const cmp::Campaign& c) {
    auto analytics = Stub<an::AnalyticsService>("analytics");
    an::GetCampaignStatsRequest r;
    r.set_workspace_id(c.workspace_id());
    r.set_campaign_id(c.id());
    an::CampaignStats stats;
    auto s = analytics->GetCampaignStats(Ctx().get(), r, &stats);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return stats;
  }

};

TEST_F(Conversions, AShopPostsJsonNamingTheClickAndTheCampaignEarnsItOnce) {
  cmp::Campaign c = NewCampaign("conv-json");
  const std::string click = ClickThrough(c);
  ASSERT_EQ(click.size(), 26u) << p().Logs();
  json lead = {{"source", "shop"}, {"event_id", "signup-1"}, {"stage", "lead"}, {"click_id", click},
               {"customer_id", "cust-1"}};
  json sale = {{"source", "shop"},   {"event_id", "order-1"}, {"stage", "sale"},
               {"customer_id", "cust-1"}, {"value_micros", "49990000"}, {"currency", "EUR"}};
  auto [status, answer] = Post("/v1/conversions", {{"workspace_id", c.workspace_id()}, {"conversions", {lead, sale}}});
  ASSERT_EQ(status, 200) << answer.dump() << p().Logs();
  ASSERT_EQ(answer["results"].size(), 2u);
  const json& recorded = answer["results"][1]["conversion"];
  EXPECT_EQ(recorded["credits"][0]["click_id"], click) << answer.dump();  // through the customer the lead tied
  EXPECT_EQ(recorded["credits"][0]["campaign_id"], c.id());
  EXPECT_EQ(recorded["credits"][0]["value_micros"], "49990000");
  EXPECT_EQ(recorded.value("customer_hash", "").size(), 32u);
  EXPECT_EQ(answer.dump().find("cust-1"), std::string::npos);  // never stored or echoed raw

  // The shop's retry (its connection died before our answer): the same records.
  auto [again_status, again] = Post("/v1/conversions", {{"workspace_id", c.workspace_id()}, {"conversions", {sale}}});
  ASSERT_EQ(again_status, 200);
  EXPECT_EQ(again["results"][0]["duplicate"], true);
  EXPECT_EQ(again["results"][0]["conversion"]["conversion_id"], recorded["conversion_id"]);

  // And spend for today, in the campaign's zone: the ROI has both halves.
  auto [spend_status, spend] = Post(
      "/v1/spend", {{"workspace_id", c.workspace_id()},
                    {"entries",
                     {{{"campaign_id", c.id()}, {"channel_id", "ch_shop"}, {"day", ""}, {"amount_micros", "10000000"},
                       {"currency", "EUR"}}}}});
  EXPECT_EQ(spend_status, 400) << spend.dump();  // the day is required
  std::string today = [&] {
    absl::CivilDay d = absl::ToCivilDay(absl::Now(), *LoadZone("Europe/Berlin"));
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(d.year()), d.month(), d.day());
    return std::string(buf);
  }();
  std::tie(spend_status, spend) = Post(
      "/v1/spend", {{"workspace_id", c.workspace_id()},
                    {"entries",
                     {{{"campaign_id", c.id()}, {"channel_id", "ch_shop"}, {"day", today}, {"amount_micros", "10000000"},
                       {"currency", "EUR"}}}}});
  ASSERT_EQ(spend_status, 200) << spend.dump();
  EXPECT_EQ(spend["results"][0]["revision"], "1");

  an::CampaignStats stats;
  ASSERT_TRUE(Eventually([&] {
    stats = Stats(c);
    return stats.sales() >= 1 && stats.spend_micros() >= 10'000'000;
  })) << stats.DebugString() << p().Logs();
  std::this_thread::sleep_for(std::chrono::seconds(2));  // anything counted twice would show by now
  stats = Stats(c);
  EXPECT_DOUBLE_EQ(stats.leads(), 1.0);
  EXPECT_DOUBLE_EQ(stats.sales(), 1.0);
  EXPECT_EQ(stats.revenue_micros(), 49'990'000);
  EXPECT_EQ(stats.spend_micros(), 10'000'000);
  EXPECT_DOUBLE_EQ(stats.roas(), 4.999);
  EXPECT_DOUBLE_EQ(stats.cpa(), 10.0);
}

TEST_F(Conversions, BadInputIsRefusedWholeAndStoresNothing) {
  cmp::Campaign c = NewCampaign("conv-bad");
  json good = {{"source", "shop"}, {"event_id", "ok-1"}, {"stage", "sale"}, {"click_id", "k_0123456789abcdef01234567"},
               {"value_micros", "100"}, {"currency", "EUR"}};
  json body = {{"workspace_id", c.workspace_id()}, {"conversions", {good}}};
  EXPECT_EQ(Post("/v1/conversions", body, "").first, 401);
  EXPECT_EQ(Post("/v1/conversions", body, "hk_nosuch_key").first, 401);
  EXPECT_EQ(Post("/v1/conversions", body, "default", "text/plain").first, 400);
  EXPECT_EQ(Post("/v1/conversions", json("{\"conversions\": [")).first, 400);
  json misspelt = body;
  misspelt["conversions"][0]["valeu_micros"] = "5";
  auto [s1, a1] = Post("/v1/conversions", misspelt);
  EXPECT_EQ(s1, 400);
  EXPECT_NE(a1.dump().find("valeu_micros"), std::string::npos) << a1.dump();
  json bad = body;
  bad["conversions"].push_back({{"source", "shop"}, {"event_id", "bad-1"}, {"stage", "sale"}, {"click_id", "nope"},
                                {"currency", "EUR"}});
  auto [s2, a2] = Post("/v1/conversions", bad);
  EXPECT_EQ(s2, 400);
  EXPECT_NE(a2.dump().find("conversions[1].click_id"), std::string::npos) << a2.dump();
  EXPECT_EQ(Post("/v1/conversions", {{"conversions", {good}}}).first, 400);  // a platform key names the workspace

  // gRPC: the same refusal, naming the field.
  auto stub = Stub<cmp::ConversionService>("campaign");
  cmp::RecordConversionsRequest r;
  r.set_workspace_id(c.workspace_id());
  auto* in = r.add_conversions();
  in->set_source("shop");
  in->set_event_id("ok-1");
  in->set_stage(ev::CONVERSION_STAGE_SALE);
  in->set_click_id("k_0123456789abcdef01234567");
  in->set_currency("EUR");
  *r.add_conversions() = *in;
  r.mutable_conversions(1)->set_event_id("");
  cmp::RecordConversionsResponse out;
  auto st = stub->RecordConversions(Ctx().get(), r, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("conversions[1].event_id"), std::string::npos) << st.error_message();
  cmp::RecordSpendRequest sr;
  sr.set_workspace_id(c.workspace_id());
  auto* e = sr.add_entries();
  e->set_campaign_id(c.id());
  e->set_channel_id("ch_shop");
  e->set_day("2026-01-01");
  e->set_amount_micros(5);
  e->set_currency("USD");
  cmp::RecordSpendResponse sout;
  st = stub->RecordSpend(Ctx().get(), sr, &sout);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("entries[0].currency"), std::string::npos) << st.error_message();

  // Nothing of any refused call was stored.
  cmp::GetConversionRequest g;
  g.set_workspace_id(c.workspace_id());
  g.set_source("shop");
  g.set_event_id("ok-1");
  ev::ConversionRecorded got;
  EXPECT_EQ(stub->GetConversion(Ctx().get(), g, &got).error_code(), grpc::StatusCode::NOT_FOUND);
  cmp::GetPacingRequest pr;
  pr.set_workspace_id(c.workspace_id());
  pr.set_campaign_id(c.id());
  pr.set_day("2026-01-01");
  cmp::Pacing pacing;
  ASSERT_TRUE(stub->GetPacing(Ctx().get(), pr, &pacing).ok());
  EXPECT_EQ(pacing.total_spend_micros(), 0);
}

// Senders that retry until answered 200, as a shop's queue does, while the
// campaign service is SIGKILLed and later SIGTERMed: every conversion is
// recorded once and counted once — the outbox produces what a killed request
// stored, and a retry of what was stored is answered from the record.
TEST_F(Conversions, ASigkillAndASigtermDuringABurstLoseNothingAndCountNothingTwice) {
  cmp::Campaign c = NewCampaign("conv-kill");
  const std::string click = ClickThrough(c);
  constexpr int kSenders = 4, kEach = 150;
  std::atomic<int> sent{0}, retries{0};
  auto sender = [&](int s) {
    for (int i = 0; i < kEach; ++i) {
      json one = {{"source", "shop"}, {"event_id", "order-" + std::to_string(s) + "-" + std::to_string(i)},
                  {"stage", "sale"},  {"click_id", click},
                  {"value_micros", "1000000"}, {"currency", "EUR"}};
      for (int attempt = 0;; ++attempt) {
        auto [status, answer] = Post("/v1/conversions", {{"workspace_id", c.workspace_id()}, {"conversions", {one}}});
        if (status == 200) break;
        ++retries;
        ASSERT_LT(attempt, 300) << "never answered: " << status << " " << answer.dump();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      ++sent;
    }
  };
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) senders.emplace_back(sender, s);
  auto until = [&](int n) {
    while (sent < n) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  };
  until(150);
  p().process("campaign").Kill();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  p().Restart("campaign");
  until(400);
  p().process("campaign").Signal(SIGTERM);
  ASSERT_TRUE(Eventually([&] { return !p().process("campaign").running(); }, std::chrono::seconds(30)));
  p().Restart("campaign");
  for (auto& t : senders) t.join();
  ASSERT_EQ(sent, kSenders * kEach);

  // Analytics: exactly one sale per order, the revenue to the micro.
  an::CampaignStats stats;
  ASSERT_TRUE(Eventually([&] {
    stats = Stats(c);
    return stats.sales() >= kSenders * kEach;
  }, std::chrono::seconds(90))) << stats.DebugString() << p().process("campaign").LogTail(20000);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  stats = Stats(c);
  EXPECT_DOUBLE_EQ(stats.sales(), kSenders * kEach);
  EXPECT_EQ(stats.revenue_micros(), int64_t{kSenders} * kEach * 1'000'000);
  // The topic holds every conversion (a re-produce repeats an id, never adds one).
  ConsumerOptions o;
  o.kafka.brokers = p().brokers();
  o.group_id = "conv-kill-" + std::to_string(NowMs());
  o.topics = {"conversions"};
  KafkaConsumer consumer(o);
  std::set<std::string> ids;
  size_t records = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline && ids.size() < size_t{kSenders} * kEach) {
    for (const auto& m : consumer.PollBatch(1000, std::chrono::milliseconds(500))) {
      ev::ConversionRecorded r;
      if (!r.ParseFromString(m.value) || r.meta().workspace_id() != c.workspace_id()) continue;
      ++records;
      ids.insert(r.conversion_id());
    }
  }
  consumer.Close();
  EXPECT_EQ(ids.size(), size_t{kSenders} * kEach);
  RecordProperty("sender_retries", retries.load());
  RecordProperty("records_on_topic", static_cast<int>(records));
  std::cout << "conversion burst: " << sent << " recorded once each; " << retries << " sender retries; "
            << records - ids.size() << " re-produced events (deduplicated by analytics)\n";
}

}  // namespace
}  // namespace herald
