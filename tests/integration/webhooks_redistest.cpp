// Outbound event webhooks against a real receiver: signed, retried with
// backoff until delivered or given up, every attempt queryable, an event
// delivered again by Kafka sent once, a deleted webhook's deliveries dropped.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/hmac.h"
#include "common/time_util.h"
#include "herald/events/v1/events.pb.h"
#include "herald/topics.h"
#include "publisher/webhooks/webhook_dispatcher.h"
#include "redis_fixture.h"
#include "support/http_receiver.h"

namespace herald::publisher {
namespace {

using herald::testing::RedisTest;
namespace v1 = herald::publisher::v1;

// Answers the first `fail_first` requests with 503, then 200.
herald::testing::HttpReceiver::Answer FailFirst(size_t fail_first) {
  return [fail_first](const httplib::Request&, size_t before) { return before < fail_first ? 503 : 200; };
}

class WebhooksTest : public RedisTest {
 protected:
  WebhooksTest() : box_(*CredentialsBox::FromHex(std::string(64, '9'))), store_(redis(), box_) {}

  v1::Webhook Subscribe(const std::string& url, std::vector<std::string> types, const std::string& secret) {
    v1::Webhook hook;
    hook.set_id("wh_" + std::to_string(++hooks_));
    hook.set_workspace_id("ws");
    hook.set_url(url);
    for (auto& t : types) hook.add_event_types(t);
    EXPECT_TRUE(store_.Put(hook, secret).ok());
    return hook;
  }
  KafkaMessage Published(const std::string& post_id) {
    herald::events::v1::PublishResult r;
    r.mutable_meta()->set_event_id("res_" + post_id);
    r.mutable_meta()->set_event_type(r.GetDescriptor()->full_name());
    r.mutable_meta()->set_workspace_id("ws");
    *r.mutable_meta()->mutable_occurred_at() = FromMs(clock_.NowMs());
    r.set_post_id(post_id);
    r.set_channel_id("ch_1");
    r.set_network(herald::common::v1::NETWORK_X);
    r.set_outcome(herald::events::v1::PUBLISH_OUTCOME_PUBLISHED);
    r.set_remote_id("remote-" + post_id);
    KafkaMessage m;
    m.topic = std::string(topics::k_publish_results);
    m.value = r.SerializeAsString();
    return m;
  }
  std::unique_ptr<WebhookDispatcher> Dispatcher(int max_attempts = 5) {
    WebhookOptions o;
    o.retry.max_attempts = max_attempts;
    o.retry.base_backoff_ms = 1000;
    o.timeout = std::chrono::milliseconds(2000);
    return std::make_unique<WebhookDispatcher>(store_, ConsumerOptions{}, dead_letters_, clock_, registry_, o);
  }
  // Sends what is due, moving the clock past every backoff, until nothing is.
  void DrainWithBackoff(WebhookDispatcher& d, int rounds) {
    for (int i = 0; i < rounds; ++i) {
      ASSERT_TRUE(d.SendDue().ok());
      clock_.AdvanceMs(3'600'000);
    }
  }

  // Refused records, as the dispatcher hands them over.
  struct RecordingDeadLetters : DeadLetters {
    void Send(const KafkaMessage& record, const absl::Status& why) override { sent.push_back({record, why}); }
    std::vector<std::pair<KafkaMessage, absl::Status>> sent;
  };

  RecordingDeadLetters dead_letters_;
  ManualClock clock_{1'800'000'000'000};
  prometheus::Registry registry_;
  CredentialsBox box_;
  WebhookStore store_;
  int hooks_ = 0;
};

TEST_F(WebhooksTest, RetriedWithBackoffUntilDeliveredSignedAndEveryAttemptListed) {
  herald::testing::HttpReceiver receiver(FailFirst(2));
  auto hook = Subscribe(receiver.url(), {"post.published"}, "whsec_test");
  auto dispatcher = Dispatcher();
  ASSERT_TRUE(dispatcher->Accept({Published("p1")}).ok());

  ASSERT_EQ(*dispatcher->SendDue(), 1);  // 503
  ASSERT_EQ(*dispatcher->SendDue(), 0);  // backing off: not due yet
  auto attempts = *store_.Attempts("ws", hook.id(), 10, "");
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].outcome(), v1::WEBHOOK_ATTEMPT_OUTCOME_RETRYING);
  EXPECT_EQ(attempts[0].http_status(), 503);
  int64_t next = ToMs(attempts[0].next_attempt_time());
  EXPECT_GE(next, clock_.NowMs() + 1000);
  EXPECT_LE(next, clock_.NowMs() + 1000 + 1000);  // attempt 1: at most the base backoff (full jitter)

