// Polling through the platform (issue 12): the listener learns the channels
// from channels.lifecycle, reads their mentions through the publisher's
// network gateway, takes an item that also came by webhook in once, and a
// listener SIGKILLed mid-poll loses nothing and doubles nothing (in the
// inbox, the conversations and the live feed).
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <csignal>
#include <map>
#include <set>

#include "common/hmac.h"
#include "common/http_client.h"
#include "herald/listener/v1/inbox.grpc.pb.h"
#include "herald/listener/v1/listener.grpc.pb.h"
#include "platform_test.h"

namespace herald {
namespace {

using herald::testing::Ctx;
using herald::testing::Eventually;
using herald::testing::HttpJson;
using herald::testing::Platform;
using herald::testing::PlatformTest;
using nlohmann::json;
namespace lst = herald::listener::v1;

class ListeningPolls : public PlatformTest {
 protected:
  void SetUp() override {
    workspace_ = "polls";
    herald::testing::PlatformOptions o;
    o.listener_poll_interval_ms = 300;
    p_ = std::make_unique<Platform>(o);
  }
  // The inbox's items by the network's id: how often each is there.
  std::map<std::string, int> Inbox() {
    lst::ListInboxRequest req;
    req.set_workspace_id(workspace_);
    req.set_page_size(500);
    lst::ListInboxResponse res;
    std::map<std::string, int> out;
    if (!Stub<lst::ListenerService>("listener")->ListInbox(Ctx().get(), req, &res).ok()) return out;
    for (const auto& item : res.items()) ++out[item.remote_id()];
    return out;
  }
  std::vector<std::string> Say(int count, const std::string& text = "") {
    json body = {{"network", "mastodon"}, {"to", "brand"}, {"count", count}};
    if (!text.empty()) body["text"] = text;
    json r = HttpJson("POST", p_->simulator_url() + "/_sim/inbound", body.dump());
    return r["ids"].get<std::vector<std::string>>();
  }
};

TEST_F(ListeningPolls, AConnectedChannelsMentionsArePolledAndAWebhookCopyIsADuplicate) {
  auto channel = Connect(herald::common::v1::NETWORK_MASTODON, "e2e-token");
  // The first poll only sets where listening starts: wait until it has.
  ASSERT_TRUE(Eventually([&] { return p_->process("listener").LogTail(200000).find("listening to channel") != std::string::npos; },
                         std::chrono::seconds(30)))
      << p_->Logs();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto said = Say(5);
  ASSERT_TRUE(Eventually([&] { return Inbox().size() >= said.size(); }, std::chrono::seconds(30))) << p_->Logs();
  auto inbox = Inbox();
  for (const auto& id : said) EXPECT_EQ(inbox[id], 1) << id;
  lst::ListInboxRequest req;
  req.set_workspace_id(workspace_);
  lst::ListInboxResponse items;
  ASSERT_TRUE(Stub<lst::ListenerService>("listener")->ListInbox(Ctx().get(), req, &items).ok());
  for (const auto& item : items.items()) {
    EXPECT_EQ(item.channel_id(), channel.id());
    EXPECT_TRUE(item.sentiment().scored()) << item.text();  // made-up English chatter is scored
  }

  // The same status by webhook after the poll took it: a duplicate.
  json mention = {{"webhook_url", p_->listener_url() + "/v1/webhooks/mastodon/" + workspace_ + "/" + channel.id()},
                  {"id", said[0]}, {"to", "brand"}, {"author", "fan"}, {"text", "again"}};
  json sent = HttpJson("POST", p_->simulator_url() + "/_sim/mention", mention.dump());
  EXPECT_EQ(sent.value("webhook_status", 0), 200) << sent.dump();
  EXPECT_NE(sent.value("webhook_body", "").find("duplicate"), std::string::npos) << sent.dump();

  // And by webhook first, then the poll: still once.
  json fresh = {{"webhook_url", p_->listener_url() + "/v1/webhooks/mastodon/" + workspace_ + "/" + channel.id()},
                {"to", "brand"}, {"author", "fan"}, {"text", "webhook first"}};
  json first = HttpJson("POST", p_->simulator_url() + "/_sim/mention", fresh.dump());
  ASSERT_EQ(first.value("webhook_status", 0), 202) << first.dump();
  auto marker = Say(1, "a later one");
  ASSERT_TRUE(Eventually([&] { return Inbox().count(marker[0]) == 1; }, std::chrono::seconds(30)));
  inbox = Inbox();
  EXPECT_EQ(inbox[first["id"].get<std::string>()], 1);
  EXPECT_EQ(inbox.size(), said.size() + 2);
}

TEST_F(ListeningPolls, AListenerKilledMidPollLosesNothingAndDoublesNothing) {
  Connect(herald::common::v1::NETWORK_MASTODON, "e2e-token");
  ASSERT_TRUE(Eventually([&] { return p_->process("listener").LogTail(200000).find("listening to channel") != std::string::npos; },
                         std::chrono::seconds(30)))
      << p_->Logs();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto said = Say(400);
  // Kill it while it is taking the pages in.
  ASSERT_TRUE(Eventually([&] { return !Inbox().empty(); }, std::chrono::seconds(30))) << p_->Logs();
  auto before = Inbox().size();
  p_->process("listener").Signal(SIGKILL);
  EXPECT_LT(before, said.size()) << "the kill came after everything was in: nothing was proven";
  p_->Restart("listener");
  ASSERT_TRUE(Eventually([&] { return Inbox().size() >= said.size(); }, std::chrono::seconds(90)))
      << "inbox holds " << Inbox().size() << " of " << said.size() << " (" << before << " before the kill)\n"
      << p_->Logs();
  std::this_thread::sleep_for(std::chrono::seconds(2));  // a doubled item would show by now
  auto inbox = Inbox();
  EXPECT_EQ(inbox.size(), said.size());
  for (const auto& id : said) EXPECT_EQ(inbox[id], 1) << id;
  for (const auto& [id, n] : inbox) EXPECT_EQ(n, 1) << id;

  // In the conversations once each too, and on the live feed once each.
  auto inbox_api = Stub<lst::InboxService>("listener");
  lst::ListConversationsRequest list;
  list.set_workspace_id(workspace_);
  list.set_page_size(500);
  lst::ListConversationsResponse conversations;
  ASSERT_TRUE(inbox_api->ListConversations(Ctx().get(), list, &conversations).ok());
  int messages = 0;
  for (const auto& c : conversations.conversations()) messages += c.message_count();
  EXPECT_EQ(messages, static_cast<int>(said.size()));
  lst::WatchInboxRequest watch;
  watch.set_workspace_id(workspace_);
  watch.set_resume_token("0-0");  // from the feed's beginning
  auto ctx = Ctx();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto reader = inbox_api->WatchInbox(ctx.get(), watch);
  std::map<std::string, int> fed;
  lst::InboxChange change;
  while (reader->Read(&change)) {
    if (change.kind() == lst::InboxChange::KIND_MESSAGE) ++fed[change.message().item_id()];
  }
  EXPECT_EQ(fed.size(), said.size());
  for (const auto& [id, n] : fed) EXPECT_EQ(n, 1) << id;
}

TEST_F(ListeningPolls, MetasAndXsOwnWebhooksAreVerifiedRoutedByAccountAndCountOnceWithPolls) {
  auto x = Connect(herald::common::v1::NETWORK_X, "e2e-token");
  auto fb = Connect(herald::common::v1::NETWORK_FACEBOOK, "e2e-token");
  // Facebook's mentions are comments on the Page's posts: one to comment on.
  ASSERT_EQ(WaitPublished(CreatePosts({"a post to comment on"}, {fb.id()}), std::chrono::seconds(60)), 1u) << p_->Logs();
  ASSERT_TRUE(Eventually([&] {
    auto log = p_->process("listener").LogTail(400000);
    return log.find(x.id()) != std::string::npos && log.find(fb.id()) != std::string::npos;
  }, std::chrono::seconds(30))) << p_->Logs();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const std::string base = p_->listener_url() + "/v1/webhooks/";

  // The subscription checks.
  HttpRequest check;
  check.url = base + "meta?hub.mode=subscribe&hub.verify_token=e2e-verify-token&hub.challenge=1158201444";
  auto answered = SendHttp(check);
  ASSERT_TRUE(answered.ok());
  EXPECT_EQ(answered->status, 200);
  EXPECT_EQ(answered->body, "1158201444");
  check.url = base + "meta?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444";
  EXPECT_EQ(SendHttp(check)->status, 403);
  json crc = HttpJson("GET", base + "x?crc_token=abc%3D%3D");
  EXPECT_EQ(crc.value("response_token", ""), Base64SignatureHeader("dev-x-consumer-secret", "abc=="));

  // Deliveries signed right are routed by the account they name.
  json xs = HttpJson("POST", p_->simulator_url() + "/_sim/inbound",
                     json{{"network", "x"}, {"to", "brand"}, {"count", 3}, {"webhook_url", base + "x"}}.dump());
  ASSERT_EQ(xs.value("webhook_status", 0), 200) << xs.dump();
  EXPECT_EQ(json::parse(xs.value("webhook_body", "{}")).value("accepted", -1), 3) << xs.dump();
  json comments = HttpJson("POST", p_->simulator_url() + "/_sim/inbound",
                           json{{"network", "facebook"}, {"to", "brand"}, {"count", 2}, {"webhook_url", base + "meta"}}.dump());
  ASSERT_EQ(comments.value("webhook_status", 0), 200) << comments.dump();
  EXPECT_EQ(json::parse(comments.value("webhook_body", "{}")).value("accepted", -1), 2) << comments.dump();
  // Signed wrong: refused, nothing stored (the poll still finds them, once).
  json forged = HttpJson("POST", p_->simulator_url() + "/_sim/inbound",
                         json{{"network", "x"}, {"to", "brand"}, {"count", 1}, {"webhook_url", base + "x"}, {"secret", "guess"}}.dump());
  EXPECT_EQ(forged.value("webhook_status", 0), 401) << forged.dump();

  // A replayed delivery (no timestamp to refuse it by) counts nothing twice.
  json replay = {{"for_user_id", x.remote_account_id()},
                 {"tweet_create_events", json::array({{{"id_str", xs["ids"][0]}, {"text", "replayed"},
                                                       {"user", {{"id_str", "42"}, {"screen_name", "someone"}}}}})}};
  HttpRequest post;
  post.method = "POST";
  post.url = base + "x";
  post.body = replay.dump();
  post.headers = {{"x-twitter-webhooks-signature", Base64SignatureHeader("dev-x-consumer-secret", post.body)}};
  auto again = SendHttp(post);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(json::parse(again->body).value("duplicates", -1), 1) << again->body;
  post.headers.clear();
  EXPECT_EQ(SendHttp(post)->status, 401);  // unsigned
  // An account no workspace listens to is acknowledged, not stored.
  replay["for_user_id"] = "999999";
  post.body = replay.dump();
  post.headers = {{"x-twitter-webhooks-signature", Base64SignatureHeader("dev-x-consumer-secret", post.body)}};
  EXPECT_EQ(json::parse(SendHttp(post)->body).value("unrouted", -1), 1);

  // The polls read the same items: each is still in the inbox once.
  std::vector<std::string> all;
  for (const auto& id : xs["ids"]) all.push_back(id);
  for (const auto& id : forged["ids"]) all.push_back(id);
  ASSERT_TRUE(Eventually([&] {
    auto inbox = Inbox();
    for (const auto& id : all) {
      if (!inbox.count(id)) return false;
    }
    return inbox.size() >= all.size() + 2;
  }, std::chrono::seconds(30))) << p_->Logs();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto inbox = Inbox();
  EXPECT_EQ(inbox.size(), all.size() + 2);
  for (const auto& [id, n] : inbox) EXPECT_EQ(n, 1) << id;
}

}  // namespace
}  // namespace herald
