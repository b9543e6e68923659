// Attribution windows and models: the last click within the window earns a
// conversion, linear splits it to the micro, and an expired or unknown click
// leaves it kept but unattributed.
#include "campaign/conversions/attribution.h"

#include <gtest/gtest.h>

#include <numeric>

namespace herald::campaign {
namespace {

constexpr int64_t kDay = 24 * 3600 * 1000;
constexpr int64_t kSale = 1'800'000'000'000;

Touch Click(const std::string& id, int64_t at_ms, const std::string& campaign = "c_1") {
  return Touch{id, campaign, "p_" + id, "ch1", "", at_ms};
}

TEST(Attribution, TheLastClickWithinTheWindowEarnsItAll) {
  std::vector<Touch> clicks{Click("k_old", kSale - 6 * kDay), Click("k_new", kSale - kDay, "c_2")};
  Attribution a = Attribute(kSale, 49'990'000, clicks, AttributionModel::kLastClick);
  ASSERT_TRUE(a.attributed());
  ASSERT_EQ(a.credits.size(), 1u);
  EXPECT_EQ(a.credits[0].touch.click_id, "k_new");
  EXPECT_EQ(a.credits[0].touch.campaign_id, "c_2");
  EXPECT_EQ(a.credits[0].value_micros, 49'990'000);
}

TEST(Attribution, TheWindowIsSevenDaysToTheMillisecond) {
  EXPECT_TRUE(Attribute(kSale, 1, {Click("k", kSale - 7 * kDay)}, AttributionModel::kLastClick).attributed());
  Attribution late = Attribute(kSale, 1, {Click("k", kSale - 7 * kDay - 1)}, AttributionModel::kLastClick);
  EXPECT_FALSE(late.attributed());
  EXPECT_EQ(late.unattributed, "expired");
  // A 30-day window takes it.
  EXPECT_TRUE(
      Attribute(kSale, 1, {Click("k", kSale - 8 * kDay)}, AttributionModel::kLastClick, 30 * kDay).attributed());
  // The last click inside the window wins over a later one outside it (clock
  // skew aside, a click after the sale did not lead to it).
  Attribution a = Attribute(kSale, 1, {Click("k_in", kSale - kDay), Click("k_after", kSale + kDay)},
                            AttributionModel::kLastClick);
  EXPECT_EQ(a.credits[0].touch.click_id, "k_in");
  EXPECT_TRUE(Attribute(kSale, 1, {Click("k_skew", kSale + 60000)}, AttributionModel::kLastClick).attributed());
}

TEST(Attribution, LinearSplitsTheValueExactlyToTheMicro) {
  std::vector<Touch> clicks{Click("k_3", kSale - 1 * kDay), Click("k_1", kSale - 3 * kDay), Click("k_2", kSale - 2 * kDay),
                            Click("k_gone", kSale - 9 * kDay)};
  Attribution a = Attribute(kSale, 100'000'000, clicks, AttributionModel::kLinear);
  ASSERT_EQ(a.credits.size(), 3u);  // the expired one takes nothing
  EXPECT_EQ(a.credits[0].touch.click_id, "k_1");
  EXPECT_EQ(a.credits[0].value_micros, 33'333'333);
  EXPECT_EQ(a.credits[1].value_micros, 33'333'333);
  EXPECT_EQ(a.credits[2].value_micros, 33'333'334);  // the remainder to the latest
  int64_t sum = 0;
  for (const auto& c : a.credits) sum += c.value_micros;
  EXPECT_EQ(sum, 100'000'000);
  EXPECT_DOUBLE_EQ(a.credits[0].share, 1.0 / 3);
}

TEST(Attribution, NothingToCreditIsKeptWithItsReason) {
  EXPECT_EQ(Attribute(kSale, 5, {}, AttributionModel::kLastClick).unattributed, "no_click");
  EXPECT_EQ(Unattributed("unknown_click").unattributed, "unknown_click");
  EXPECT_FALSE(Unattributed("unknown_click").attributed());
}

}  // namespace
}  // namespace herald::campaign
