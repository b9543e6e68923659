// Polling through the platform (issue 12): the listener learns the channels
// from channels.lifecycle, reads their mentions through the publisher's
// network gateway, takes an item that also came by webhook in once, and a
// listener SIGKILLed mid-poll loses nothing and doubles nothing.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <csignal>
#include <map>
#include <set>

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
}

}  // namespace
}  // namespace herald