  DrainWithBackoff(*dispatcher, 4);
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 3u);  // two 503s, then delivered; nothing after
  attempts = *store_.Attempts("ws", hook.id(), 10, "");
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attempts[0].outcome(), v1::WEBHOOK_ATTEMPT_OUTCOME_DELIVERED);  // newest first
  EXPECT_EQ(attempts[0].attempt(), 3);
  EXPECT_EQ(attempts[0].event_type(), "post.published");
  EXPECT_EQ(attempts[2].attempt(), 1);

  const auto& last = requests.back();
  EXPECT_EQ(last.get_header_value("X-Herald-Event-Id"), "res_p1");
  EXPECT_EQ(last.get_header_value("X-Herald-Delivery-Attempt"), "3");
  auto body = nlohmann::json::parse(last.body);
  EXPECT_EQ(body["type"], "post.published");
  EXPECT_EQ(body["data"]["post_id"], "p1");
  EXPECT_EQ(body["data"]["remote_id"], "remote-p1");
  int64_t sent_s = std::atoll(last.get_header_value("X-Herald-Signature").substr(2).c_str());
  EXPECT_TRUE(VerifyTimestampedSignature("whsec_test", last.body, last.get_header_value("X-Herald-Signature"), sent_s));
  EXPECT_FALSE(VerifyTimestampedSignature("whsec_other", last.body, last.get_header_value("X-Herald-Signature"), sent_s));
  EXPECT_EQ(*store_.Backlog(), 0);
}

TEST_F(WebhooksTest, AnEventSeenAgainIsSentOnceAndOnlySubscribersGetIt) {
  herald::testing::HttpReceiver receiver(FailFirst(0)), other(FailFirst(0));
  Subscribe(receiver.url(), {"post.published", "post.failed"}, "s1");
  Subscribe(other.url(), {"post.failed"}, "s2");
  auto dispatcher = Dispatcher();
  ASSERT_TRUE(dispatcher->Accept({Published("p2")}).ok());
  DrainWithBackoff(*dispatcher, 1);
  ASSERT_TRUE(dispatcher->Accept({Published("p2")}).ok());  // Kafka delivered it again
  DrainWithBackoff(*dispatcher, 2);
  EXPECT_EQ(receiver.requests().size(), 1u);
  EXPECT_EQ(other.requests().size(), 0u);
}

TEST_F(WebhooksTest, GivesUpAfterTheLastAttempt) {
  herald::testing::HttpReceiver receiver(FailFirst(100));
  auto hook = Subscribe(receiver.url(), {"post.published"}, "s");
  auto dispatcher = Dispatcher(/*max_attempts=*/3);
  ASSERT_TRUE(dispatcher->Accept({Published("p3")}).ok());
  DrainWithBackoff(*dispatcher, 6);
  EXPECT_EQ(receiver.requests().size(), 3u);
  auto attempts = *store_.Attempts("ws", hook.id(), 10, "res_p3");
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attempts[0].outcome(), v1::WEBHOOK_ATTEMPT_OUTCOME_GAVE_UP);
  EXPECT_EQ(*store_.Backlog(), 0);
  // Seen again after giving up: not retried from scratch.
  ASSERT_TRUE(dispatcher->Accept({Published("p3")}).ok());
  DrainWithBackoff(*dispatcher, 2);
  EXPECT_EQ(receiver.requests().size(), 3u);
}

