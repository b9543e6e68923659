// Outbound event webhooks through the whole platform (issue 4): a post
// published and a post failed reach a subscribed receiver, signed; attempts
// are listed by the API; bad input is refused naming the field.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <sys/wait.h>

#include <cstdio>

#include "common/hmac.h"
#include "herald/publisher/v1/webhooks.grpc.pb.h"
#include "platform_test.h"
#include "support/http_receiver.h"
#include "support/process.h"

namespace herald {
namespace {

using herald::testing::Ctx;
using herald::testing::Eventually;
using herald::testing::HttpJson;
using herald::testing::Platform;
using herald::testing::PlatformTest;
using nlohmann::json;
namespace pub = herald::publisher::v1;
using herald::common::v1::Network;

class Webhooks : public PlatformTest {
 protected:
  void SetUp() override {
    workspace_ = "webhooks";
    herald::testing::PlatformOptions o;
    o.publisher_args = {"--webhook-backoff-base-ms=500"};  // retries a second apart at most
    p_ = std::make_unique<Platform>(o);
  }
  std::vector<httplib::Request> Received() { return receiver_.requests(); }

  // The first delivery of each event fails: the retry must bring it.
  std::map<std::string, int> tries_;
  herald::testing::HttpReceiver receiver_{[this](const httplib::Request& req, size_t) {
    return ++tries_[req.get_header_value("X-Herald-Event-Id")] == 1 ? 500 : 200;
  }};
};

TEST_F(Webhooks, PublishedAndFailedPostsReachTheReceiverSignedAfterARetry) {
  auto api = Stub<pub::WebhookService>("publisher");
  pub::CreateWebhookRequest c;
  c.set_workspace_id(workspace_);
  c.set_url(receiver_.url());
  c.add_event_types("post.published");
  c.add_event_types("post.failed");
  pub::Webhook hook;
  ASSERT_TRUE(api->CreateWebhook(Ctx().get(), c, &hook).ok());
  ASSERT_EQ(hook.secret().rfind("whsec_", 0), 0u);

  auto good = Connect(Network::NETWORK_X, "e2e-token");
  auto revoked = Connect(Network::NETWORK_MASTODON, "other-token");
  HttpJson("POST", p_->simulator_url() + "/_sim/revoke", json{{"token", "other-token"}}.dump());
  auto ids = CreatePosts({"announced by webhook", "fails, announced too"}, {good.id(), revoked.id()});

  // Each event: one failed try, then delivered.
  ASSERT_TRUE(Eventually([&] { return Received().size() >= 4; }, std::chrono::seconds(90))) << p_->Logs();
  std::map<std::string, json> delivered;
  for (const auto& r : Received()) {
    int64_t t = std::atoll(r.get_header_value("X-Herald-Signature").substr(2).c_str());
    EXPECT_TRUE(VerifyTimestampedSignature(hook.secret(), r.body, r.get_header_value("X-Herald-Signature"), t));
    auto body = json::parse(r.body);
    if (r.get_header_value("X-Herald-Delivery-Attempt") == "2") delivered[body["type"]] = body;
  }
  ASSERT_EQ(delivered.count("post.published"), 1u);
  ASSERT_EQ(delivered.count("post.failed"), 1u);
  EXPECT_EQ(delivered["post.published"]["data"]["post_id"], ids[0]);
  EXPECT_EQ(delivered["post.failed"]["data"]["post_id"], ids[1]);
  EXPECT_EQ(delivered["post.failed"]["data"]["error_class"], "auth");

  pub::ListWebhookAttemptsRequest l;
  l.set_workspace_id(workspace_);
  l.set_webhook_id(hook.id());
  pub::ListWebhookAttemptsResponse attempts;
  ASSERT_TRUE(Eventually([&] {
    attempts.Clear();
    return api->ListWebhookAttempts(Ctx().get(), l, &attempts).ok() && attempts.attempts_size() >= 4;
  }));
  int delivered_attempts = 0, retrying = 0;
  for (const auto& a : attempts.attempts()) {
    delivered_attempts += a.outcome() == pub::WEBHOOK_ATTEMPT_OUTCOME_DELIVERED;
    retrying += a.outcome() == pub::WEBHOOK_ATTEMPT_OUTCOME_RETRYING && a.http_status() == 500;
  }
  EXPECT_EQ(delivered_attempts, 2);
  EXPECT_EQ(retrying, 2);
  // The secret is never shown again.
  pub::ListWebhooksRequest lw;
  lw.set_workspace_id(workspace_);
  pub::ListWebhooksResponse hooks;
  ASSERT_TRUE(api->ListWebhooks(Ctx().get(), lw, &hooks).ok());
  ASSERT_EQ(hooks.webhooks_size(), 1);
  EXPECT_TRUE(hooks.webhooks(0).secret().empty());
}

TEST_F(Webhooks, BadInputIsRefusedNamingTheFieldAndStoresNothing) {
  auto api = Stub<pub::WebhookService>("publisher");
  pub::CreateWebhookRequest c;
  c.set_workspace_id(workspace_);
  c.set_url(receiver_.url());
  c.add_event_types("post.teleported");
  pub::Webhook hook;
  auto s = api->CreateWebhook(Ctx().get(), c, &hook);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("event_types[0]"), std::string::npos);
  c.set_event_types(0, "post.published");
  c.set_url("not a url");
  s = api->CreateWebhook(Ctx().get(), c, &hook);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("url"), std::string::npos);
  pub::ListWebhookAttemptsRequest l;
  l.set_workspace_id(workspace_);
  l.set_webhook_id("wh_missing");
  l.set_page_size(5000);
  pub::ListWebhookAttemptsResponse attempts;
  s = api->ListWebhookAttempts(Ctx().get(), l, &attempts);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("page_size"), std::string::npos);
  l.set_page_size(10);
  EXPECT_EQ(api->ListWebhookAttempts(Ctx().get(), l, &attempts).error_code(), grpc::StatusCode::NOT_FOUND);
  pub::ListWebhooksRequest lw;
  lw.set_workspace_id(workspace_);
  pub::ListWebhooksResponse hooks;
  ASSERT_TRUE(api->ListWebhooks(Ctx().get(), lw, &hooks).ok());
  EXPECT_EQ(hooks.webhooks_size(), 0);
}

