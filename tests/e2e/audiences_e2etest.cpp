// Audiences over real TCP: mentions on the mentions topic build social
// profiles (each counted once, however often delivered), CRM rows arrive as a
// client stream and as CSV, conversions naming a customer mark its profile,
// segments count exactly over a small workspace, and for a campaign the
// segment that converts best comes first. Bad input — a segment that does not
// parse, a CSV with a bad row — is refused with its position and stores nothing.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/events.h"
#include "common/http_client.h"
#include "common/kafka.h"
#include "common/time_util.h"
#include "herald/analytics/v1/analytics.grpc.pb.h"
#include "herald/campaign/v1/audiences.grpc.pb.h"
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
namespace cmp = herald::campaign::v1;
namespace ev = herald::events::v1;

constexpr const char* kWs = "aud-e2e";

class Audiences : public herald::testing::SuitePlatform<Audiences> {
 protected:
  cmp::SegmentEstimate Estimate(const std::string& expression) {
    cmp::EstimateSegmentRequest r;
    r.set_workspace_id(kWs);
    r.set_expression(expression);
    cmp::SegmentEstimate out;
    auto s = Stub<cmp::AudienceService>("campaign")->EstimateSegment(Ctx().get(), r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
};

TEST_F(Audiences, ProfilesFromMentionsImportsAndConversionsAndTheSegmentsThatConvertBest) {
  auto audiences = Stub<cmp::AudienceService>("campaign");
  // Mentions: 10 authors, 3 each, every one delivered twice.
  KafkaProducer producer(KafkaOptions{p().brokers(), "audiences-e2e", {}});
  SystemClock clock;
  for (int a = 0; a < 10; ++a) {
    for (int k = 0; k < 3; ++k) {
      ev::MentionReceived m;
      m.set_mention_id("men_" + std::to_string(a) + "_" + std::to_string(k));
      m.set_network(herald::common::v1::NETWORK_X);
      m.set_author_handle("@author" + std::to_string(a));
      m.set_conversation_id("conv_" + std::to_string(a));
      m.set_kind(herald::common::v1::MENTION_KIND_MENTION);
      m.mutable_sentiment()->set_scored(true);
      m.mutable_sentiment()->set_compound(0.5);
      *m.mutable_created_at() = FromMs(clock.NowMs() - k * 3600 * 1000);
      *m.mutable_meta() = NewEventMeta(m, kWs, clock, m.mention_id());
      for (int copy = 0; copy < 2; ++copy) {
        ASSERT_TRUE(producer.ProduceSync("mentions", m.conversation_id(), m.SerializeAsString(), EventHeaders(m.meta())).ok());
      }
    }
  }
  cmp::GetProfileRequest gp;
  gp.set_workspace_id(kWs);
  gp.set_profile_id("x:@author3");
  cmp::Profile fan;
  ASSERT_TRUE(Eventually([&] { return audiences->GetProfile(Ctx().get(), gp, &fan).ok() && fan.mentions() >= 3; }))
      << fan.DebugString() << p().process("campaign").LogTail(5000);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ASSERT_TRUE(audiences->GetProfile(Ctx().get(), gp, &fan).ok());
  EXPECT_EQ(fan.mentions(), 3);  // the redeliveries counted nothing
  EXPECT_DOUBLE_EQ(fan.sentiment(), 0.5);
  EXPECT_EQ(fan.author(), "@author3");

  // CRM rows as a client stream: c0..c199, even ones in Germany, every tenth an employee.
  {
    grpc::ClientContext ctx;
    if (!herald::testing::TestAuthorization().empty()) ctx.AddMetadata("authorization", herald::testing::TestAuthorization());
    cmp::ImportProfilesResponse summary;
    auto writer = audiences->ImportProfiles(&ctx, &summary);
    for (int i = 0; i < 200; ++i) {
      cmp::ProfileRow row;
      row.set_workspace_id(kWs);
      row.set_customer_id("c" + std::to_string(i));
      row.set_email("Customer" + std::to_string(i) + "@Example.com");
      row.set_country(i % 2 == 0 ? "DE" : "AT");
      if (i % 10 == 0) row.add_tags("employee");
      (*row.mutable_attributes())["plan"] = i < 100 ? "pro" : "free";
      ASSERT_TRUE(writer->Write(row));
    }
    cmp::ProfileRow bad;
    bad.set_workspace_id(kWs);
    bad.set_customer_id("c_bad");
    bad.set_country("Germany");
    ASSERT_TRUE(writer->Write(bad));
    writer->WritesDone();
    auto s = writer->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(summary.imported(), 200);
    ASSERT_EQ(summary.errors_size(), 1);
    EXPECT_EQ(summary.errors(0).row(), 201);
    EXPECT_NE(summary.errors(0).message().find("country"), std::string::npos);
  }
  // And as CSV: c200..c299, all in Germany.
  std::string csv = "customer_id,country,plan\n";
  for (int i = 200; i < 300; ++i) csv += "c" + std::to_string(i) + ",DE,team\n";
  cmp::ImportProfilesCsvRequest ic;
  ic.set_workspace_id(kWs);
  ic.set_csv(csv);
  cmp::ImportProfilesResponse imported;
  ASSERT_TRUE(audiences->ImportProfilesCsv(Ctx().get(), ic, &imported).ok());
  EXPECT_EQ(imported.imported(), 100);

  // A bad CSV row refuses the file: named by line, nothing of it stored.
  ic.set_csv("customer_id,country\nnew1,DE\nnew2,Deutschland\n");
  auto refused = audiences->ImportProfilesCsv(Ctx().get(), ic, &imported);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("line 3"), std::string::npos) << refused.error_message();

  // 300 CRM profiles and 10 social: counted exactly.
  cmp::SegmentEstimate all = Estimate("mentions >= 0");
  EXPECT_EQ(all.profiles(), 310);
  EXPECT_TRUE(all.exact());
  cmp::SegmentEstimate de = Estimate("country in (\"de\") and not tagged(\"employee\")");
  EXPECT_EQ(de.estimate(), 80 + 100);
  EXPECT_EQ(de.expression(), "country in (\"DE\") and not tagged(\"employee\")");
  EXPECT_EQ(Estimate("attr.plan = \"team\"").estimate(), 100);
  EXPECT_EQ(Estimate("engaged_within(1d) and sentiment > 0.4").estimate(), 10);

  // A segment that does not parse: its position, and no segment made.
  cmp::CreateSegmentRequest cs;
  cs.set_workspace_id(kWs);
  cs.set_name("broken");
  cs.set_expression("country in (\"DE\" and followers > 10");
  cmp::Segment made;
  auto bad_segment = audiences->CreateSegment(Ctx().get(), cs, &made);
  EXPECT_EQ(bad_segment.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(bad_segment.error_message().find("expression: 1:18:"), std::string::npos) << bad_segment.error_message();
  cmp::ListSegmentsRequest ls;
  ls.set_workspace_id(kWs);
  cmp::ListSegmentsResponse listed;
  ASSERT_TRUE(audiences->ListSegments(Ctx().get(), ls, &listed).ok());
  EXPECT_EQ(listed.segments_size(), 0);

  // Segments, and a campaign some customers converted for.
  cs.set_name("Germany, not staff");
  cs.set_expression("country = \"DE\" and not tagged(\"employee\")");
  cs.set_request_id("seg-de");
  cmp::Segment germany, austria;
  ASSERT_TRUE(audiences->CreateSegment(Ctx().get(), cs, &germany).ok());
  cs.set_name("Austria");
  cs.set_expression("country = \"AT\"");
  cs.set_request_id("seg-at");
  ASSERT_TRUE(audiences->CreateSegment(Ctx().get(), cs, &austria).ok());

  cmp::CreateCampaignRequest cc;
  cc.set_workspace_id(kWs);
  cc.set_name("Spring");
  cc.set_objective(cmp::OBJECTIVE_CONVERSIONS);
  cc.set_activate(true);
  cmp::Campaign campaign;
  ASSERT_TRUE(Stub<cmp::CampaignService>("campaign")->CreateCampaign(Ctx().get(), cc, &campaign).ok());
  cmp::CreateLinkRequest cl;
  cl.set_workspace_id(kWs);
  cl.set_campaign_id(campaign.id());
  cl.set_destination_url("https://shop.example.com/spring");
  cmp::TrackedLink link;
  ASSERT_TRUE(Stub<cmp::LinkService>("campaign")->CreateLink(Ctx().get(), cl, &link).ok());
  HttpRequest get;
  get.url = link.short_url();
  auto hop = SendHttp(get);
  ASSERT_TRUE(hop.ok() && hop->status == 302);
  const std::string location = hop->Header("location");
  const std::string click = location.substr(location.find("hclid=") + 6, 26);
  ASSERT_TRUE(herald::testing::WaitUntilClickKept(p().redis_port(), click));
  cmp::RecordConversionsRequest rc;
  rc.set_workspace_id(kWs);
  for (int i = 0; i < 10; ++i) {  // c2, c4, c6, c8 in the German segment (c0 is staff); c1..c9 odd in Austria
    auto* in = rc.add_conversions();
    in->set_source("shop");
    in->set_event_id("spring-" + std::to_string(i));
    in->set_stage(ev::CONVERSION_STAGE_SALE);
    in->set_click_id(click);
    in->set_customer_id("c" + std::to_string(i));
    in->set_value_micros(1'000'000);
    in->set_currency("EUR");
  }
  cmp::RecordConversionsResponse recorded;
  ASSERT_TRUE(Stub<cmp::ConversionService>("campaign")->RecordConversions(Ctx().get(), rc, &recorded).ok());

  cmp::RankSegmentsRequest rr;
  rr.set_workspace_id(kWs);
  rr.set_campaign_id(campaign.id());
  cmp::RankSegmentsResponse ranked;
  ASSERT_TRUE(audiences->RankSegments(Ctx().get(), rr, &ranked).ok());
  ASSERT_EQ(ranked.segments_size(), 2);
  EXPECT_EQ(ranked.segments(0).segment_id(), austria.id());  // 5 of 100 beat 4 of 180
  EXPECT_EQ(ranked.segments(0).converted(), 5);
  EXPECT_EQ(ranked.segments(0).sampled_members(), 100);
  EXPECT_EQ(ranked.segments(1).converted(), 4);
  EXPECT_EQ(ranked.segments(1).sampled_members(), 180);
  EXPECT_DOUBLE_EQ(ranked.segments(0).conversion_rate(), 0.05);
  EXPECT_LT(ranked.segments(0).conversion_low(), 0.05);
  EXPECT_EQ(ranked.segments(0).engaged(), 5);  // their click is tied to them

  // Analytics' ROI by segment: each sale in the segments its customer was in
  // when it came (revenue counted, spend not: it is per channel).
  namespace an = herald::analytics::v1;
  an::GetReportRequest report;
  report.set_workspace_id(kWs);
  *report.mutable_from() = FromMs(clock.NowMs() - 86400 * 1000);
  *report.mutable_to() = FromMs(clock.NowMs() + 3600 * 1000);
  report.set_granularity(an::GRANULARITY_TOTAL);
  report.set_group_by(an::GROUP_BY_CAMPAIGN_SEGMENT);
  report.add_group_ids(campaign.id() + "/" + germany.id());
  report.add_group_ids(campaign.id() + "/" + austria.id());
  report.add_figures(an::FIGURE_SALES);
  report.add_figures(an::FIGURE_REVENUE);
  report.add_figures(an::FIGURE_ROAS);
  an::Report by_segment;
  auto analytics = Stub<an::AnalyticsService>("analytics");
  ASSERT_TRUE(Eventually([&] {
    return analytics->GetReport(Ctx().get(), report, &by_segment).ok() && by_segment.groups_size() == 2 &&
           by_segment.groups(1).figures(0).total().value() >= 5;
  })) << by_segment.DebugString();
  std::this_thread::sleep_for(std::chrono::seconds(1));  // a doubled count would show by now
  ASSERT_TRUE(analytics->GetReport(Ctx().get(), report, &by_segment).ok());
  EXPECT_DOUBLE_EQ(by_segment.groups(0).figures(0).total().value(), 4);  // c2, c4, c6, c8
  EXPECT_DOUBLE_EQ(by_segment.groups(0).figures(1).total().value(), 4.0);
  EXPECT_DOUBLE_EQ(by_segment.groups(1).figures(0).total().value(), 5);
  EXPECT_DOUBLE_EQ(by_segment.groups(1).figures(1).total().value(), 5.0);
  EXPECT_FALSE(by_segment.groups(1).figures(2).total().has_value());  // no spend by segment

  // A converted customer's profile shows it.
  cmp::EstimateSegmentRequest er;
  er.set_workspace_id(kWs);
  er.set_expression("converted_for(\"" + campaign.id() + "\") and conversions >= 1 and clicks = 1");
  cmp::SegmentEstimate converted;
  ASSERT_TRUE(audiences->EstimateSegment(Ctx().get(), er, &converted).ok());
  EXPECT_EQ(converted.estimate(), 10);
}

// The social media team's path, through heraldctl: a shop's orders file,
// the day's ad spend and pacing, a CRM export, a segment and its size.
TEST_F(Audiences, HeraldctlImportsConversionsSpendAndProfilesAndSizesSegments) {
  const std::string ws = "aud-ctl";
  auto ctl = [&](const std::string& args, int want_exit = 0) {
    return herald::testing::Heraldctl(p().operator_key(),
                                      "--campaign-addr " + p().Grpc("campaign") + " --workspace " + ws + " " + args,
                                      want_exit);
  };
  std::string created = ctl("create campaign --name Autumn --objective conversions --budget 1000 --daily-budget 100 "
                            "--currency EUR --activate -o json");
  auto campaign = nlohmann::json::parse(created, nullptr, false);
  ASSERT_TRUE(campaign.is_object()) << created;
  const std::string id = campaign["id"];
  std::string link = ctl("create link --campaign " + id + " --url https://shop.example.com/a --channel ch_web");
  const std::string short_url = link.substr(0, link.find(' '));
  HttpRequest get;
  get.url = short_url;
  auto hop = SendHttp(get);
  ASSERT_TRUE(hop.ok() && hop->status == 302) << link;
  const std::string location = hop->Header("location");
  const std::string click = location.substr(location.find("hclid=") + 6, 26);
  ASSERT_TRUE(herald::testing::WaitUntilClickKept(p().redis_port(), click));

  const std::string dir = p().dir();
  {
    std::ofstream orders(dir + "/orders.csv");
    orders << "event_id,stage,click_id,customer_id,value,currency\n"
           << "o-1,sale," << click << ",cust-1,19.99,EUR\n"
           << "o-2,sale,,cust-1,5.01,EUR\n"
           << "o-3,lead,k_0123456789abcdef01234567,cust-2,,\n";
  }
  std::string imported = ctl("import conversions --file " + dir + "/orders.csv --source shop");
  EXPECT_NE(imported.find("3 conversions recorded, 0 already recorded, 1 unattributed (unknown_click)"),
            std::string::npos)
      << imported;
  EXPECT_NE(ctl("import conversions --file " + dir + "/orders.csv --source shop").find("0 conversions recorded, 3 already"),
            std::string::npos);
  std::string shown = ctl("get conversion o-2 --source shop");
  EXPECT_NE(shown.find(click), std::string::npos) << shown;  // credited through the customer
  {
    std::ofstream bad(dir + "/bad.csv");
    bad << "event_id,stage\no-9,refund\n";
  }
  EXPECT_NE(ctl("import conversions --file " + dir + "/bad.csv", 2).find("row 2: stage"), std::string::npos);

  std::string today = [] {
    absl::CivilDay d = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(d.year()), d.month(), d.day());
    return std::string(buf);
  }();
  std::string spent = ctl("record spend --campaign " + id + " --channel ch_web --day " + today +
                          " --amount 150 --currency EUR");
  EXPECT_NE(spent.find("revision 1"), std::string::npos) << spent;
  EXPECT_NE(spent.find("budget alert: daily_exceeded"), std::string::npos) << spent;
  std::string pacing = ctl("get pacing --campaign " + id);
  EXPECT_NE(pacing.find("daily_exceeded"), std::string::npos) << pacing;
  EXPECT_NE(pacing.find("150.00"), std::string::npos) << pacing;

  {
    std::ofstream crm(dir + "/crm.csv");
    crm << "customer_id,email,country,tags,plan\n"
        << "cust-1,One@Example.com,DE,vip,pro\n"
        << "cust-2,two@example.com,AT,,free\n"
        << "cust-3,,DE,employee,pro\n";
  }
  EXPECT_NE(ctl("import profiles --file " + dir + "/crm.csv").find("3 profiles imported"), std::string::npos);
  EXPECT_NE(ctl(R"(create segment 'German pros' --expr 'country = "DE" and attr.plan = "pro" and not tagged("employee")')")
                .find("created"),
            std::string::npos);
  std::string segments = ctl("get segments");
  EXPECT_NE(segments.find("German pros"), std::string::npos) << segments;
  EXPECT_NE(ctl("estimate segment --expr 'converted_for(\"" + id + "\")'").find("1 of 3 profiles (exact)"),
            std::string::npos);
  std::string ranked = ctl("rank segments --campaign " + id);
  EXPECT_NE(ranked.find("German pros"), std::string::npos) << ranked;
  EXPECT_NE(ctl("create segment broken --expr 'country = '", 1).find("1:11"), std::string::npos);
}

}  // namespace
}  // namespace herald
