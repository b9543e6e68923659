// The delivery worker between its unit rules and the whole platform: the real
// worker, ledger, limiter and channel store on a real redis-server and the dev
// broker, with a scripted connector, a manual clock and a seeded random
// source. One case per way an attempt can end; each checks the announced
// result, the ledger, and how many times the network was called.
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>

#include "common/clock.h"
#include "common/events.h"
#include "common/kafka.h"
#include "common/random.h"
#include "common/time_util.h"
#include "herald/topics.h"
#include "publisher/channel_cache.h"
#include "publisher/channel_store.h"
#include "publisher/connector_set.h"
#include "publisher/credentials_box.h"
#include "publisher/delivery_ledger.h"
#include "publisher/delivery_rules.h"
#include "publisher/delivery_worker.h"
#include "publisher/network_catalog.h"
#include "publisher/rate_limiter.h"
#include "publisher/token_refresher.h"
#include "redis_fixture.h"
#include "support/devbroker.h"

namespace herald::publisher {
namespace {

using herald::common::v1::Network;
using herald::events::v1::ErrorClass;
using herald::events::v1::PostDue;
using herald::events::v1::PublishOutcome;
using herald::events::v1::PublishResult;
using Kind = PublishAttempt::Kind;

// A network that answers what the test scripted, and counts what it was asked.
class ScriptedConnector : public Connector {
 public:
  std::deque<PublishAttempt> answers;  // one per Publish; kPublished when empty
  absl::StatusOr<std::vector<RemotePost>> recent = std::vector<RemotePost>{};
  std::function<void()> on_read_back;  // runs inside RecentPosts (e.g. a rival replica)
  int publishes = 0;
  int read_backs = 0;

  absl::StatusOr<AccountInfo> VerifyCredentials(const Endpoint&) override { return AccountInfo{"101", "brand"}; }
  PublishAttempt Publish(const Endpoint&, const OutgoingPost& post) override {
    ++publishes;
    last_text = post.text;
    posts.push_back(post);
    if (answers.empty()) return PublishAttempt{Kind::kPublished, "r" + std::to_string(publishes), "https://x/r", ""};
    PublishAttempt a = answers.front();
    answers.pop_front();
    return a;
  }
  bool IdempotentRetries() const override { return false; }
  bool SupportsReplies() const override { return true; }
  absl::StatusOr<std::vector<RemotePost>> RecentPosts(const Endpoint&, int, int64_t) override {
    ++read_backs;
    if (on_read_back) on_read_back();
    return recent;
  }
  std::string last_text;
  std::vector<OutgoingPost> posts;  // every Publish, in order
};

constexpr const char* kNetworks =
    R"({"version":"t","networks":{"x":{"text":{"max_length":280,"counting":"x_weighted","url_length":23},"media":{"max":4},"threads":{"supported":true,"max_parts":25}}}})";

class DeliveryWorkerTest : public herald::testing::RedisTest {
 protected:
  static void SetUpTestSuite() {
    RedisTest::SetUpTestSuite();
    if (!broker_) broker_ = new herald::testing::DevBroker();
    // One reader of publish.results for the suite (joining a group takes
    // seconds); every case uses post ids of its own.
    ConsumerOptions results;
    results.kafka.brokers = broker_->brokers();
    results.group_id = "worker-test-results";
    results.topics = {std::string(topics::k_publish_results)};
    results_ = new KafkaConsumer(results);
  }
  static void TearDownTestSuite() {
    delete results_;
    results_ = nullptr;
  }

