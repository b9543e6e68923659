#include <gtest/gtest.h>

#include "simulator/faults.h"
#include "simulator/sim_core.h"

namespace herald::sim {
namespace {

TEST(SimCore, KeysFindTheFirstPostAndTheLedgerHasEachOnce) {
  ManualClock clock(1'000'000);
  SimCore sim({{"101", "brand", "tok"}}, {10, 60000}, clock);
  ASSERT_TRUE(sim.Authenticate("tok"));
  EXPECT_FALSE(sim.Authenticate("nope"));
  EXPECT_FALSE(sim.Authenticate(""));
  auto a = sim.Accept(Net::kMastodon, "101", "hello", "", "key-1");
  EXPECT_EQ(sim.FindByKey(Net::kMastodon, "101", "key-1")->id, a.id);
  EXPECT_FALSE(sim.FindByKey(Net::kX, "101", "key-1"));  // keys are per network
  sim.Accept(Net::kX, "101", "hi x", "", "");
  EXPECT_EQ(sim.accepted(), 2u);
  EXPECT_EQ(sim.Ledger()[1]["network"], "x");
  EXPECT_EQ(sim.Recent(Net::kX, "101", 10).size(), 1u);
}

TEST(SimCore, FixedWindowPerNetworkAndAccountThenItResets) {
  ManualClock clock(1'000'000);
  SimCore sim({{"101", "brand", "tok"}}, {2, 60000}, clock);
  auto first = sim.Charge(Net::kX, "101");
  EXPECT_TRUE(first.ok);
  EXPECT_EQ(first.remaining, 1);
  EXPECT_EQ(first.reset_ms, 1'020'000);  // windows align to the clock
  EXPECT_TRUE(sim.Charge(Net::kX, "101").ok);
  auto over = sim.Charge(Net::kX, "101");
  EXPECT_FALSE(over.ok);
  EXPECT_EQ(over.remaining, 0);
  EXPECT_TRUE(sim.Charge(Net::kMastodon, "101").ok);  // another network's own window
  EXPECT_FALSE(sim.Charge(Net::kBluesky, "101", 3).ok);  // costs more than the window holds
  clock.AdvanceMs(20000);
  EXPECT_TRUE(sim.Charge(Net::kX, "101").ok);
}

TEST(SimCore, EngagementGrowsWithAge) {
  ManualClock clock(1'000'000);
  SimCore sim({{"101", "brand", "tok"}}, {10, 60000}, clock);
  auto p = sim.Accept(Net::kX, "101", "hello", "", "");
  EXPECT_EQ(sim.EngagementOf(p).impressions, 0);
  clock.AdvanceMs(10 * 60000);
  auto ten = sim.EngagementOf(p);
  clock.AdvanceMs(50 * 60000);
  auto hour = sim.EngagementOf(p);
  EXPECT_GT(ten.impressions, 0);
  EXPECT_GT(hour.impressions, ten.impressions);
  EXPECT_GE(hour.likes, ten.likes);
}

TEST(Faults, RatesAreHonouredAndBadPlansRefused) {
  Faults faults(7);
  EXPECT_EQ(faults.Update(nlohmann::json{
                {"error_rate", 0.2}, {"timeout_rate", 0.1}, {"close_rate", 0.05}, {"after_error_rate", 0.05}}),
            "");
  int errors = 0, timeouts = 0, closes = 0, after_errors = 0, none = 0;
  for (int i = 0; i < 10000; ++i) {
    switch (faults.Roll()) {
      case Faults::Action::kError: ++errors; break;
      case Faults::Action::kTimeout: ++timeouts; break;
      case Faults::Action::kClose: ++closes; break;
      case Faults::Action::kAfterPostError: ++after_errors; break;
      case Faults::Action::kNone: ++none; break;
      case Faults::Action::kReset: FAIL() << "reset rate is 0";
    }
  }
  EXPECT_NEAR(errors, 2000, 200);
  EXPECT_NEAR(timeouts, 1000, 150);
  EXPECT_NEAR(closes, 500, 100);
  EXPECT_NEAR(after_errors, 500, 100);
  // Every fault fired is counted, exactly.
  auto fired = faults.ToJson()["fired"];
  EXPECT_EQ(fired["error"], errors);
  EXPECT_EQ(fired["timeout"], timeouts);
  EXPECT_EQ(fired["close"], closes);
  EXPECT_EQ(fired["after_error"], after_errors);
  EXPECT_EQ(fired["reset"], 0);
  EXPECT_NE(faults.Update(nlohmann::json{{"error_rate", 2}}), "");
  EXPECT_NE(faults.Update(nlohmann::json{{"error_rate", 0.6}, {"reset_rate", 0.6}}), "");
  EXPECT_NE(faults.Update(nlohmann::json::array()), "");
  EXPECT_DOUBLE_EQ(faults.plan().error_rate, 0.2);  // refused plans change nothing
}

}  // namespace
}  // namespace herald::sim
