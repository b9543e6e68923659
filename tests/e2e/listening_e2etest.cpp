// Listening through the platform (issue 12): rules managed over gRPC and
// with heraldctl, bounded per workspace, refused with the position of the
// error, and applied to the mentions that arrive afterwards.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <sys/wait.h>

#include <cstdio>

#include "herald/listener/v1/listener.grpc.pb.h"
#include "platform_test.h"
#include "support/process.h"

namespace herald {
namespace {

using herald::testing::Ctx;
using herald::testing::HttpJson;
using herald::testing::Platform;
using herald::testing::PlatformTest;
using nlohmann::json;
namespace lst = herald::listener::v1;

class Listening : public PlatformTest {
 protected:
  void SetUp() override {
    workspace_ = "listening";
    p_ = std::make_unique<Platform>(herald::testing::PlatformOptions{});
  }
  std::string Ctl(const std::string& args, int* status) {
    return herald::testing::RunHeraldctl(
        p_->operator_key(), "--listener " + p_->Grpc("listener") + " --workspace " + workspace_ + " " + args, status);
  }
};

TEST_F(Listening, HeraldctlManagesRulesAndARuleTagsTheMentionsItMatches) {
  int status = 0;
  auto out = Ctl("create rule Outages --query '(herald OR acme) AND (down OR outage' --tags incident", &status);
  EXPECT_EQ(status, 1);
  EXPECT_NE(out.find("InvalidArgument"), std::string::npos) << out;
  EXPECT_NE(out.find("query: at 37: expected ')' to close the '(' at 22"), std::string::npos) << out;
  out = Ctl("create rule Outages --query '(herald OR acme) AND (down OR outage) NOT maintenance' --tags incident,brand "
            "-o json",
            &status);
  ASSERT_EQ(status, 0) << out;
  auto rule = json::parse(out, nullptr, false);
  ASSERT_TRUE(rule.is_object()) << out;
  const std::string id = rule["id"];
  out = Ctl("get rules", &status);
  EXPECT_EQ(status, 0);
  EXPECT_NE(out.find(id), std::string::npos) << out;
  EXPECT_NE(out.find("incident,brand"), std::string::npos) << out;

  // A mention that matches is tagged; one that does not is not.
  auto listener = Stub<lst::ListenerService>("listener");
  lst::GetWebhookSecretRequest secret_req;
  secret_req.set_workspace_id(workspace_);
  for (const auto& [mid, text] : {std::pair<std::string, std::string>{"9001", "is herald down for anyone else?"},
                                  {"9002", "herald down for maintenance tonight"}}) {
    json mention = {{"webhook_url", p_->listener_url() + "/v1/webhooks/mastodon/" + workspace_ + "/ch1"},
                    {"author", "fan"},
                    {"text", text},
                    {"id", mid}};
    json sent = HttpJson("POST", p_->simulator_url() + "/_sim/mention", mention.dump());
    ASSERT_EQ(sent.value("webhook_status", 0), 202) << sent.dump() << p_->Logs();
  }
  lst::ListInboxRequest inbox_req;
  inbox_req.set_workspace_id(workspace_);
  lst::ListInboxResponse inbox;
  ASSERT_TRUE(listener->ListInbox(Ctx().get(), inbox_req, &inbox).ok());
  ASSERT_EQ(inbox.items_size(), 2);
  for (const auto& item : inbox.items()) {
    SCOPED_TRACE(item.text());
    bool outage = item.text().find("anyone") != std::string::npos;
    ASSERT_EQ(item.rule_ids_size(), outage ? 1 : 0);
    if (outage) {
      EXPECT_EQ(item.rule_ids(0), id);
      EXPECT_EQ(item.tags_size(), 2);
    }
  }

  out = Ctl("delete rule " + id, &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("deleted"), std::string::npos) << out;
  out = Ctl("delete rule " + id, &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("not found (nothing deleted)"), std::string::npos) << out;
}

TEST_F(Listening, AWorkspaceHoldsAtMostAHundredRules) {
  auto listener = Stub<lst::ListenerService>("listener");
  lst::CreateRuleRequest r;
  r.set_workspace_id(workspace_);
  r.set_name("rule");
  lst::ListeningRule rule;
  for (int i = 0; i < 100; ++i) {
    r.set_query("word" + std::to_string(i));
    r.set_request_id("r" + std::to_string(i));
    ASSERT_TRUE(listener->CreateRule(Ctx().get(), r, &rule).ok()) << i;
  }
  r.set_query("one too many");
  r.set_request_id("r100");
  grpc::Status over = listener->CreateRule(Ctx().get(), r, &rule);
  EXPECT_EQ(over.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << over.error_message();
  r.set_request_id("r7");  // a retry of one that exists still answers, with the first
  ASSERT_TRUE(listener->CreateRule(Ctx().get(), r, &rule).ok());
  EXPECT_EQ(rule.query(), "word7");
  lst::ListRulesRequest list;
  list.set_workspace_id(workspace_);
  lst::ListRulesResponse rules;
  ASSERT_TRUE(listener->ListRules(Ctx().get(), list, &rules).ok());
  EXPECT_EQ(rules.rules_size(), 100);
}

}  // namespace
}  // namespace herald