  DeliveryWorkerTest()
      : box_(*CredentialsBox::FromHex(std::string(64, '5'))),
        store_(redis(), box_),
        cache_(store_, clock_),
        catalog_(*NetworkCatalog::Parse(kNetworks)),
        refresher_(store_, cache_, redis(), catalog_, {}, clock_),
        ledger_(redis()),
        limiter_(redis()),
        connectors_(ConnectorOptions{}),
        producer_(KafkaOptions{broker_->brokers(), "worker-test", {}}) {
    auto fake = std::make_unique<ScriptedConnector>();
    network_ = fake.get();
    connectors_.Set(Network::NETWORK_X, std::move(fake));
    v1::Channel channel;
    channel.set_id("ch_x");
    channel.set_workspace_id("ws");
    channel.set_network(Network::NETWORK_X);
    channel.set_base_url("https://api.x.invalid");
    channel.set_remote_account_id("101");
    channel.set_status(v1::CHANNEL_STATUS_ACTIVE);
    EXPECT_TRUE(store_.Put(channel, "token").ok());
    options_.retry = RetryPolicy{3, 1000, 60000};
    options_.in_progress_ms = 20000;
    options_.readback_posts = 5;
    worker_ = std::make_unique<DeliveryWorker>(store_, cache_, refresher_, ledger_, limiter_, connectors_, catalog_,
                                               producer_, ConsumerOptions{}, clock_, random_, registry_, options_);
  }

  PostDue Due(const std::string& post_id, const std::string& text = "hello") {
    PostDue due;
    due.set_post_id(post_id);
    due.set_channel_id("ch_x");
    due.set_occurrence_ms(1'800'000'000'000);
    due.set_text(text);
    *due.mutable_meta() = NewEventMeta(due, "ws", clock_);
    return due;
  }

  // Delivers once, writes what was published (as the lane does), and returns
  // the result the worker announced for it.
  PublishResult Deliver(const PostDue& due) {
    std::vector<SentRecord> sent;
    auto s = worker_->Deliver(due, sent);
    EXPECT_TRUE(s.ok()) << s;
    if (!sent.empty()) {
      EXPECT_TRUE(ledger_.MarkSentMany(sent).ok());
    }
    EXPECT_TRUE(producer_.Flush(std::chrono::seconds(10)));
    return NextResult(due.post_id());
  }

  // The next announced result of this post (results of a post arrive in order).
  PublishResult NextResult(const std::string& post_id) {
    for (int i = 0; i < 100; ++i) {
      auto& queue = seen_[post_id];
      if (!queue.empty()) {
        PublishResult r = queue.front();
        queue.pop_front();
        return r;
      }
      for (const auto& m : results_->PollBatch(100, std::chrono::milliseconds(100))) {
        PublishResult r;
        EXPECT_TRUE(r.ParseFromString(m.value));
        seen_[r.post_id()].push_back(r);
      }
    }
    ADD_FAILURE() << "no result announced for " << post_id;
    return {};
  }

  static DeliveryKey Key(const PostDue& due) {
    return {PostId(due.post_id()), ChannelId(due.channel_id()), AtMs(due.occurrence_ms())};
  }

  LedgerEntry::State LedgerState(const PostDue& due) {
    auto e = ledger_.Get(Key(due));
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? e->state : LedgerEntry::State::kNew;
  }

  // Leaves an attempt with an unknown outcome behind, and the clock past its
  // in-progress window.
  void UnknownOutcome(const PostDue& due) {
    network_->answers.push_back({Kind::kUnknownOutcome, "", "", "timed out"});
    ASSERT_EQ(Deliver(due).outcome(), PublishOutcome::PUBLISH_OUTCOME_RETRY);
    ASSERT_EQ(LedgerState(due), LedgerEntry::State::kSending);
    clock_.AdvanceMs(options_.in_progress_ms + 1);
  }

