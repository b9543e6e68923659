// Channels' OAuth tokens: stored sealed, never wiped by a reconnect or a
// refresh, refreshed before they expire, and refreshed once when several
// replicas find the same token rejected.
#include <gtest/gtest.h>

#include <thread>

#include "common/clock.h"
#include "common/time_util.h"
#include "e2e/e2e_util.h"
#include "publisher/channel_cache.h"
#include "publisher/channel_store.h"
#include "publisher/token_refresher.h"
#include "redis_fixture.h"
#include "support/simulator.h"

namespace herald::publisher {
namespace {

using herald::testing::HttpJson;
using herald::testing::RedisTest;
using herald::testing::Simulator;
namespace v1 = herald::publisher::v1;

class TokenRefreshTest : public RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    box_ = CredentialsBox::FromHex(std::string(64, '7'));
    store_ = std::make_unique<ChannelStore>(redis(), *box_);
    cache_ = std::make_unique<ChannelCache>(*store_, SystemClock::Instance());
  }
  std::unique_ptr<TokenRefresher> Refresher() {
    return std::make_unique<TokenRefresher>(
        *store_, *cache_, redis(), catalog_,
        std::map<herald::common::v1::Network, OAuthClient>{{herald::common::v1::NETWORK_X, {"herald-app", "s3cret"}},
                                                           {herald::common::v1::NETWORK_LINKEDIN, {"herald-li", "x"}}},
        SystemClock::Instance());
  }
  // A grant from the simulator, stored on a channel of `network`.
  // Tokens from a refresh live two hours.
  nlohmann::json Connect(herald::common::v1::Network network, const std::string& id, int expires_in_s) {
    auto grant = HttpJson("POST", sim_.url() + "/_sim/oauth/grant",
                          nlohmann::json{{"username", "alice"}, {"expires_in", expires_in_s}, {"refreshed_expires_in", 7200}}
                              .dump());
    v1::Channel c;
    c.set_id(id);
    c.set_workspace_id("ws");
    c.set_network(network);
    c.set_base_url(sim_.url());
    c.set_status(v1::CHANNEL_STATUS_ACTIVE);
    *c.mutable_token_expire_time() = FromMs(SystemClock::Instance().NowMs() + expires_in_s * 1000LL);
    EXPECT_TRUE(store_->Put(c, grant["access_token"], grant["refresh_token"]).ok());
    return grant;
  }
  std::shared_ptr<const ChannelWithToken> Load(const std::string& id) { return *cache_->Get(WorkspaceId("ws"), ChannelId(id)); }
  nlohmann::json SimStats() { return HttpJson("GET", sim_.url() + "/_sim/stats"); }

  Simulator sim_{"tok-a:alice"};
  // Both OAuth networks, their token endpoints on the simulator.
  NetworkCatalog catalog_ = *NetworkCatalog::Parse(R"({"version": "t", "networks": {
    "x": {"oauth": {"token_url": "{base_url}/2/oauth2/token", "client_auth": "basic"},
          "text": {"max_length": 280, "counting": "x_weighted"}, "media": {"max": 4}},
    "linkedin": {"oauth": {"token_url": "{base_url}/oauth/v2/accessToken", "client_auth": "body"},
                 "text": {"max_length": 3000, "counting": "code_points"}, "media": {"max": 9}}}})");
  std::optional<CredentialsBox> box_;
  std::unique_ptr<ChannelStore> store_;
  std::unique_ptr<ChannelCache> cache_;
};

TEST_F(TokenRefreshTest, ReconnectingOrDisconnectingHandlesTheRefreshTokenRight) {
  v1::Channel c;
  c.set_id("ch_r");
  c.set_workspace_id("ws");
  c.set_status(v1::CHANNEL_STATUS_ACTIVE);
  ASSERT_TRUE(store_->Put(c, "access-1", "refresh-1").ok());
  EXPECT_TRUE(store_->Get(WorkspaceId("ws"), ChannelId("ch_r"))->refreshable());
  // Reconnected with a new access token and no refresh token: the refresh token stays.
  ASSERT_TRUE(store_->Put(c, "access-2").ok());
  auto read = store_->GetWithToken(WorkspaceId("ws"), ChannelId("ch_r"));
  EXPECT_EQ(read->access_token, "access-2");
  EXPECT_EQ(read->refresh_token, "refresh-1");
  auto raw = redis().Command({"HGET", "pub:{ws}:ch:ch_r", "refresh"});
  EXPECT_EQ(raw->str.find("refresh-1"), std::string::npos);  // sealed at rest
  // Disconnected: no credentials left, the channel still listed.
  ASSERT_TRUE(store_->PutDisconnected(c).ok());
  read = store_->GetWithToken(WorkspaceId("ws"), ChannelId("ch_r"));
  EXPECT_EQ(read->channel.status(), v1::CHANNEL_STATUS_DISCONNECTED);
  EXPECT_TRUE(read->access_token.empty());
  EXPECT_TRUE(read->refresh_token.empty());
  EXPECT_FALSE(read->channel.refreshable());
  EXPECT_EQ(store_->List(WorkspaceId("ws"))->size(), 1u);
}