// heraldctl, like kubectl: create, list and delete a webhook; errors name the field.
TEST_F(Webhooks, HeraldctlManagesWebhooks) {
  auto run = [&](const std::string& args, int* status) {
    return herald::testing::RunHeraldctl(
        p_->operator_key(), "--publisher " + p_->Grpc("publisher") + " --workspace " + workspace_ + " " + args, status);
  };
  int status = 0;
  std::string url = receiver_.url();
  auto out = run("create webhook --url " + url + " --events post.published,post.teleported", &status);
  EXPECT_EQ(status, 1);
  EXPECT_NE(out.find("InvalidArgument"), std::string::npos) << out;
  EXPECT_NE(out.find("event_types[1]"), std::string::npos) << out;
  out = run("create webhook --url " + url + " --events post.published,post.failed -o json", &status);
  ASSERT_EQ(status, 0) << out;
  auto created = json::parse(out, nullptr, false);
  ASSERT_TRUE(created.is_object()) << out;
  EXPECT_EQ(created["secret"].get<std::string>().rfind("whsec_", 0), 0u);
  out = run("get webhooks", &status);
  EXPECT_EQ(status, 0);
  EXPECT_NE(out.find(created["id"].get<std::string>()), std::string::npos) << out;
  EXPECT_NE(out.find("post.published,post.failed"), std::string::npos) << out;
  EXPECT_EQ(out.find("whsec_"), std::string::npos) << "a listing shows no secret";
  out = run("delete webhook " + created["id"].get<std::string>(), &status);
  EXPECT_EQ(status, 0) << out;
  out = run("get attempts " + created["id"].get<std::string>(), &status);
  EXPECT_EQ(status, 1);
  EXPECT_NE(out.find("NotFound"), std::string::npos) << out;
}

}  // namespace
}  // namespace herald
