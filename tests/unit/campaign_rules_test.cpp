// The campaign service's rules: what a valid campaign is, what an update may
// change, and how a status may move.
#include "campaign/campaign_rules.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

namespace herald::campaign {
namespace {

v1::CreateCampaignRequest Valid() {
  v1::CreateCampaignRequest r;
  r.set_workspace_id("ws");
  r.set_name("Winter launch");
  r.set_objective(v1::OBJECTIVE_CONVERSIONS);
  r.mutable_budget()->set_currency("EUR");
  r.mutable_budget()->set_micros(5'000'000'000);
  r.mutable_daily_budget()->set_currency("EUR");
  r.mutable_daily_budget()->set_micros(250'000'000);
  r.set_time_zone("Europe/Berlin");
  r.set_start_date("2026-12-01");
  r.set_end_date("2026-12-31");
  r.add_channel_ids("ch1");
  r.mutable_targets()->mutable_cpa()->set_currency("EUR");
  r.mutable_targets()->mutable_cpa()->set_micros(12'500'000);
  r.mutable_targets()->set_roas(4.0);
  r.mutable_utm()->set_source("herald");
  return r;
}

std::string Problems(const v1::CreateCampaignRequest& r) { return ValidateCreate(r).Message(); }

TEST(CampaignRules, AcceptsAFullCampaignAndBuildsItAsADraft) {
  EXPECT_TRUE(ValidateCreate(Valid()).ok()) << Problems(Valid());
  auto c = BuildCampaign(Valid());
  EXPECT_EQ(c.status(), v1::CAMPAIGN_STATUS_DRAFT);
  EXPECT_EQ(c.daily_budget().micros(), 250'000'000);
  auto r = Valid();
  r.set_activate(true);
  EXPECT_EQ(BuildCampaign(r).status(), v1::CAMPAIGN_STATUS_ACTIVE);
}

TEST(CampaignRules, NamesEachBadField) {
  v1::CreateCampaignRequest r;
  r.mutable_budget()->set_currency("euro");
  r.mutable_budget()->set_micros(-1);
  auto msg = Problems(r);
  for (const char* f : {"workspace_id", "name", "objective", "budget.currency", "budget.micros"}) {
    EXPECT_NE(msg.find(f), std::string::npos) << f << " in " << msg;
  }
}

TEST(CampaignRules, RefusesEachBadFieldOfAFullCampaign) {
  struct Case {
    const char* field;
    std::function<void(v1::CreateCampaignRequest&)> spoil;
  };
  const Case cases[] = {
      {"name", [](auto& r) { r.set_name(std::string(201, 'x')); }},
      {"name", [](auto& r) { r.set_name("two\nlines"); }},
      {"objective", [](auto& r) { r.set_objective(static_cast<v1::Objective>(99)); }},
      {"daily_budget.currency", [](auto& r) { r.mutable_daily_budget()->set_currency("USD"); }},
      {"daily_budget.micros", [](auto& r) { r.mutable_daily_budget()->set_micros(6'000'000'000); }},
      {"time_zone", [](auto& r) { r.set_time_zone("Mars/Olympus"); }},
      {"time_zone", [](auto& r) { r.set_time_zone(""); }},
      {"start_date", [](auto& r) { r.set_start_date("2026-02-30"); }},
      {"end_date", [](auto& r) { r.set_end_date("2026-11-30"); }},
      {"end_date", [](auto& r) { r.set_end_date(""); }},
      {"end_date", [](auto& r) { r.set_end_date("2031-01-01"); }},
      {"channel_ids[1]", [](auto& r) { r.add_channel_ids("ch1"); }},
      {"channel_ids[1]", [](auto& r) { r.add_channel_ids("no spaces"); }},
      {"targets.cpa.currency", [](auto& r) { r.mutable_targets()->mutable_cpa()->set_currency("GBP"); }},
      {"targets.roas", [](auto& r) { r.mutable_targets()->set_roas(-1); }},
      {"targets.ctr", [](auto& r) { r.mutable_targets()->set_ctr(1.5); }},
      {"targets.conversion_rate", [](auto& r) { r.mutable_targets()->set_conversion_rate(std::nan("")); }},
      {"utm.source", [](auto& r) { r.mutable_utm()->set_source("a\tb"); }},
      {"utm.campaign", [](auto& r) { r.mutable_utm()->set_campaign(std::string(201, 'u')); }},
      {"request_id", [](auto& r) { r.set_request_id("not/an/id"); }},
  };
  for (const auto& c : cases) {
    auto r = Valid();
    c.spoil(r);
    auto errors = ValidateCreate(r);
    ASSERT_FALSE(errors.ok()) << c.field;
    bool named = false;
    for (const auto& [field, problem] : errors.errors()) named |= field == c.field;
    EXPECT_TRUE(named) << c.field << " not named in: " << errors.Message();
  }
}

TEST(CampaignRules, DatesAreRealCalendarDates) {
  EXPECT_TRUE(ParseDate("2028-02-29"));
  EXPECT_FALSE(ParseDate("2026-02-29"));
  EXPECT_FALSE(ParseDate("2026-13-01"));
  EXPECT_FALSE(ParseDate("2026-1-01"));
  EXPECT_FALSE(ParseDate("26-01-01xx"));
  EXPECT_FALSE(ParseDate("1999-12-31"));
  EXPECT_LT(*ParseDate("2026-12-01"), *ParseDate("2026-12-02"));
}

TEST(CampaignRules, AnUpdateChangesOnlyTheMaskedFieldsAndNothingWhenOneIsBad) {
  auto current = BuildCampaign(Valid());
  v1::UpdateCampaignRequest u;
  u.add_update_mask("name");
  u.add_update_mask("end_date");
  u.mutable_campaign()->set_name("Winter launch, extended");
  u.mutable_campaign()->set_end_date("2027-01-15");
  u.mutable_campaign()->set_owner("ignored: not in the mask");
  auto updated = current;
  ASSERT_TRUE(ApplyUpdate(u, updated).ok());
  EXPECT_EQ(updated.name(), "Winter launch, extended");
  EXPECT_EQ(updated.end_date(), "2027-01-15");
  EXPECT_EQ(updated.owner(), current.owner());
  EXPECT_EQ(updated.budget().micros(), current.budget().micros());

  // An end before the start: refused, named under campaign., nothing applied.
  u.mutable_campaign()->set_end_date("2026-11-01");
  auto untouched = current;
  auto errors = ApplyUpdate(u, untouched);
  ASSERT_FALSE(errors.ok());
  EXPECT_NE(errors.Message().find("campaign.end_date"), std::string::npos) << errors.Message();
  EXPECT_EQ(untouched.SerializeAsString(), current.SerializeAsString());

  v1::UpdateCampaignRequest unknown;
  unknown.add_update_mask("status");  // status moves only through SetCampaignStatus
  errors = ApplyUpdate(unknown, untouched);
  ASSERT_FALSE(errors.ok());
  EXPECT_EQ(errors.errors()[0].first, "update_mask[0]");
}

TEST(CampaignRules, StatusMovesOnlyAlongTheLifecycle) {
  using S = v1::CampaignStatus;
  const S all[] = {v1::CAMPAIGN_STATUS_DRAFT, v1::CAMPAIGN_STATUS_ACTIVE, v1::CAMPAIGN_STATUS_PAUSED,
                   v1::CAMPAIGN_STATUS_COMPLETED, v1::CAMPAIGN_STATUS_ARCHIVED};
  // Rows: from; columns: to (draft, active, paused, completed, archived).
  const bool allowed[5][5] = {
      {1, 1, 0, 0, 1},  // draft: plan, launch, or discard
      {0, 1, 1, 1, 0},  // active
      {0, 1, 1, 1, 0},  // paused
      {0, 0, 0, 1, 1},  // completed: only put away
      {0, 0, 0, 0, 1},  // archived: final
  };
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 5; ++j) {
      EXPECT_EQ(TransitionAllowed(all[i], all[j]), allowed[i][j]) << StatusName(all[i]) << " -> " << StatusName(all[j]);
    }
    EXPECT_FALSE(TransitionAllowed(all[i], v1::CAMPAIGN_STATUS_UNSPECIFIED));
  }
  EXPECT_TRUE(TakesPosts(v1::CAMPAIGN_STATUS_PAUSED));
  EXPECT_FALSE(TakesPosts(v1::CAMPAIGN_STATUS_COMPLETED));
  EXPECT_FALSE(TakesPosts(v1::CAMPAIGN_STATUS_ARCHIVED));
  EXPECT_EQ(StatusName(v1::CAMPAIGN_STATUS_ACTIVE), "ACTIVE");
}

}  // namespace
}  // namespace herald::campaign
