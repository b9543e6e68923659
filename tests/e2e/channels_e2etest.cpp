// Channels through their life (issue 4): expiring OAuth tokens refreshed
// before use or when the network rejects them, a reconnect that keeps the
// refresh token, updates checked field by field, and a disconnect that stops
// publishing.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <thread>

#include "common/clock.h"
#include "common/time_util.h"
#include "herald/listener/v1/listener.grpc.pb.h"
#include "platform_test.h"

namespace herald {
namespace {

using herald::testing::Ctx;
using herald::testing::Eventually;
using herald::testing::HttpJson;
using herald::testing::Platform;
using herald::testing::PlatformOptions;
using herald::testing::PlatformTest;
using nlohmann::json;
namespace sched = herald::scheduler::v1;
namespace pub = herald::publisher::v1;
using herald::common::v1::Network;

class Channels : public PlatformTest {
 protected:
  void SetUp() override {
    workspace_ = "channels";
    PlatformOptions o;
    // The app's X client: the simulator's token endpoint takes any.
    o.publisher_args = {"--x-client-id=herald-e2e", "--x-client-secret=e2e-secret"};
    // The token tests count every call made with an expired token: no
    // background follower reads of their own.
    o.follower_read_interval = "0";
    p_ = std::make_unique<Platform>(o);
  }
  json Grant(const std::string& username, int expires_in_s) {
    return HttpJson("POST", p_->simulator_url() + "/_sim/oauth/grant",
                    json{{"username", username}, {"expires_in", expires_in_s}, {"refreshed_expires_in", 7200}}.dump());
  }
  json Stats() { return HttpJson("GET", p_->simulator_url() + "/_sim/stats"); }
  grpc::Status ConnectX(const std::string& access, const std::string& refresh, int64_t expire_ms, pub::Channel* out) {
    pub::ConnectChannelRequest req;
    req.set_workspace_id(workspace_);
    req.set_network(Network::NETWORK_X);
    req.set_base_url(p_->simulator_url());
    req.set_access_token(access);
    req.set_refresh_token(refresh);
    if (expire_ms) *req.mutable_token_expire_time() = FromMs(expire_ms);
    return Stub<pub::PublisherService>("publisher")->ConnectChannel(Ctx().get(), req, out);
  }
  sched::PostState StateOf(const std::string& id) {
    sched::GetPostRequest g;
    g.set_workspace_id(workspace_);
    g.set_post_id(id);
    sched::Post post;
    Stub<sched::SchedulerService>("scheduler")->GetPost(Ctx().get(), g, &post);
    return post.state();
  }
};

TEST_F(Channels, ExpiringTokensAreRefreshedAndAReconnectKeepsTheRefreshToken) {
  const int64_t now = SystemClock::Instance().NowMs();
  // "other": the token's expiry is known and near, so it is refreshed before use.
  json other_grant = Grant("other", 1);
  pub::Channel other;
  ASSERT_TRUE(ConnectX(other_grant["access_token"], other_grant["refresh_token"], now + 1000, &other).ok());
  EXPECT_TRUE(other.refreshable());
  EXPECT_EQ(ToMs(other.token_expire_time()), now + 1000);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto ids = CreatePosts({"posted with a refreshed token"}, {other.id()});
  EXPECT_EQ(WaitPublished(ids, std::chrono::seconds(60)), 1u) << p_->Logs();
  EXPECT_EQ(Stats()["token_refreshes"], 1);
  EXPECT_EQ(Stats()["expired_token_calls"], 0);  // never sent with the expired token

  // "brand": nobody told us when its token expires; the network rejects it,
  // the publisher refreshes and sends once more.
  json brand_grant = Grant("brand", 1);
  pub::Channel brand;
  ASSERT_TRUE(ConnectX(brand_grant["access_token"], brand_grant["refresh_token"], 0, &brand).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ids = CreatePosts({"rejected token, refreshed, sent again"}, {brand.id()});
  EXPECT_EQ(WaitPublished(ids, std::chrono::seconds(60)), 1u) << p_->Logs();
  EXPECT_EQ(Stats()["token_refreshes"], 2);
  EXPECT_EQ(Stats()["expired_token_calls"], 1);
  EXPECT_EQ(LedgerCounts()["rejected token, refreshed, sent again"], 1);

  // Reconnected with only a new access token: the refresh token stays.
  json again = Grant("brand", 7200);
  pub::Channel reconnected;
  ASSERT_TRUE(ConnectX(again["access_token"], "", 0, &reconnected).ok());
  EXPECT_EQ(reconnected.id(), brand.id());
  EXPECT_TRUE(reconnected.refreshable());
}

TEST_F(Channels, UpdatesAreCheckedAndADisconnectStopsPublishing) {
  auto publisher = Stub<pub::PublisherService>("publisher");
  auto channel = Connect(Network::NETWORK_X, "e2e-token");
  pub::UpdateChannelRequest u;
  pub::Channel out;
  u.set_workspace_id(workspace_);
  u.set_channel_id(channel.id());
  auto s = publisher->UpdateChannel(Ctx().get(), u, &out);  // nothing to update
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("access_token"), std::string::npos);
  u.set_time_zone("Mars/Olympus_Mons");
  s = publisher->UpdateChannel(Ctx().get(), u, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("time_zone"), std::string::npos);
  u.set_time_zone("Europe/Berlin");
  u.set_access_token("other-token");  // a real token, of another account
  s = publisher->UpdateChannel(Ctx().get(), u, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("another account"), std::string::npos);
  u.clear_access_token();
  u.set_channel_id("ch_missing");
  EXPECT_EQ(publisher->UpdateChannel(Ctx().get(), u, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  // The refused calls changed nothing.
  pub::GetChannelRequest g;
  g.set_workspace_id(workspace_);
  g.set_channel_id(channel.id());
  ASSERT_TRUE(publisher->GetChannel(Ctx().get(), g, &out).ok());
  EXPECT_EQ(out.time_zone(), "UTC");
  u.set_channel_id(channel.id());
  ASSERT_TRUE(publisher->UpdateChannel(Ctx().get(), u, &out).ok());
  EXPECT_EQ(out.time_zone(), "Europe/Berlin");

  // A post already scheduled when the channel is disconnected fails; nothing is posted.
  sched::CreatePostRequest c;
  c.set_workspace_id(workspace_);
  c.set_request_id("scheduled-before-disconnect");
  c.set_text("to a disconnected channel");
  c.add_channel_ids(channel.id());
  *c.mutable_publish_at() = FromMs(SystemClock::Instance().NowMs() + 4000);
  sched::Post post;
  auto scheduler = Stub<sched::SchedulerService>("scheduler");
  ASSERT_TRUE(scheduler->CreatePost(Ctx().get(), c, &post).ok());
  pub::DisconnectChannelRequest d;
  d.set_workspace_id(workspace_);
  d.set_channel_id(channel.id());
  ASSERT_TRUE(publisher->DisconnectChannel(Ctx().get(), d, &out).ok());
  EXPECT_EQ(out.status(), pub::CHANNEL_STATUS_DISCONNECTED);
  EXPECT_TRUE(Eventually([&] { return StateOf(post.id()) == sched::POST_STATE_FAILED; })) << p_->Logs();
  EXPECT_EQ(LedgerCounts()["to a disconnected channel"], 0);
  // New posts to it are refused when they are written.
  c.set_request_id("after-disconnect");
  auto refused = scheduler->CreatePost(Ctx().get(), c, &post);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("channel_ids[0]"), std::string::npos);
  // Without a new token it stays disconnected.
  pub::UpdateChannelRequest tz;
  tz.set_workspace_id(workspace_);
  tz.set_channel_id(channel.id());
  tz.set_time_zone("UTC");
  EXPECT_EQ(publisher->UpdateChannel(Ctx().get(), tz, &out).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

// X refuses a post identical to a recent one with a 403. Through the whole
// platform: the second post fails as a content error, the channel stays
// active (it used to be sent to re-authorise), and the next post goes out.
TEST_F(Channels, AnXDuplicateFailsThatPostOnlyAndTheChannelStaysActive) {
  workspace_ = "x-duplicates";
  auto channel = Connect(Network::NETWORK_X, "e2e-token");
  std::vector<std::string> ids;
  for (const char* request_id : {"first-of-two", "second-of-two"}) {
    sched::CreatePostRequest r;
    r.set_workspace_id(workspace_);
    r.set_request_id(request_id);  // two posts, not one asked twice
    r.set_text("same words on X");
    r.add_channel_ids(channel.id());
    r.set_publish_now(true);
    sched::Post post;
    ASSERT_TRUE(Stub<sched::SchedulerService>("scheduler")->CreatePost(Ctx().get(), r, &post).ok());
    ids.push_back(post.id());
  }
  ASSERT_NE(ids[0], ids[1]);
  EXPECT_TRUE(Eventually([&] {
    auto a = StateOf(ids[0]), b = StateOf(ids[1]);
    return (a == sched::POST_STATE_PUBLISHED || a == sched::POST_STATE_FAILED) &&
           (b == sched::POST_STATE_PUBLISHED || b == sched::POST_STATE_FAILED);
  })) << p_->Logs();
  int published = (StateOf(ids[0]) == sched::POST_STATE_PUBLISHED) + (StateOf(ids[1]) == sched::POST_STATE_PUBLISHED);
  EXPECT_EQ(published, 1) << p_->Logs();
  EXPECT_EQ(LedgerCounts()["same words on X"], 1);
  pub::GetChannelRequest g;
  g.set_workspace_id(workspace_);
  g.set_channel_id(channel.id());
  pub::Channel out;
  ASSERT_TRUE(Stub<pub::PublisherService>("publisher")->GetChannel(Ctx().get(), g, &out).ok());
  EXPECT_EQ(out.status(), pub::CHANNEL_STATUS_ACTIVE);
  auto next = CreatePosts({"different words on X"}, {channel.id()});
  EXPECT_TRUE(Eventually([&] { return StateOf(next[0]) == sched::POST_STATE_PUBLISHED; })) << p_->Logs();
}

// A text over X's limit, asked to be split, is published as a thread on X:
// numbered parts, each replying to the one before, each exactly once.
// Without the ask the same text is refused when written.
TEST_F(Channels, ALongPostGoesOutAsAThreadOnX) {
  workspace_ = "threads";
  auto x = Connect(Network::NETWORK_X, "e2e-token");
  std::string text;
  for (int i = 0; i < 90; ++i) text += "thread" + std::to_string(i) + " ";
  sched::CreatePostRequest r;
  r.set_workspace_id(workspace_);
  r.set_request_id("long-without-split");
  r.set_text(text);
  r.add_channel_ids(x.id());
  r.set_publish_now(true);
  sched::Post post;
  auto scheduler = Stub<sched::SchedulerService>("scheduler");
  EXPECT_EQ(scheduler->CreatePost(Ctx().get(), r, &post).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  r.set_request_id("long-as-thread");
  r.set_split_into_thread(true);
  ASSERT_TRUE(scheduler->CreatePost(Ctx().get(), r, &post).ok());
  ASSERT_EQ(WaitPublished({post.id()}, std::chrono::seconds(60)), 1u) << p_->Logs();
  std::vector<json> parts;
  for (const auto& e : HttpJson("GET", p_->simulator_url() + "/_sim/ledger")) {
    if (e.value("text", "").rfind("thread0 ", 0) == 0 || e.value("text", "").find(" thread") != std::string::npos) {
      if (e.value("text", "").find("/") != std::string::npos) parts.push_back(e);
    }
  }
  ASSERT_GE(parts.size(), 3u);
  for (size_t k = 0; k < parts.size(); ++k) {
    std::string want = std::to_string(k + 1) + "/" + std::to_string(parts.size());
    EXPECT_NE(parts[k].value("text", "").find(want), std::string::npos) << parts[k].dump();
    EXPECT_EQ(parts[k].value("in_reply_to_id", ""), k == 0 ? "" : parts[k - 1].value("id", ""));
  }
}

// Images through the whole platform: one post with three images goes out as
// an Instagram carousel and as a Mastodon status with three uploads; an image
// Instagram cannot take fails that post alone, saying why, and nothing lands.
TEST_F(Channels, MediaAndCarouselsArePublishedWithEveryImage) {
  workspace_ = "media";
  auto ig = Connect(Network::NETWORK_INSTAGRAM, "e2e-token");
  auto mastodon = Connect(Network::NETWORK_MASTODON, "e2e-token");
  auto scheduler = Stub<sched::SchedulerService>("scheduler");
  const std::string media = p_->simulator_url() + "/_sim/media/";
  sched::CreatePostRequest r;
  r.set_workspace_id(workspace_);
  r.set_request_id("three-images");
  r.set_text("three views of the launch");
  for (int i = 1; i <= 3; ++i) r.add_media_urls(media + "launch" + std::to_string(i) + ".jpg?bytes=" + std::to_string(3000 * i));
  r.add_channel_ids(ig.id());
  r.add_channel_ids(mastodon.id());
  r.set_publish_now(true);
  sched::Post post;
  ASSERT_TRUE(scheduler->CreatePost(Ctx().get(), r, &post).ok());
  ASSERT_EQ(WaitPublished({post.id()}, std::chrono::seconds(60)), 1u) << p_->Logs();
  std::map<std::string, json> landed;
  for (const auto& e : HttpJson("GET", p_->simulator_url() + "/_sim/ledger")) {
    if (e.value("text", "") == "three views of the launch") landed[e.value("network", "")] = e;
  }
  ASSERT_EQ(landed.size(), 2u);
  for (const auto& [network, e] : landed) {
    SCOPED_TRACE(network);
    ASSERT_EQ(e["media"].size(), 3u) << e.dump();
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(e["media"][i]["type"], "image/jpeg");
      EXPECT_EQ(e["media"][i]["bytes"], 3000 * (i + 1));
    }
  }

  r.set_request_id("a-png-on-instagram");
  r.set_text("instagram takes only JPEG");
  r.clear_media_urls();
  r.add_media_urls(media + "diagram.png");
  r.clear_channel_ids();
  r.add_channel_ids(ig.id());
  ASSERT_TRUE(scheduler->CreatePost(Ctx().get(), r, &post).ok());
  Eventually([&] { return StateOf(post.id()) == sched::POST_STATE_FAILED; }, std::chrono::seconds(60));
  sched::GetPostRequest g;
  g.set_workspace_id(workspace_);
  g.set_post_id(post.id());
  ASSERT_TRUE(scheduler->GetPost(Ctx().get(), g, &post).ok());
  EXPECT_EQ(post.state(), sched::POST_STATE_FAILED);
  EXPECT_NE(post.DebugString().find("JPEG"), std::string::npos) << post.DebugString();
  EXPECT_EQ(LedgerCounts().count("instagram takes only JPEG"), 0u);
}

TEST_F(Channels, RepliesLandInTheThreadOnXAndAsCommentsOnLinkedIn) {
  auto x = Connect(Network::NETWORK_X, "e2e-token");
  auto first = CreatePosts({"the post a fan answered"}, {x.id()});
  ASSERT_EQ(WaitPublished(first, std::chrono::seconds(60)), 1u) << p_->Logs();
  std::string parent;
  for (const auto& e : HttpJson("GET", p_->simulator_url() + "/_sim/ledger")) {
    if (e.value("text", "") == "the post a fan answered") parent = e.value("id", "");
  }
  ASSERT_FALSE(parent.empty());

  auto scheduler = Stub<sched::SchedulerService>("scheduler");
  sched::CreatePostRequest r;
  r.set_workspace_id(workspace_);
  r.set_request_id("reply-1");
  r.set_text("thanks for asking!");
  r.add_channel_ids(x.id());
  r.set_publish_now(true);
  r.set_in_reply_to_remote_id(parent);
  sched::Post reply;
  ASSERT_TRUE(scheduler->CreatePost(Ctx().get(), r, &reply).ok());
  EXPECT_EQ(reply.in_reply_to_remote_id(), parent);
  ASSERT_EQ(WaitPublished({reply.id()}, std::chrono::seconds(60)), 1u) << p_->Logs();
  int found = 0;
  for (const auto& e : HttpJson("GET", p_->simulator_url() + "/_sim/ledger")) {
    if (e.value("text", "") != "thanks for asking!") continue;
    ++found;
    EXPECT_EQ(e.value("in_reply_to_id", ""), parent);
  }
  EXPECT_EQ(found, 1);

  // On LinkedIn a reply is a comment on the post, through the same API.
  pub::ConnectChannelRequest li;
  li.set_workspace_id(workspace_);
  li.set_network(Network::NETWORK_LINKEDIN);
  li.set_base_url(p_->simulator_url());
  li.set_access_token("e2e-token");
  pub::Channel linkedin;
  ASSERT_TRUE(Stub<pub::PublisherService>("publisher")->ConnectChannel(Ctx().get(), li, &linkedin).ok());
  auto li_post = CreatePosts({"a LinkedIn post a fan answered"}, {linkedin.id()});
  ASSERT_EQ(WaitPublished(li_post, std::chrono::seconds(60)), 1u) << p_->Logs();
  std::string li_parent;
  for (const auto& e : HttpJson("GET", p_->simulator_url() + "/_sim/ledger")) {
    if (e.value("text", "") == "a LinkedIn post a fan answered") li_parent = e.value("id", "");
  }
  ASSERT_FALSE(li_parent.empty());
  r.set_request_id("reply-2");
  r.set_text("a comment on LinkedIn");
  r.set_channel_ids(0, linkedin.id());
  r.set_in_reply_to_remote_id("urn:li:share:" + li_parent);
  ASSERT_TRUE(scheduler->CreatePost(Ctx().get(), r, &reply).ok());
  ASSERT_EQ(WaitPublished({reply.id()}, std::chrono::seconds(60)), 1u) << p_->Logs();
  found = 0;
  for (const auto& e : HttpJson("GET", p_->simulator_url() + "/_sim/ledger")) {
    if (e.value("text", "") != "a comment on LinkedIn") continue;
    ++found;
    EXPECT_EQ(e.value("in_reply_to_id", ""), li_parent);
  }
  EXPECT_EQ(found, 1);
}

// The unified inbox answers a mention through the listener: the reply becomes
// a post on the mention's channel, in its thread.
TEST_F(Channels, AReplyFromTheInboxLandsUnderTheMention) {
  auto mastodon = Connect(Network::NETWORK_MASTODON, "e2e-token");
  json mention = {{"webhook_url", p_->listener_url() + "/v1/webhooks/mastodon/" + workspace_ + "/" + mastodon.id()},
                  {"author", "fan"},
                  {"text", "@brand when is the launch?"},
                  {"id", "4242"}};
  ASSERT_EQ(HttpJson("POST", p_->simulator_url() + "/_sim/mention", mention.dump()).value("webhook_status", 0), 202);
  auto listener = Stub<herald::listener::v1::ListenerService>("listener");
  herald::listener::v1::ListInboxRequest l;
  l.set_workspace_id(workspace_);
  herald::listener::v1::ListInboxResponse inbox;
  ASSERT_TRUE(listener->ListInbox(Ctx().get(), l, &inbox).ok());
  ASSERT_EQ(inbox.items_size(), 1);
  EXPECT_EQ(inbox.items(0).remote_id(), "4242");

  herald::listener::v1::ReplyRequest r;
  r.set_workspace_id(workspace_);
  r.set_item_id(inbox.items(0).id());
  herald::listener::v1::ReplyResponse out;
  auto s = listener->Reply(Ctx().get(), r, &out);  // no text
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("text"), std::string::npos);
  r.set_text("Monday at 9!");
  r.set_item_id("no-such-item");
  EXPECT_EQ(listener->Reply(Ctx().get(), r, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  r.set_item_id(inbox.items(0).id());
  ASSERT_TRUE(listener->Reply(Ctx().get(), r, &out).ok());
  herald::listener::v1::ReplyResponse again;
  ASSERT_TRUE(listener->Reply(Ctx().get(), r, &again).ok());  // a retried call
  EXPECT_EQ(again.post_id(), out.post_id());
  ASSERT_EQ(WaitPublished({out.post_id()}, std::chrono::seconds(60)), 1u) << p_->Logs();
  int found = 0;
  for (const auto& e : HttpJson("GET", p_->simulator_url() + "/_sim/ledger")) {
    if (e.value("text", "") != "Monday at 9!") continue;
    ++found;
    EXPECT_EQ(e.value("in_reply_to_id", ""), "4242");
  }
  EXPECT_EQ(found, 1);
}

}  // namespace
}  // namespace herald