TEST_F(WebhooksTest, ADeletedWebhooksPendingDeliveriesAreDropped) {
  herald::testing::HttpReceiver receiver(FailFirst(0));
  auto hook = Subscribe(receiver.url(), {"post.published"}, "s");
  auto dispatcher = Dispatcher();
  ASSERT_TRUE(dispatcher->Accept({Published("p4")}).ok());
  ASSERT_TRUE(store_.Delete("ws", hook.id()).ok());
  DrainWithBackoff(*dispatcher, 2);
  EXPECT_EQ(receiver.requests().size(), 0u);
  EXPECT_EQ(*store_.Backlog(), 0);
  EXPECT_TRUE(absl::IsNotFound(store_.Delete("ws", hook.id())));
}

TEST_F(WebhooksTest, AnUnreachableReceiverIsRetriedNotLost) {
  auto hook = Subscribe("http://127.0.0.1:1/hook", {"post.published"}, "s");  // nothing listens there
  auto dispatcher = Dispatcher();
  ASSERT_TRUE(dispatcher->Accept({Published("p5")}).ok());
  ASSERT_EQ(*dispatcher->SendDue(), 1);
  auto attempts = *store_.Attempts("ws", hook.id(), 10, "");
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].http_status(), 0);
  EXPECT_FALSE(attempts[0].error().empty());
  EXPECT_EQ(attempts[0].outcome(), v1::WEBHOOK_ATTEMPT_OUTCOME_RETRYING);
  EXPECT_EQ(*store_.Backlog(), 1);
}

// Records are outside input: one that does not decode, or is not its topic's
// type, is dead-lettered with the reason and the next good one still goes out.
TEST_F(WebhooksTest, PoisonRecordsAreDeadLetteredAndTheNextEventStillDelivered) {
  herald::testing::HttpReceiver receiver(FailFirst(0));
  Subscribe(receiver.url(), {"post.published"}, "whsec_test");
  auto dispatcher = Dispatcher();
  KafkaMessage garbage;
  garbage.topic = std::string(topics::k_publish_results);
  garbage.offset = 7;
  garbage.value = "\xff\xff\xff not protobuf";
  KafkaMessage mention_on_results = Published("p0");  // a different type on the results topic
  herald::events::v1::MentionReceived mention;
  mention.mutable_meta()->set_event_type(mention.GetDescriptor()->full_name());
  mention.mutable_meta()->set_workspace_id("ws");
  mention_on_results.value = mention.SerializeAsString();
  KafkaMessage wrong_header = Published("p00");
  wrong_header.headers.push_back({"event-type", "herald.events.v1.MentionReceived"});
  KafkaMessage no_workspace = Published("p000");
  {
    herald::events::v1::PublishResult r;
    ASSERT_TRUE(r.ParseFromString(no_workspace.value));
    r.mutable_meta()->clear_workspace_id();
    no_workspace.value = r.SerializeAsString();
  }
  ASSERT_TRUE(dispatcher->Accept({garbage, mention_on_results, wrong_header, no_workspace, Published("p1")}).ok());
  ASSERT_EQ(dead_letters_.sent.size(), 4u);
  EXPECT_EQ(dead_letters_.sent[0].first.offset, 7);
  EXPECT_EQ(dead_letters_.sent[0].second.message().rfind("undecodable", 0), 0u) << dead_letters_.sent[0].second;
  EXPECT_EQ(dead_letters_.sent[1].second.message().rfind("wrong_type", 0), 0u) << dead_letters_.sent[1].second;
  EXPECT_EQ(dead_letters_.sent[2].second.message().rfind("wrong_type", 0), 0u) << dead_letters_.sent[2].second;
  EXPECT_EQ(dead_letters_.sent[3].second.message().rfind("no_workspace", 0), 0u) << dead_letters_.sent[3].second;
  ASSERT_EQ(*dispatcher->SendDue(), 1);
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(requests[0].body)["data"]["post_id"], "p1");
}

}  // namespace
}  // namespace herald::publisher