  static inline herald::testing::DevBroker* broker_ = nullptr;
  static inline KafkaConsumer* results_ = nullptr;
  static inline std::map<std::string, std::deque<PublishResult>> seen_;
  ManualClock clock_{1'800'000'000'000};
  SeededRandom random_{7};
  CredentialsBox box_;
  ChannelStore store_;
  ChannelCache cache_;
  NetworkCatalog catalog_;
  TokenRefresher refresher_;
  DeliveryLedger ledger_;
  RateLimiter limiter_;
  ConnectorSet connectors_;
  KafkaProducer producer_;
  prometheus::Registry registry_;
  DeliveryOptions options_;
  ScriptedConnector* network_ = nullptr;
  std::unique_ptr<DeliveryWorker> worker_;
};

TEST_F(DeliveryWorkerTest, PublishedIsRecordedAndNeverSentAgain) {
  auto due = Due("p_published");
  auto r = Deliver(due);
  EXPECT_EQ(r.outcome(), PublishOutcome::PUBLISH_OUTCOME_PUBLISHED);
  EXPECT_EQ(r.remote_id(), "r1");
  EXPECT_EQ(LedgerState(due), LedgerEntry::State::kSent);
  // The same PostDue again (a redelivered Kafka batch): announced, not sent.
  auto again = Deliver(due);
  EXPECT_EQ(again.outcome(), PublishOutcome::PUBLISH_OUTCOME_PUBLISHED);
  EXPECT_EQ(again.remote_id(), "r1");
  EXPECT_EQ(network_->publishes, 1);
}

TEST_F(DeliveryWorkerTest, RejectedContentFailsOnceAndForAll) {
  auto due = Due("p_rejected");
  network_->answers.push_back({Kind::kContentRejected, "", "", "text too long"});
  auto r = Deliver(due);
  EXPECT_EQ(r.outcome(), PublishOutcome::PUBLISH_OUTCOME_FAILED);
  EXPECT_EQ(r.error_class(), ErrorClass::ERROR_CLASS_CONTENT);
  EXPECT_EQ(LedgerState(due), LedgerEntry::State::kFailed);
  EXPECT_EQ(Deliver(due).outcome(), PublishOutcome::PUBLISH_OUTCOME_FAILED);
  EXPECT_EQ(network_->publishes, 1);
}

TEST_F(DeliveryWorkerTest, RateLimitedIsDeferredByTheNetworksRetryAfter) {
  auto due = Due("p_limited");
  PublishAttempt limited{Kind::kRateLimited, "", "", "429"};
  limited.retry_after_ms = 90'000;
  network_->answers.push_back(limited);
  const int64_t now = clock_.NowMs();
  auto r = Deliver(due);
  EXPECT_EQ(r.outcome(), PublishOutcome::PUBLISH_OUTCOME_DEFERRED);
  EXPECT_EQ(r.error_class(), ErrorClass::ERROR_CLASS_QUOTA);
  EXPECT_EQ(ToMs(r.not_before()), now + 90'000);
  EXPECT_EQ(LedgerState(due), LedgerEntry::State::kNew);  // nothing went out
}

TEST_F(DeliveryWorkerTest, TransientErrorsRetryWithSeededJitterThenFail) {
  auto due = Due("p_transient");
  SeededRandom same{7};  // the worker's sequence, to compute the exact backoff
  for (int attempt = 1; attempt <= 3; ++attempt) {
    network_->answers.push_back({Kind::kTransient, "", "", "503"});
    const int64_t now = clock_.NowMs();
    auto r = Deliver(due);
    if (attempt < 3) {
      EXPECT_EQ(r.outcome(), PublishOutcome::PUBLISH_OUTCOME_RETRY) << attempt;
      EXPECT_EQ(ToMs(r.not_before()), now + BackoffMs(options_.retry, attempt, same.Unit())) << attempt;
    } else {
      EXPECT_EQ(r.outcome(), PublishOutcome::PUBLISH_OUTCOME_FAILED);
      EXPECT_EQ(r.error_class(), ErrorClass::ERROR_CLASS_NETWORK);
    }
  }
  EXPECT_EQ(network_->publishes, 3);
}

TEST_F(DeliveryWorkerTest, AuthRejectedFailsAndMarksTheChannel) {
  auto due = Due("p_auth");
  network_->answers.push_back({Kind::kAuthRejected, "", "", "401"});
  auto r = Deliver(due);
  EXPECT_EQ(r.outcome(), PublishOutcome::PUBLISH_OUTCOME_FAILED);
  EXPECT_EQ(r.error_class(), ErrorClass::ERROR_CLASS_AUTH);
  auto channel = store_.Get(WorkspaceId("ws"), ChannelId("ch_x"));
  ASSERT_TRUE(channel.ok());
  EXPECT_EQ(channel->status(), v1::CHANNEL_STATUS_NEEDS_REAUTH);
  // The next post to the channel is not sent at all.
  EXPECT_EQ(Deliver(Due("p_auth_next")).error_class(), ErrorClass::ERROR_CLASS_AUTH);
  EXPECT_EQ(network_->publishes, 1);
}

TEST_F(DeliveryWorkerTest, UnknownOutcomeFoundOnReadBackIsPublishedWithoutSending) {
  auto due = Due("p_found", "landed after all");
  UnknownOutcome(due);
  network_->recent = std::vector<RemotePost>{{"r_landed", "https://x/r_landed", "landed after all", clock_.NowMs()}};
  auto r = Deliver(due);
  EXPECT_EQ(r.outcome(), PublishOutcome::PUBLISH_OUTCOME_PUBLISHED);
  EXPECT_EQ(r.remote_id(), "r_landed");
  EXPECT_EQ(LedgerState(due), LedgerEntry::State::kSent);
  EXPECT_EQ(network_->publishes, 1);  // only the attempt whose answer was lost
  EXPECT_EQ(network_->read_backs, 1);
}

TEST_F(DeliveryWorkerTest, UnknownOutcomeNotFoundOnAShortPageIsSentAgain) {
  auto due = Due("p_absent", "never landed");
  UnknownOutcome(due);
  network_->recent = std::vector<RemotePost>{{"r_other", "", "something else", clock_.NowMs()}};
  auto r = Deliver(due);
  EXPECT_EQ(r.outcome(), PublishOutcome::PUBLISH_OUTCOME_PUBLISHED);
  EXPECT_EQ(network_->publishes, 2);
  EXPECT_EQ(network_->read_backs, 1);
}

TEST_F(DeliveryWorkerTest, UnknownOutcomeThatReadBackCannotReachIsNotSentAgain) {
  auto due = Due("p_unreachable", "buried");
  UnknownOutcome(due);
  // A full page of newer posts: the lost one may be further back.
  std::vector<RemotePost> page;
  for (int i = 0; i < options_.readback_posts; ++i) page.push_back({"n" + std::to_string(i), "", "newer", clock_.NowMs()});
  network_->recent = page;
  auto r = Deliver(due);
  EXPECT_EQ(r.outcome(), PublishOutcome::PUBLISH_OUTCOME_RETRY);
  EXPECT_EQ(r.error_class(), ErrorClass::ERROR_CLASS_UNKNOWN);
  EXPECT_EQ(network_->publishes, 1);
  EXPECT_EQ(LedgerState(due), LedgerEntry::State::kSending);  // still unknown, still read back first
}

TEST_F(DeliveryWorkerTest, UnknownOutcomeWhenTheAccountCannotBeReadIsRetriedNotSent) {
  auto due = Due("p_unreadable");
  UnknownOutcome(due);
  network_->recent = absl::UnavailableError("connection refused");
  auto r = Deliver(due);
  EXPECT_EQ(r.outcome(), PublishOutcome::PUBLISH_OUTCOME_RETRY);
  EXPECT_NE(r.error_message().find("could not read recent posts back"), std::string::npos) << r.error_message();
  EXPECT_EQ(network_->publishes, 1);
}

// Our claim looked abandoned (the clock passed its window while we read the
// account back) and another replica took the delivery over: we send nothing.
TEST_F(DeliveryWorkerTest, ADeliveryTakenOverByAnotherReplicaIsNotSent) {
  auto due = Due("p_taken");
  UnknownOutcome(due);
  DeliveryKey key = Key(due);
  network_->on_read_back = [&] {
    clock_.AdvanceMs(options_.in_progress_ms + 1);
    auto rival = ledger_.Begin(key, AtMs(clock_.NowMs()), Millis(options_.in_progress_ms));
    EXPECT_TRUE(rival.ok());
  };
  auto r = Deliver(due);
  EXPECT_EQ(r.outcome(), PublishOutcome::PUBLISH_OUTCOME_DEFERRED);
  EXPECT_EQ(r.error_message(), "another attempt is in progress");
  EXPECT_EQ(network_->publishes, 1);  // only the first attempt
}

// A long text asked to be split goes out as a thread: each part once, in
// order, each replying to the one before; the post is published once, with
// the thread's first post as its remote id.
TEST_F(DeliveryWorkerTest, AThreadGoesOutPartByPartEachReplyingToTheOneBefore) {
  std::string text;
  for (int i = 0; i < 80; ++i) text += "word" + std::to_string(i) + " ";
  PostDue due = Due("p_thread", text);
  due.set_split_into_thread(true);
  PublishResult r = Deliver(due);
  EXPECT_EQ(r.outcome(), PublishOutcome::PUBLISH_OUTCOME_PUBLISHED);
  const int parts = static_cast<int>(network_->posts.size());
  ASSERT_GE(parts, 2);
  EXPECT_EQ(r.remote_id(), "r1");
  for (int k = 0; k < parts; ++k) {
    EXPECT_NE(network_->posts[k].text.find(std::to_string(k + 1) + "/" + std::to_string(parts)), std::string::npos)
        << network_->posts[k].text;
    EXPECT_EQ(network_->posts[k].in_reply_to_id, k == 0 ? "" : "r" + std::to_string(k));
    DeliveryKey key = Key(due);
    key.part = k;
    auto entry = ledger_.Get(key);
    ASSERT_TRUE(entry.ok());
    EXPECT_EQ(entry->state, LedgerEntry::State::kSent) << "part " << k;
  }
  // Delivered again (a redelivered message): nothing is sent, the same result is announced.
  EXPECT_EQ(Deliver(due).outcome(), PublishOutcome::PUBLISH_OUTCOME_PUBLISHED);
  EXPECT_EQ(static_cast<int>(network_->posts.size()), parts);
}

// Cut off in the middle: the second part's answer is lost (it may have been
// posted). The post is retried; the redelivery skips the first part (sent),
// finds the second by read-back instead of sending it again, and goes on
// with the third — every part exactly once, in order.
TEST_F(DeliveryWorkerTest, AThreadCutOffMidwayResumesAtThePartItStoppedAt) {
  std::string text;
  for (int i = 0; i < 80; ++i) text += "piece" + std::to_string(i) + " ";
  PostDue due = Due("p_thread_cut", text);
  due.set_split_into_thread(true);
  network_->answers.push_back({Kind::kPublished, "t1", "https://x/t1", ""});
  network_->answers.push_back({Kind::kUnknownOutcome, "", "", "timed out"});
  EXPECT_EQ(Deliver(due).outcome(), PublishOutcome::PUBLISH_OUTCOME_RETRY);
  ASSERT_EQ(network_->posts.size(), 2u);
  const std::string second = network_->posts[1].text;
  EXPECT_EQ(network_->posts[1].in_reply_to_id, "t1");
  clock_.AdvanceMs(options_.in_progress_ms + 1);  // the cut-off attempt counts as abandoned

  // The network has the second part (it landed before the answer was lost).
  network_->recent = std::vector<RemotePost>{{"t2", "https://x/t2", second, clock_.NowMs() - 1000}};
  network_->answers.clear();
  PublishResult r = Deliver(due);
  EXPECT_EQ(r.outcome(), PublishOutcome::PUBLISH_OUTCOME_PUBLISHED);
  EXPECT_EQ(r.remote_id(), "t1");
  // Each part sent once: as many sends as parts ("1/N" names N).
  const std::string& first = network_->posts[0].text;
  const size_t parts = std::stoul(first.substr(first.rfind('/') + 1));
  ASSERT_GE(parts, 3u);
  EXPECT_EQ(network_->posts.size(), parts);
  EXPECT_EQ(network_->posts[2].in_reply_to_id, "t2");  // the third replies to the found second
  for (size_t k = 2; k < network_->posts.size(); ++k) EXPECT_NE(network_->posts[k].text, second);
  EXPECT_GE(network_->read_backs, 1);
}

}  // namespace
}  // namespace herald::publisher
