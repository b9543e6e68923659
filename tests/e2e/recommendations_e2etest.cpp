// Recommendations over real TCP: a campaign whose two channels return very
// differently (sales through tracked links, spend reported per channel) is
// told to move budget toward the better one, with the numbers; one call
// applies it to the campaign's budget split (pacing shows the new shares),
// a second call changes nothing, and bad or stale ids change nothing.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include "common/http_client.h"
#include "common/time_util.h"
#include "herald/analytics/v1/analytics.grpc.pb.h"
#include "herald/campaign/v1/campaign.grpc.pb.h"
#include "herald/campaign/v1/conversions.grpc.pb.h"
#include "herald/campaign/v1/links.grpc.pb.h"
#include "herald/campaign/v1/recommendations.grpc.pb.h"
#include "e2e_util.h"
#include "platform.h"
#include "suite_platform.h"

namespace herald {
namespace {

using herald::testing::Ctx;
using herald::testing::Eventually;
using herald::testing::NowMs;
namespace cmp = herald::campaign::v1;
namespace an = herald::analytics::v1;
namespace ev = herald::events::v1;

constexpr const char* kWs = "rec-e2e";

class Recommendations : public herald::testing::SuitePlatform<Recommendations> {
 protected:
  // A click through a fresh tracked link of the campaign on `channel`.
  std::string ClickThrough(const cmp::Campaign& c, const std::string& channel, int n) {
    cmp::CreateLinkRequest r;
    r.set_workspace_id(kWs);
    r.set_campaign_id(c.id());
    r.set_destination_url("https://shop.example.com/item/" + std::to_string(n));
    r.set_channel_id(channel);
    r.set_post_id("p_" + channel);
    cmp::TrackedLink link;
    EXPECT_TRUE(Stub<cmp::LinkService>("campaign")->CreateLink(Ctx().get(), r, &link).ok());
    HttpRequest get;
    get.url = link.short_url();
    get.headers = {{"User-Agent", "Mozilla/5.0 (X11; Linux) buyer-" + std::to_string(n)}};
    auto res = SendHttp(get);
    EXPECT_TRUE(res.ok() && res->status == 302);
    const std::string location = res.ok() ? res->Header("location") : "";
    const auto at = location.find("hclid=");
    return at == std::string::npos ? "" : location.substr(at + 6, 26);
  }
  cmp::ListRecommendationsResponse List(const std::string& campaign_id) {
    cmp::ListRecommendationsRequest r;
    r.set_workspace_id(kWs);
    r.set_campaign_id(campaign_id);
    cmp::ListRecommendationsResponse out;
    auto s = Stub<cmp::RecommendationService>("campaign")->ListRecommendations(Ctx().get(), r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  grpc::Status Apply(const std::string& campaign_id, const std::string& id, cmp::AppliedRecommendation* out,
                     int lookback = 0) {
    cmp::ApplyRecommendationRequest r;
    r.set_workspace_id(kWs);
    r.set_campaign_id(campaign_id);
    r.set_recommendation_id(id);
    r.set_lookback_days(lookback);
    return Stub<cmp::RecommendationService>("campaign")->ApplyRecommendation(Ctx().get(), r, out);
  }
  cmp::Campaign Get(const std::string& id) {
    cmp::GetCampaignRequest r;
    r.set_workspace_id(kWs);
    r.set_campaign_id(id);
    r.set_without_posts(true);
    cmp::Campaign c;
    EXPECT_TRUE(Stub<cmp::CampaignService>("campaign")->GetCampaign(Ctx().get(), r, &c).ok());
    return c;
  }
};

TEST_F(Recommendations, BudgetFollowsTheBetterReturnAppliedWithOneCallOnce) {
  cmp::CreateCampaignRequest cc;
  cc.set_workspace_id(kWs);
  cc.set_name("Winter");
  cc.set_objective(cmp::OBJECTIVE_CONVERSIONS);
  cc.set_activate(true);
  cc.add_channel_ids("ch_a");
  cc.add_channel_ids("ch_b");
  cc.mutable_budget()->set_currency("EUR");
  cc.mutable_budget()->set_micros(3'000'000'000);
  cc.mutable_daily_budget()->set_currency("EUR");
  cc.mutable_daily_budget()->set_micros(100'000'000);
  cmp::Campaign campaign;
  ASSERT_TRUE(Stub<cmp::CampaignService>("campaign")->CreateCampaign(Ctx().get(), cc, &campaign).ok());

  // ch_a: 10 sales of 32 EUR on 100 EUR spent; ch_b: 1 sale of 40 EUR on 100 EUR.
  cmp::RecordConversionsRequest rc;
  rc.set_workspace_id(kWs);
  std::string last_click;
  for (int n = 0; n < 11; ++n) {
    const std::string channel = n < 10 ? "ch_a" : "ch_b";
    last_click = ClickThrough(campaign, channel, n);
    auto* in = rc.add_conversions();
    in->set_source("shop");
    in->set_event_id("order-" + std::to_string(n));
    in->set_stage(ev::CONVERSION_STAGE_SALE);
    in->set_click_id(last_click);
    in->set_value_micros(n < 10 ? 32'000'000 : 40'000'000);
    in->set_currency("EUR");
  }
  for (const auto& c : rc.conversions()) ASSERT_TRUE(herald::testing::WaitUntilClickKept(p().redis_port(), c.click_id()));
  cmp::RecordConversionsResponse recorded;
  ASSERT_TRUE(Stub<cmp::ConversionService>("campaign")->RecordConversions(Ctx().get(), rc, &recorded).ok());
  cmp::RecordSpendRequest rs;
  rs.set_workspace_id(kWs);
  for (const char* channel : {"ch_a", "ch_b"}) {
    auto* e = rs.add_entries();
    e->set_campaign_id(campaign.id());
    e->set_channel_id(channel);
    e->set_day(FormatRfc3339(NowMs()).substr(0, 10));  // the campaign keeps UTC days
    e->set_amount_micros(100'000'000);
    e->set_currency("EUR");
  }
  cmp::RecordSpendResponse spent;
  auto spend_status = Stub<cmp::ConversionService>("campaign")->RecordSpend(Ctx().get(), rs, &spent);
  ASSERT_TRUE(spend_status.ok()) << spend_status.error_message();

  // Once analytics counted it all, the shift is proposed with its numbers.
  cmp::ListRecommendationsResponse listed;
  const cmp::Recommendation* shift = nullptr;
  ASSERT_TRUE(Eventually([&] {
    listed = List(campaign.id());
    shift = nullptr;
    for (const auto& r : listed.recommendations()) {
      if (r.kind() == cmp::RECOMMENDATION_KIND_SHIFT_BUDGET) shift = &r;
    }
    return shift && shift->budget_shift().to_roas() > 3.19 && shift->budget_shift().from_roas() > 0.39;
  })) << listed.DebugString();
  EXPECT_EQ(shift->budget_shift().from_channel_id(), "ch_b");
  EXPECT_EQ(shift->budget_shift().to_channel_id(), "ch_a");
  EXPECT_EQ(shift->budget_shift().basis_points(), 1000);
  EXPECT_EQ(shift->budget_shift().daily_micros(), 10'000'000);
  EXPECT_NE(shift->expected_effect().find("+28.00 EUR revenue a day"), std::string::npos) << shift->expected_effect();
  EXPECT_NE(shift->reasons(0).find("ROAS 3.20"), std::string::npos) << shift->reasons(0);
  const std::string id = shift->id();

  // Bad or stale ids change nothing.
  cmp::AppliedRecommendation applied;
  auto bad = Apply(campaign.id(), "rec_../x", &applied);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(bad.error_message().find("recommendation_id"), std::string::npos) << bad.error_message();
  EXPECT_EQ(Apply(campaign.id(), id, &applied, 3).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto stale = Apply(campaign.id(), "rec_000000000000000000000000", &applied);
  EXPECT_EQ(stale.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << stale.error_message();
  EXPECT_EQ(Get(campaign.id()).version(), campaign.version());

  // Applied: the split moves 10 % from ch_b to ch_a; once.
  ASSERT_TRUE(Apply(campaign.id(), id, &applied).ok());
  EXPECT_FALSE(applied.already_applied());
  EXPECT_NE(applied.result().find("ch_b 5000 bp → 4000 bp, ch_a 5000 bp → 6000 bp"), std::string::npos)
      << applied.result();
  cmp::Campaign after = Get(campaign.id());
  EXPECT_EQ(after.version(), campaign.version() + 1);
  std::map<std::string, int> split;
  for (const auto& s : after.budget_split()) split[s.channel_id()] = s.basis_points();
  EXPECT_EQ(split, (std::map<std::string, int>{{"ch_a", 6000}, {"ch_b", 4000}}));
  cmp::AppliedRecommendation again;
  ASSERT_TRUE(Apply(campaign.id(), id, &again).ok());
  EXPECT_TRUE(again.already_applied());
  EXPECT_EQ(again.result(), applied.result());
  EXPECT_EQ(Get(campaign.id()).version(), after.version());

  // The next shift waits for a week of figures; pacing shows each channel's share.
  cmp::ListRecommendationsResponse later = List(campaign.id());
  for (const auto& r : later.recommendations()) EXPECT_NE(r.kind(), cmp::RECOMMENDATION_KIND_SHIFT_BUDGET);
  bool held = false;
  for (const auto& s : later.skipped()) held = held || s.find("a shift was applied") != std::string::npos;
  EXPECT_TRUE(held) << later.DebugString();
  cmp::GetPacingRequest gp;
  gp.set_workspace_id(kWs);
  gp.set_campaign_id(campaign.id());
  cmp::Pacing pacing;
  ASSERT_TRUE(Stub<cmp::ConversionService>("campaign")->GetPacing(Ctx().get(), gp, &pacing).ok());
  std::map<std::string, int64_t> daily;
  for (const auto& ch : pacing.channels()) daily[ch.channel_id()] = ch.daily_budget_micros();
  EXPECT_EQ(daily, (std::map<std::string, int64_t>{{"ch_a", 60'000'000}, {"ch_b", 40'000'000}}));

  // heraldctl shows the list; a wrong split is refused naming the field.
  auto shown = herald::testing::Heraldctl(p().operator_key(), "--campaign-addr " + p().Grpc("campaign") +
                                                                  " --workspace " + kWs + " get recommendations --campaign " +
                                                                  campaign.id());
  EXPECT_NE(shown.find("a shift was applied"), std::string::npos) << shown;
  cmp::UpdateCampaignRequest wrong;
  wrong.set_workspace_id(kWs);
  wrong.set_campaign_id(campaign.id());
  wrong.add_update_mask("budget_split");
  auto* share = wrong.mutable_campaign()->add_budget_split();
  share->set_channel_id("ch_a");
  share->set_basis_points(9000);
  cmp::Campaign unchanged;
  auto refused = Stub<cmp::CampaignService>("campaign")->UpdateCampaign(Ctx().get(), wrong, &unchanged);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("budget_split"), std::string::npos) << refused.error_message();
  EXPECT_EQ(Get(campaign.id()).version(), after.version());
}

}  // namespace
}  // namespace herald
