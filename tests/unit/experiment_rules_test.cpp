// Experiments as planned and judged, without I/O: every bad field named, the
// cells balanced with the holdout left without posts, and the metric read
// from the right counts.
#include "campaign/experiments/experiment_rules.h"

#include <gtest/gtest.h>

#include "common/time_util.h"

namespace herald::campaign {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;
constexpr int64_t kHour = 3600 * 1000;

v1::CreateExperimentRequest Request() {
  v1::CreateExperimentRequest r;
  r.set_workspace_id("ws");
  r.set_campaign_id("c_1");
  r.set_name("headline test");
  for (const char* name : {"A", "B"}) {
    auto* v = r.add_variants();
    v->set_name(name);
    v->set_text(std::string("Winter sale, take ") + name);
    v->set_link("https://shop.example.com/" + std::string(name));
  }
  r.set_holdout_weight(0.5);
  for (int i = 5; i >= 1; --i) *r.add_slots() = FromMs(kNow + i * kHour);  // out of order on purpose
  r.add_channel_ids("ch_1");
  r.add_channel_ids("ch_2");
  r.set_metric(v1::EXPERIMENT_METRIC_CONVERSION_RATE);
  r.set_baseline_rate(0.1);
  r.set_minimum_detectable_effect(0.05);
  return r;
}

TEST(ExperimentRules, AGoodPlanPassesAndEveryBadFieldIsNamed) {
  EXPECT_TRUE(ValidateCreateExperiment(Request(), kNow).ok()) << ValidateCreateExperiment(Request(), kNow).Message();
  v1::CreateExperimentRequest r = Request();
  r.mutable_variants(1)->set_name("A");
  r.mutable_variants(0)->set_text("");
  r.mutable_variants(0)->set_link("ftp://x");
  *r.mutable_slots(0) = FromMs(kNow - 1);
  r.add_channel_ids("ch_1");
  r.set_metric(v1::EXPERIMENT_METRIC_UNSPECIFIED);
  r.set_baseline_rate(1.5);
  r.set_minimum_detectable_effect(0);
  r.set_alpha(0.5);
  std::string m = ValidateCreateExperiment(r, kNow).Message();
  for (const char* field : {"variants[1].name", "variants[0].text", "variants[0].link", "slots[0]", "channel_ids[2]",
                            "metric", "baseline_rate", "minimum_detectable_effect", "alpha"}) {
    EXPECT_NE(m.find(field), std::string::npos) << field << " in " << m;
  }
  v1::CreateExperimentRequest one = Request();
  one.mutable_variants()->RemoveLast();
  EXPECT_NE(ValidateCreateExperiment(one, kNow).Message().find("variants"), std::string::npos);
  v1::CreateExperimentRequest holdout = Request();
  holdout.mutable_variants(1)->set_name("holdout");
  EXPECT_NE(ValidateCreateExperiment(holdout, kNow).Message().find("variants[1].name"), std::string::npos);
}

TEST(ExperimentRules, CellsAreBalancedPerChannelAndTheHoldoutGetsNoPost) {
  v1::Experiment e = PlanExperiment(Request(), "exp_1", kNow);
  ASSERT_EQ(e.cells_size(), 10);
  for (const char* channel : {"ch_1", "ch_2"}) {
    std::map<std::string, int> arms;
    int64_t previous = 0;
    for (const auto& c : e.cells()) {
      if (c.channel_id() != channel) continue;
      ++arms[c.arm()];
      EXPECT_GT(ToMs(c.slot()), previous);  // in time order
      previous = ToMs(c.slot());
    }
    EXPECT_EQ(arms, (std::map<std::string, int>{{"A", 2}, {"B", 2}, {"holdout", 1}})) << channel;
  }
  EXPECT_EQ(e.status(), "scheduling");
  EXPECT_DOUBLE_EQ(e.alpha(), 0.05);
  EXPECT_DOUBLE_EQ(e.power(), 0.8);
  EXPECT_EQ(CellRequestId(e, 3), "exp_1-c3");
  // The same experiment plans the same cells (a retry finds them as they were).
  v1::Experiment again = PlanExperiment(Request(), "exp_1", kNow);
  for (int i = 0; i < e.cells_size(); ++i) EXPECT_EQ(e.cells(i).arm(), again.cells(i).arm());
}

TEST(ExperimentRules, TheMetricIsReadFromItsCounts) {
  v1::Experiment e = PlanExperiment(Request(), "exp_1", kNow);
  e.set_minimum_detectable_effect(0.5);  // a small sample: 14 per arm
  std::map<std::string, VariantCounts> counts{{"A", {5000, 100, 20, 2, 2}}, {"B", {5000, 900, 20, 14, 2}}};
  v1::ExperimentResult result;
  Verdict v = JudgeExperiment(e, counts, {}, &result);
  EXPECT_EQ(result.verdict(), "winner") << result.reason();
  EXPECT_EQ(result.winner(), "B");
  ASSERT_EQ(result.variants_size(), 2);
  EXPECT_EQ(result.variants(1).exposures(), 20);  // clicks: the conversion rate's denominator
  EXPECT_EQ(result.variants(1).successes(), 14);
  EXPECT_TRUE(result.variants(1).significant());
  EXPECT_TRUE(IsFinal(result));
  // The same counts under CTR: clicks per impression, no difference.
  e.set_metric(v1::EXPERIMENT_METRIC_CTR);
  JudgeExperiment(e, counts, {}, &result);
  EXPECT_EQ(result.variants(0).exposures(), 5000);
  EXPECT_EQ(result.verdict(), "no_difference");
  // Nothing counted yet: collecting, not final, no comparison shown.
  e.set_metric(v1::EXPERIMENT_METRIC_CONVERSION_RATE);
  JudgeExperiment(e, {}, {}, &result);
  EXPECT_EQ(result.verdict(), "collecting");
  EXPECT_FALSE(IsFinal(result));
  EXPECT_FALSE(result.variants(1).significant());
  EXPECT_EQ(result.variants(1).p_value(), 0);
  (void)v;
}

}  // namespace
}  // namespace herald::campaign
