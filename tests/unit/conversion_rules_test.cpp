// Conversion reports: every field checked and named, ids derived from the
// sender's event id (the same report, the same record), customers hashed,
// and a sale in another currency kept without counting as revenue.
#include "campaign/conversions/conversion_rules.h"

#include <gtest/gtest.h>

#include "common/time_util.h"

namespace herald::campaign {
namespace {

namespace ev = herald::events::v1;
constexpr int64_t kNow = 1'800'000'000'000;
const std::string kClick = "k_0123456789abcdef01234567";

v1::ConversionInput Sale() {
  v1::ConversionInput in;
  in.set_source("shop");
  in.set_event_id("order-1001");
  in.set_stage(ev::CONVERSION_STAGE_SALE);
  in.set_click_id(kClick);
  in.set_value_micros(49'990'000);
  in.set_currency("EUR");
  return in;
}

std::string Errors(const v1::RecordConversionsRequest& req) { return ValidateRecordConversions(req, kNow).Message(); }

TEST(ConversionRules, AGoodReportPasses) {
  v1::RecordConversionsRequest req;
  *req.add_conversions() = Sale();
  v1::ConversionInput lead;
  lead.set_source("crm");
  lead.set_event_id("signup/7");
  lead.set_stage(ev::CONVERSION_STAGE_LEAD);
  lead.set_customer_id("alice@example.com");
  *req.add_conversions() = lead;
  EXPECT_TRUE(ValidateRecordConversions(req, kNow).ok()) << Errors(req);
}

TEST(ConversionRules, EveryBadFieldIsNamedWithItsIndex) {
  v1::RecordConversionsRequest req;
  *req.add_conversions() = Sale();
  v1::ConversionInput bad;
  bad.set_source("Shop!");
  bad.set_event_id(std::string(129, 'x'));
  bad.set_stage(ev::CONVERSION_STAGE_SALE);
  bad.set_click_id("k_NOTHEX");
  bad.set_value_micros(-5);
  bad.set_currency("euro");
  *bad.mutable_converted_at() = FromMs(kNow + 10 * 60 * 1000);
  *req.add_conversions() = bad;
  std::string m = Errors(req);
  for (const char* field : {"conversions[1].source", "conversions[1].event_id", "conversions[1].click_id",
                            "conversions[1].value_micros", "conversions[1].currency", "conversions[1].converted_at"}) {
    EXPECT_NE(m.find(field), std::string::npos) << field << " in " << m;
  }
  EXPECT_EQ(m.find("conversions[0]"), std::string::npos) << m;
}

TEST(ConversionRules, AReportNamesAClickOrACustomerAndAStage) {
  v1::RecordConversionsRequest req;
  v1::ConversionInput in = Sale();
  in.clear_click_id();
  in.set_stage(ev::CONVERSION_STAGE_UNSPECIFIED);
  *req.add_conversions() = in;
  std::string m = Errors(req);
  EXPECT_NE(m.find("conversions[0].click_id"), std::string::npos) << m;
  EXPECT_NE(m.find("conversions[0].stage"), std::string::npos) << m;
}

TEST(ConversionRules, TooOldOrTooManyOrBadSettingsAreRefused) {
  v1::RecordConversionsRequest old;
  v1::ConversionInput in = Sale();
  *in.mutable_converted_at() = FromMs(kNow - kMaxConversionAgeMs - 1);
  *old.add_conversions() = in;
  EXPECT_NE(Errors(old).find("90 days"), std::string::npos);
  v1::RecordConversionsRequest many;
  for (int i = 0; i < kMaxConversionsPerCall + 1; ++i) *many.add_conversions() = Sale();
  EXPECT_NE(Errors(many).find("at most 500"), std::string::npos);
  v1::RecordConversionsRequest settings;
  *settings.add_conversions() = Sale();
  settings.set_window_days(31);
  settings.set_model(static_cast<v1::AttributionModel>(9));
  std::string m = Errors(settings);
  EXPECT_NE(m.find("window_days"), std::string::npos) << m;
  EXPECT_NE(m.find("model"), std::string::npos) << m;
  EXPECT_NE(Errors({}).find("conversions"), std::string::npos);
}

TEST(ConversionRules, TheSameEventIsTheSameConversionPerWorkspaceAndSource) {
  std::string id = ConversionId("ws1", "shop", "order-1001");
  EXPECT_EQ(id, ConversionId("ws1", "shop", "order-1001"));
  EXPECT_EQ(id.size(), 35u);
  EXPECT_NE(id, ConversionId("ws2", "shop", "order-1001"));
  EXPECT_NE(id, ConversionId("ws1", "crm", "order-1001"));
  EXPECT_NE(id, ConversionId("ws1", "shop", "order-1002"));
}

TEST(ConversionRules, CustomersAreHashedNotStored) {
  std::string h = CustomerHash("ws1", "alice@example.com");
  EXPECT_EQ(h.size(), 32u);
  EXPECT_EQ(h.find("alice"), std::string::npos);
  EXPECT_NE(h, CustomerHash("ws2", "alice@example.com"));
  EXPECT_TRUE(IsClickId(kClick));
  EXPECT_FALSE(IsClickId("k_0123"));
  EXPECT_FALSE(IsClickId("x_0123456789abcdef01234567"));
}

TEST(ConversionRules, TheRecordCarriesCreditsAndHidesTheCustomer) {
  v1::ConversionInput in = Sale();
  in.set_customer_id("cust-42");
  Touch t{kClick, "c_1", "p_1", "ch_1", "B", kNow - 3600 * 1000};
  Attribution a = Attribute(kNow, in.value_micros(), {t}, AttributionModel::kLastClick);
  ev::ConversionRecorded c = BuildConversion("ws1", in, kNow, {}, a, {{"c_1", "EUR"}});
  EXPECT_EQ(c.conversion_id(), ConversionId("ws1", "shop", "order-1001"));
  EXPECT_EQ(c.customer_hash(), CustomerHash("ws1", "cust-42"));
  EXPECT_EQ(ToMs(c.converted_at()), kNow);
  EXPECT_EQ(c.model(), "last_click");
  ASSERT_EQ(c.credits_size(), 1);
  EXPECT_EQ(c.credits(0).variant(), "B");
  EXPECT_EQ(c.credits(0).value_micros(), 49'990'000);
  EXPECT_EQ(ConversionKey(c), "c_1");
  EXPECT_TRUE(c.value_not_counted().empty());
}

TEST(ConversionRules, ASaleInAnotherCurrencyIsKeptButNotRevenue) {
  v1::ConversionInput in = Sale();
  in.set_currency("USD");
  Touch t{kClick, "c_1", "p_1", "ch_1", "", kNow - 1000};
  ev::ConversionRecorded c = BuildConversion(
      "ws1", in, kNow, {}, Attribute(kNow, in.value_micros(), {t}, AttributionModel::kLastClick), {{"c_1", "EUR"}});
  ASSERT_EQ(c.credits_size(), 1);
  EXPECT_EQ(c.credits(0).value_micros(), 0);
  EXPECT_EQ(c.value_micros(), 49'990'000);
  EXPECT_EQ(c.value_not_counted(), "currency");
}

TEST(ConversionRules, AnUnattributedConversionKeepsWhy) {
  ev::ConversionRecorded c = BuildConversion("ws1", Sale(), kNow, {}, Unattributed("unknown_click"), {});
  EXPECT_EQ(c.credits_size(), 0);
  EXPECT_EQ(c.unattributed(), "unknown_click");
  EXPECT_EQ(ConversionKey(c), "");
}

}  // namespace
}  // namespace herald::campaign
