// Two scheduler replicas (two dispatchers, each with its own Redis and Kafka
// clients) race over 10,000 due posts against a real redis-server — and
// again against a real three-master Redis Cluster — and the dev broker:
// every post reaches posts.due exactly once.
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "common/clock.h"
#include "common/kafka.h"
#include "common/time_util.h"
#include "herald/events/v1/events.pb.h"
#include "herald/topics.h"
#include "redis_fixture.h"
#include "scheduler/dispatcher.h"
#include "scheduler/post_rules.h"
#include "scheduler/post_store.h"
#include "support/devbroker.h"
#include "support/redis_cluster.h"

namespace herald::scheduler {
namespace {

class DispatchRace : public herald::testing::RedisTest {};

void RaceTwoReplicas(const RedisOptions& redis_options) {
  constexpr int kPosts = 10000;
  RedisClient redis_client(redis_options);
  auto redis = [&]() -> RedisClient& { return redis_client; };
  herald::testing::DevBroker broker;
  int64_t now = SystemClock::Instance().NowMs();
  {
    PostStore store(redis(), 8);
    for (int i = 0; i < kPosts; ++i) {
      v1::CreatePostRequest r;
      r.set_workspace_id("race");
      r.set_text("post " + std::to_string(i));
      r.add_channel_ids("ch_" + std::to_string(i % 50));
      *r.mutable_publish_at() = FromMs(now - 1000 + i % 500);
      ASSERT_TRUE(store.Create(BuildPost(r, "p_" + std::to_string(i), ToMs(r.publish_at()), now)).ok());
    }
  }

  struct Replica {
    RedisClient redis;
    PostStore store;
    KafkaProducer producer;
    prometheus::Registry registry;
    Dispatcher dispatcher;
    Replica(const RedisOptions& ro, const std::string& brokers)
        : redis(ro),
          store(redis, 8),
          producer(KafkaOptions{brokers, "race", {}}),
          dispatcher(store, producer, SystemClock::Instance(), registry, DispatcherOptions{30000, 200, 20}) {}
  };
  auto a = std::make_unique<Replica>(redis_options, broker.brokers());
  auto b = std::make_unique<Replica>(redis_options, broker.brokers());
  a->dispatcher.Start();
  b->dispatcher.Start();
  PostStore observer(redis(), 8);
  for (int i = 0; i < 600; ++i) {
    auto backlog = observer.Backlog();
    if (backlog.ok() && backlog->due == 0 && backlog->in_flight == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  a->dispatcher.Stop();
  b->dispatcher.Stop();
  EXPECT_EQ(observer.Backlog()->due, 0);
  EXPECT_EQ(observer.Backlog()->in_flight, 0);

  ConsumerOptions co;
  co.kafka.brokers = broker.brokers();
  co.group_id = "race-check";
  co.topics = {std::string(topics::k_posts_due)};
  co.kafka.properties["session.timeout.ms"] = "6000";
  KafkaConsumer consumer(co);
  std::map<std::string, int> seen;
  size_t total = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto batch = consumer.PollBatch(5000, std::chrono::milliseconds(500));
    for (const auto& m : batch) {
      herald::events::v1::PostDue due;
      ASSERT_TRUE(due.ParseFromString(m.value));
      seen[due.post_id() + "@" + std::to_string(due.occurrence_ms())]++;
      ++total;
    }
    if (total >= kPosts && batch.empty()) break;
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kPosts));
  EXPECT_EQ(total, static_cast<size_t>(kPosts));
  for (const auto& [key, n] : seen) ASSERT_EQ(n, 1) << key;
  // Both replicas really raced: each dispatched a share, and the shares add up.
  auto dispatched = [](prometheus::Registry& r) {
    for (const auto& family : r.Collect()) {
      if (family.name == "herald_scheduler_posts_dispatched_total") return family.metric.at(0).counter.value;
    }
    return -1.0;
  };
  double by_a = dispatched(a->registry), by_b = dispatched(b->registry);
  EXPECT_GT(by_a, 0);
  EXPECT_GT(by_b, 0);
  EXPECT_EQ(by_a + by_b, kPosts);
  PostStore check(redis(), 8);
  EXPECT_EQ(check.Get(PostId("p_0"))->state(), v1::POST_STATE_DISPATCHED);
}

TEST_F(DispatchRace, TwoReplicasDispatchEveryPostExactlyOnce) { RaceTwoReplicas(server().options()); }

TEST(DispatchRaceOnRedisCluster, TwoReplicasDispatchEveryPostExactlyOnce) {
  herald::testing::RedisCluster cluster;
  RaceTwoReplicas(cluster.options());
}

}  // namespace
}  // namespace herald::scheduler