TEST_F(TokenRefreshTest, ATokenAboutToExpireIsRefreshedAndRotatedRefreshTokensAreKept) {
  auto grant = Connect(herald::common::v1::NETWORK_X, "ch_x", 60);  // inside the 5-minute margin
  auto refresher = Refresher();
  auto fresh = refresher->Fresh(Load("ch_x"), false);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_NE((*fresh)->access_token, grant["access_token"]);
  auto stored = store_->GetWithToken(WorkspaceId("ws"), ChannelId("ch_x"));
  EXPECT_EQ(stored->access_token, (*fresh)->access_token);
  EXPECT_NE(stored->refresh_token, grant["refresh_token"]);  // X rotated it; the new one is stored
  EXPECT_GT(ToMs(stored->channel.token_expire_time()), SystemClock::Instance().NowMs() + 50000);
  EXPECT_EQ(SimStats()["token_refreshes"], 1);
  // Fresh enough now: nothing more happens.
  ASSERT_TRUE(refresher->Fresh(Load("ch_x"), false).ok());
  EXPECT_EQ(SimStats()["token_refreshes"], 1);
  // The rotated refresh token works the next time too.
  ASSERT_TRUE(refresher->Fresh(Load("ch_x"), true).ok());
  EXPECT_EQ(SimStats()["token_refreshes"], 2);
  EXPECT_EQ(SimStats()["token_refreshes_refused"], 0);
}

TEST_F(TokenRefreshTest, ARefreshAnswerWithoutARefreshTokenKeepsTheStoredOne) {
  auto grant = Connect(herald::common::v1::NETWORK_LINKEDIN, "ch_li", 60);
  auto fresh = Refresher()->Fresh(Load("ch_li"), false);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  auto stored = store_->GetWithToken(WorkspaceId("ws"), ChannelId("ch_li"));
  EXPECT_EQ(stored->refresh_token, grant["refresh_token"]);
  EXPECT_EQ(stored->access_token, (*fresh)->access_token);
  EXPECT_TRUE(stored->channel.refreshable());
}

TEST_F(TokenRefreshTest, ReplicasFindingTheSameTokenRejectedRefreshItOnce) {
  Connect(herald::common::v1::NETWORK_X, "ch_race", 3600);
  auto stale = Load("ch_race");
  // Four replicas (own refreshers, shared Redis) see the token rejected at once.
  std::vector<std::unique_ptr<TokenRefresher>> replicas;
  for (int i = 0; i < 4; ++i) replicas.push_back(Refresher());
  std::vector<std::string> tokens(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto fresh = replicas[i]->Fresh(stale, true);
      tokens[i] = fresh.ok() ? (*fresh)->access_token : fresh.status().ToString();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(SimStats()["token_refreshes"], 1);
  EXPECT_EQ(SimStats()["token_refreshes_refused"], 0);  // a rotated token was never used twice
  for (const auto& t : tokens) EXPECT_EQ(t, tokens[0]);
  EXPECT_NE(tokens[0], stale->access_token);
}

TEST_F(TokenRefreshTest, ARefreshFinishingAfterADisconnectDoesNotRevive) {
  Connect(herald::common::v1::NETWORK_X, "ch_gone", 60);
  auto read = store_->GetWithToken(WorkspaceId("ws"), ChannelId("ch_gone"));
  ASSERT_TRUE(store_->PutDisconnected(read->channel).ok());  // the user disconnects mid-refresh
  auto written = store_->ReplaceTokens(*read, read->channel, "at-new", "rt-new");
  ASSERT_TRUE(written.ok());
  EXPECT_FALSE(*written);
  auto now = store_->GetWithToken(WorkspaceId("ws"), ChannelId("ch_gone"));
  EXPECT_EQ(now->channel.status(), v1::CHANNEL_STATUS_DISCONNECTED);
  EXPECT_TRUE(now->access_token.empty());
  EXPECT_TRUE(now->refresh_token.empty());
}

TEST_F(TokenRefreshTest, ARefusedRefreshTokenAsksForReauthorisation) {
  v1::Channel c;
  c.set_id("ch_dead");
  c.set_workspace_id("ws");
  c.set_network(herald::common::v1::NETWORK_X);
  c.set_base_url(sim_.url());
  c.set_status(v1::CHANNEL_STATUS_ACTIVE);
  ASSERT_TRUE(store_->Put(c, "at-unknown", "rt-never-issued").ok());
  auto fresh = Refresher()->Fresh(Load("ch_dead"), true);
  EXPECT_TRUE(absl::IsPermissionDenied(fresh.status())) << fresh.status();
  EXPECT_EQ(store_->GetWithToken(WorkspaceId("ws"), ChannelId("ch_dead"))->refresh_token, "rt-never-issued");  // nothing overwritten
}

}  // namespace
}  // namespace herald::publisher
