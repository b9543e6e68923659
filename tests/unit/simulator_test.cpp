#include "simulator/mastodon_sim.h"

#include <gtest/gtest.h>

namespace herald::sim {
namespace {

TEST(MastodonSim, IdempotencyKeyReturnsTheFirstStatus) {
  ManualClock clock(1'000'000);
  MastodonSim sim({{"101", "brand", "tok"}}, {10, 60000}, "http://sim", clock);
  auto a = sim.PostStatus(*sim.Authenticate("tok"), "hello", "", "key-1");
  auto b = sim.PostStatus(*sim.Authenticate("tok"), "hello", "", "key-1");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body["id"], b.body["id"]);
  EXPECT_EQ(sim.accepted(), 1u);
  EXPECT_FALSE(sim.Authenticate("nope"));
}

TEST(MastodonSim, RateLimitWithHeadersThenWindowResets) {
  ManualClock clock(1'000'000);
  MastodonSim sim({{"101", "brand", "tok"}}, {2, 60000}, "http://sim", clock);
  auto acct = *sim.Authenticate("tok");
  auto r1 = sim.PostStatus(acct, "a", "", "");
  EXPECT_EQ(r1.headers["X-RateLimit-Remaining"], "1");
  EXPECT_EQ(sim.PostStatus(acct, "b", "", "").status, 200);
  auto over = sim.PostStatus(acct, "c", "", "");
  EXPECT_EQ(over.status, 429);
  EXPECT_EQ(over.headers["X-RateLimit-Remaining"], "0");
  EXPECT_FALSE(over.headers["Retry-After"].empty());
  clock.AdvanceMs(60000);
  EXPECT_EQ(sim.PostStatus(acct, "d", "", "").status, 200);
  EXPECT_EQ(sim.accepted(), 3u);
}

}  // namespace
}  // namespace herald::sim
