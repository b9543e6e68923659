// The team inbox through the running platform (issue 12): mentions arrive by
// webhook and become conversations, auto-assigned round-robin; agents work
// them over gRPC; a reply goes out on the network and is recorded; the live
// WatchInbox stream, cut and resumed from its last token, misses nothing and
// repeats nothing; bad input is refused naming the field.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <sys/wait.h>

#include <cstdio>
#include <future>
#include <thread>

#include "common/time_util.h"
#include "herald/listener/v1/inbox.grpc.pb.h"
#include "herald/listener/v1/listener.grpc.pb.h"
#include "platform_test.h"
#include "support/process.h"

namespace herald {
namespace {

using herald::testing::Ctx;
using herald::testing::HttpJson;
using herald::testing::NowMs;
using herald::testing::Platform;
using herald::testing::PlatformTest;
using nlohmann::json;
namespace lst = herald::listener::v1;

// A watch read on its own thread: what it has received so far.
class Watch {
 public:
  Watch(lst::InboxService::Stub& stub, const std::string& workspace, const std::string& token) {
    lst::WatchInboxRequest req;
    req.set_workspace_id(workspace);
    req.set_resume_token(token);
    ctx_ = Ctx();
    ctx_->set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));  // a watch is long
    reader_ = stub.WatchInbox(ctx_.get(), req);
    thread_ = std::thread([this] {
      lst::InboxChange change;
      while (reader_->Read(&change)) {
        std::lock_guard lock(mu_);
        changes_.push_back(change);
      }
      std::lock_guard lock(mu_);
      status_ = reader_->Finish();
      ended_ = true;
    });
  }
  ~Watch() { Cut(); }
  // Waits until `n` changes arrived (or the stream ended, or 20 s).
  std::vector<lst::InboxChange> WaitFor(size_t n) {
    for (int i = 0; i < 400; ++i) {
      {
        std::lock_guard lock(mu_);
        if (changes_.size() >= n || ended_) return changes_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::lock_guard lock(mu_);
    return changes_;
  }
  // The client goes away (a dropped connection, as far as the server knows).
  void Cut() {
    if (!thread_.joinable()) return;
    ctx_->TryCancel();
    thread_.join();
  }
  grpc::Status status() {
    std::lock_guard lock(mu_);
    return status_;
  }

 private:
  std::unique_ptr<grpc::ClientContext> ctx_;
  std::unique_ptr<grpc::ClientReader<lst::InboxChange>> reader_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<lst::InboxChange> changes_;
  grpc::Status status_;
  bool ended_ = false;
};

class TeamInbox : public PlatformTest {
 protected:
  static void SetUpTestSuite() { shared_ = new Platform(); }
  static void TearDownTestSuite() { delete shared_; }
  void SetUp() override {
    p_.reset(shared_);
    inbox_ = Stub<lst::InboxService>("listener");
  }
  void TearDown() override { (void)p_.release(); }

  // A mention by webhook into channel `channel`; its thread is its own id.
  void Mention(const std::string& channel, const std::string& id, const std::string& text) {
    json mention = {{"webhook_url", p_->listener_url() + "/v1/webhooks/mastodon/" + workspace_ + "/" + channel},
                    {"author", "fan" + id},
                    {"text", text},
                    {"id", id}};
    json sent = HttpJson("POST", p_->simulator_url() + "/_sim/mention", mention.dump());
    ASSERT_EQ(sent.value("webhook_status", 0), 202) << sent.dump();
  }
  std::vector<lst::Conversation> Conversations() {
    lst::ListConversationsRequest req;
    req.set_workspace_id(workspace_);
    lst::ListConversationsResponse out;
    auto s = inbox_->ListConversations(Ctx().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {out.conversations().begin(), out.conversations().end()};
  }
  lst::ConversationRef Ref(const std::string& id) {
    lst::ConversationRef ref;
    ref.set_workspace_id(workspace_);
    ref.set_conversation_id(id);
    return ref;
  }

  // heraldctl against this platform's listener; its output and exit code.
  std::string Ctl(const std::string& args, int* status) {
    return herald::testing::RunHeraldctl(
        p_->operator_key(), "--listener " + p_->Grpc("listener") + " --workspace " + workspace_ + " " + args, status);
  }

  static inline Platform* shared_ = nullptr;
  std::unique_ptr<lst::InboxService::Stub> inbox_;
};

TEST_F(TeamInbox, MentionsBecomeConversationsAgentsWorkThemAndAResumedWatchMissesNothing) {
  workspace_ = "inbox-flow";
  lst::PutAgentRequest agent;
  agent.set_workspace_id(workspace_);
  agent.set_agent_id("ana");
  agent.set_available(true);
  agent.set_capacity(10);
  lst::Agent put;
  ASSERT_TRUE(inbox_->PutAgent(Ctx().get(), agent, &put).ok());

  auto watch = std::make_unique<Watch>(*inbox_, workspace_, "");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the watch is in place
  for (const char* id : {"7001", "7002", "7003"}) Mention("ch1", id, std::string("help with order ") + id);
  auto seen = watch->WaitFor(3);
  ASSERT_EQ(seen.size(), 3u) << p_->Logs();
  for (const auto& c : seen) {
    EXPECT_EQ(c.kind(), lst::InboxChange::KIND_MESSAGE);
    EXPECT_EQ(c.conversation().assignee_id(), "ana") << "auto-assigned to the only agent";
    EXPECT_EQ(c.conversation().state(), lst::CONVERSATION_STATE_ASSIGNED);
  }
  auto conversations = Conversations();
  ASSERT_EQ(conversations.size(), 3u);
  const std::string token = seen.back().token();
  watch->Cut();

  // While nobody watches: a close, a note, a tag.
  const std::string first = seen[0].conversation().id(), second = seen[1].conversation().id();
  lst::Conversation out;
  ASSERT_TRUE(inbox_->CloseConversation(Ctx().get(), Ref(first), &out).ok());
  EXPECT_EQ(out.state(), lst::CONVERSATION_STATE_CLOSED);
  lst::AddNoteRequest note;
  note.set_workspace_id(workspace_);
  note.set_conversation_id(second);
  note.set_text("asked the warehouse");
  lst::ConversationMessage noted;
  ASSERT_TRUE(inbox_->AddNote(Ctx().get(), note, &noted).ok());
  lst::TagConversationRequest tag;
  tag.set_workspace_id(workspace_);
  tag.set_conversation_id(second);
  tag.add_add("shipping");
  ASSERT_TRUE(inbox_->TagConversation(Ctx().get(), tag, &out).ok());

  // Resumed from the token: exactly those three, in order, then live again.
  watch = std::make_unique<Watch>(*inbox_, workspace_, token);
  auto resumed = watch->WaitFor(3);
  ASSERT_EQ(resumed.size(), 3u);
  EXPECT_EQ(resumed[0].kind(), lst::InboxChange::KIND_UPDATED);
  EXPECT_EQ(resumed[0].conversation().state(), lst::CONVERSATION_STATE_CLOSED);
  EXPECT_EQ(resumed[1].kind(), lst::InboxChange::KIND_NOTE);
  EXPECT_EQ(resumed[1].message().text(), "asked the warehouse");
  EXPECT_EQ(resumed[2].kind(), lst::InboxChange::KIND_UPDATED);
  EXPECT_EQ(resumed[2].conversation().tags_size(), 1);
  Mention("ch1", "7004", "another question");
  auto live = watch->WaitFor(4);
  ASSERT_EQ(live.size(), 4u);
  EXPECT_EQ(live[3].kind(), lst::InboxChange::KIND_MESSAGE);
  EXPECT_NE(live[3].token(), live[2].token());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(watch->WaitFor(5).size(), 4u) << "nothing twice";

  // The customer writes into the closed conversation: reopened, to its agent.
  json again = {{"webhook_url", p_->listener_url() + "/v1/webhooks/mastodon/" + workspace_ + "/ch1"},
                {"author", "fan7001"},
                {"text", "actually it is still missing"},
                {"id", "7005"},
                {"in_reply_to_id", "7001"}};
  ASSERT_EQ(HttpJson("POST", p_->simulator_url() + "/_sim/mention", again.dump()).value("webhook_status", 0), 202);
  auto reopened = watch->WaitFor(5);
  ASSERT_EQ(reopened.size(), 5u) << watch->status().error_message() << " " << Conversations().size() << p_->Logs();
  EXPECT_EQ(reopened[4].conversation().id(), first);
  EXPECT_EQ(reopened[4].conversation().state(), lst::CONVERSATION_STATE_ASSIGNED);
  EXPECT_EQ(reopened[4].conversation().message_count(), 2);
}

TEST_F(TeamInbox, AReplyGoesOutOnTheNetworkAndIsRecordedInTheConversation) {
  workspace_ = "inbox-reply";
  auto mastodon = Connect(herald::common::v1::NETWORK_MASTODON, "e2e-token");
  Mention(mastodon.id(), "8101", "@brand is the sale still on?");
  auto conversations = Conversations();
  ASSERT_EQ(conversations.size(), 1u);
  lst::CreateSavedReplyRequest saved;
  saved.set_workspace_id(workspace_);
  saved.set_name("sale");
  saved.set_text("Hi {{author}}, yes until Sunday!");
  lst::SavedReply stored;
  ASSERT_TRUE(inbox_->CreateSavedReply(Ctx().get(), saved, &stored).ok());
  lst::ReplyToConversationRequest reply;
  reply.set_workspace_id(workspace_);
  reply.set_conversation_id(conversations[0].id());
  reply.set_saved_reply_id(stored.id());
  reply.set_request_id("answer-1");
  lst::ConversationMessage sent, again;
  auto s = inbox_->ReplyToConversation(Ctx().get(), reply, &sent);
  ASSERT_TRUE(s.ok()) << s.error_message() << p_->Logs();
  ASSERT_TRUE(inbox_->ReplyToConversation(Ctx().get(), reply, &again).ok());
  EXPECT_EQ(again.post_id(), sent.post_id());
  ASSERT_EQ(WaitPublished({sent.post_id()}, std::chrono::seconds(60)), 1u) << p_->Logs();
  int found = 0;
  for (const auto& e : HttpJson("GET", p_->simulator_url() + "/_sim/ledger")) {
    if (e.value("text", "") != "Hi fan8101, yes until Sunday!") continue;
    ++found;
    EXPECT_EQ(e.value("in_reply_to_id", ""), "8101");
  }
  EXPECT_EQ(found, 1);
  lst::GetConversationRequest get;
  get.set_workspace_id(workspace_);
  get.set_conversation_id(conversations[0].id());
  lst::ConversationDetail detail;
  ASSERT_TRUE(inbox_->GetConversation(Ctx().get(), get, &detail).ok());
  ASSERT_EQ(detail.messages_size(), 2);
  EXPECT_EQ(detail.messages(1).kind(), lst::MESSAGE_KIND_AGENT_REPLY);
  EXPECT_EQ(detail.messages(1).post_id(), sent.post_id());
  EXPECT_TRUE(detail.conversation().human_took_over());
}

TEST_F(TeamInbox, BadInputIsRefusedNamingTheFieldAndChangesNothing) {
  workspace_ = "inbox-bad";
  Mention("ch1", "9101", "hello");
  auto conversations = Conversations();
  ASSERT_EQ(conversations.size(), 1u);
  const std::string id = conversations[0].id();
  auto refused = [](const grpc::Status& s, grpc::StatusCode code, const std::string& field) {
    EXPECT_EQ(s.error_code(), code) << s.error_message();
    EXPECT_NE(s.error_message().find(field), std::string::npos) << s.error_message();
  };
  lst::Conversation out;
  lst::SnoozeConversationRequest snooze;
  snooze.set_workspace_id(workspace_);
  snooze.set_conversation_id(id);
  *snooze.mutable_until() = FromMs(NowMs() - 1000);
  refused(inbox_->SnoozeConversation(Ctx().get(), snooze, &out), grpc::StatusCode::INVALID_ARGUMENT, "until");
  lst::TagConversationRequest tag;
  tag.set_workspace_id(workspace_);
  tag.set_conversation_id(id);
  tag.add_add("ok");
  tag.add_add("Not OK");
  refused(inbox_->TagConversation(Ctx().get(), tag, &out), grpc::StatusCode::INVALID_ARGUMENT, "add[1]");
  lst::SetSlaPolicyRequest sla;
  sla.set_workspace_id(workspace_);
  auto* hours = sla.mutable_policy()->add_hours();
  hours->set_weekday(1);
  hours->set_start_minute(600);
  hours->set_end_minute(500);
  sla.mutable_policy()->set_time_zone("Europe/Paris");
  lst::SlaPolicy policy;
  refused(inbox_->SetSlaPolicy(Ctx().get(), sla, &policy), grpc::StatusCode::INVALID_ARGUMENT,
          "policy.hours[0].end_minute");
  lst::PutAgentRequest agent;
  agent.set_workspace_id(workspace_);
  agent.set_agent_id("ana");
  agent.set_capacity(0);
  lst::Agent put;
  refused(inbox_->PutAgent(Ctx().get(), agent, &put), grpc::StatusCode::INVALID_ARGUMENT, "capacity");
  ASSERT_TRUE(inbox_->CloseConversation(Ctx().get(), Ref(id), &out).ok());
  refused(inbox_->CloseConversation(Ctx().get(), Ref(id), &out), grpc::StatusCode::FAILED_PRECONDITION, "closed");
  refused(inbox_->CloseConversation(Ctx().get(), Ref("c_0000000000000000"), &out), grpc::StatusCode::NOT_FOUND,
          "conversation");
  Watch bad(*inbox_, workspace_, "not-a-token");
  bad.WaitFor(1);
  refused(bad.status(), grpc::StatusCode::INVALID_ARGUMENT, "resume_token");
  // Nothing above changed the conversation but the one close.
  auto after = Conversations();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].state(), lst::CONVERSATION_STATE_CLOSED);
  EXPECT_EQ(after[0].tags_size(), 0);
  lst::GetSlaPolicyRequest get;
  get.set_workspace_id(workspace_);
  ASSERT_TRUE(inbox_->GetSlaPolicy(Ctx().get(), get, &policy).ok());
  EXPECT_EQ(policy.hours_size(), 0);
}

TEST_F(TeamInbox, HeraldctlWorksTheInboxLikeKubectl) {
  workspace_ = "inbox-ctl";
  int status = 0;
  auto out = Ctl("put agent ana --name Ana --capacity 5", &status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("agent/ana available, 0/5 open"), std::string::npos) << out;
  // A watch in the background sees the mention arrive.
  auto watched = std::async(std::launch::async, [&] {
    int s = 0;
    return Ctl("watch inbox --max 1", &s);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  Mention("ch1", "6101", "where is my parcel?");
  auto line = watched.get();
  EXPECT_NE(line.find("message"), std::string::npos) << line;
  EXPECT_NE(line.find("where is my parcel?"), std::string::npos) << "[" << line << "]";
  auto conversations = Conversations();
  ASSERT_EQ(conversations.size(), 1u);
  const std::string id = conversations[0].id();
  out = Ctl("get conversations --state assigned", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find(id), std::string::npos) << out;
  EXPECT_NE(out.find("ana"), std::string::npos) << out;
  out = Ctl("get conversations --state closed", &status);
  EXPECT_EQ(out.find(id), std::string::npos) << out;
  out = Ctl("tag conversation " + id + " --add shipping,vip", &status);
  EXPECT_EQ(status, 0) << out;
  out = Ctl("note conversation " + id + " --text 'carrier says Tuesday'", &status);
  EXPECT_EQ(status, 0) << out;
  out = Ctl("snooze conversation " + id + " --until +2h", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("snoozed (snoozed, ana)"), std::string::npos) << out;
  out = Ctl("snooze conversation " + id + " --until tomorrow", &status);
  EXPECT_EQ(status, 2) << out;
  out = Ctl("get conversation " + id, &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("shipping,vip"), std::string::npos) << out;
  EXPECT_NE(out.find("carrier says Tuesday"), std::string::npos) << out;
  EXPECT_NE(out.find("note"), std::string::npos) << out;
  out = Ctl("close conversation " + id, &status);
  EXPECT_EQ(status, 0) << out;
  out = Ctl("close conversation " + id, &status);
  EXPECT_EQ(status, 1) << out;
  EXPECT_NE(out.find("FailedPrecondition"), std::string::npos) << out;
  out = Ctl("create autoanswer hours --query 'hours OR open' --template 'We open at 9, {{author}}.' --mode auto",
            &status);
  EXPECT_EQ(status, 0) << out;
  out = Ctl("get autoanswers", &status);
  EXPECT_NE(out.find("hours OR open"), std::string::npos) << out;
  out = Ctl("create autoanswer bad --query '(hours' --template x", &status);
  EXPECT_EQ(status, 1) << out;
  EXPECT_NE(out.find("query: at"), std::string::npos) << out;
  out = Ctl("set slapolicy --first-response 1h --hours mon-fri@09:00-17:00 --zone Europe/Paris", &status);
  EXPECT_EQ(status, 0) << out;
  out = Ctl("get slapolicy", &status);
  EXPECT_NE(out.find("Europe/Paris"), std::string::npos) << out;
  out = Ctl("get alerts", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("BUCKET"), std::string::npos) << out;
  out = Ctl("get agents", &status);
  EXPECT_NE(out.find("Ana"), std::string::npos) << out;
  out = Ctl("get slareport --days 1", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("first_response"), std::string::npos) << out;
}

}  // namespace
}  // namespace herald
