// The analytics consumer against the dev broker and a real redis-server:
// two instances in one group, a forced rebalance, producer repeats, and a
// stored position ahead of a recreated log. Every count ends exact.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include <prometheus/registry.h>

#include "analytics/event_consumer.h"
#include "analytics/store/rollup_reader.h"
#include "analytics/store/rollup_store.h"
#include "common/clock.h"
#include "common/events.h"
#include "common/kafka.h"
#include "common/time_util.h"
#include "herald/events/v1/events.pb.h"
#include "herald/topics.h"
#include "redis_fixture.h"
#include "support/devbroker.h"

namespace herald::analytics {
namespace {

using herald::testing::RedisTest;

class CountingDeadLetters final : public DeadLetters {
 public:
  void Send(const KafkaMessage&, const absl::Status&) override { ++count; }
  std::atomic<int> count{0};
};

class AnalyticsConsumerTest : public RedisTest {
 protected:
  void Produce(KafkaProducer& producer, const std::string& ws, int id) {
    events::v1::MentionReceived m;
    m.set_mention_id("m" + std::to_string(id));
    m.set_channel_id("ch");
    m.set_conversation_id("c" + std::to_string(id % 97));
    *m.mutable_created_at() = FromMs(SystemClock::Instance().NowMs());
    *m.mutable_meta() = NewEventMeta(m, ws, SystemClock::Instance());
    producer.Produce(topics::k_mentions, m.conversation_id(), m.SerializeAsString(), EventHeaders(m.meta()),
                     [this](const std::string& error) {
                       if (!error.empty()) ++failed_;
                     });
  }

  std::atomic<int> failed_{0};

  ConsumerOptions Options(const std::string& brokers) {
    return ConsumerOptions{{brokers,
                            "analytics-test",
                            {{"auto.offset.reset", "earliest"}, {"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "500"}}},
                           "analytics-test-group",
                           {std::string(topics::k_mentions)},
                           {},
                           {}};
  }

  int64_t Mentions(const std::string& ws) {
    RollupReader reader(redis());
    auto t = reader.Totals(ws, {"w"});
    return t.ok() ? (*t)[0]["men"] : -1;
  }

  // Waits until every partition's position reaches the log's end.
  bool CaughtUp(const std::string& brokers, RollupStore& store, int seconds) {
    KafkaConsumer probe(ConsumerOptions{{brokers, "probe", {}}, "probe-group", {std::string(topics::k_mentions)}, {}, {}});
    for (int i = 0; i < seconds * 10; ++i) {
      bool all = true;
      for (int p = 0; p < 12 && all; ++p) {
        auto marks = probe.QueryWatermarks(std::string(topics::k_mentions), p, std::chrono::seconds(5));
        auto pos = store.Position(std::string(topics::k_mentions), p);
        if (!marks.ok() || !pos.ok()) return false;
        int64_t at = pos->has_value() ? (*pos)->next : 0;
        all = at >= marks->high;
      }
      if (all) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
};

TEST_F(AnalyticsConsumerTest, TwoInstancesAndForcedRebalancesCountEveryRecordOnce) {
  herald::testing::DevBroker broker;
  KafkaProducer producer(KafkaOptions{broker.brokers(), "test-producer", {}});
  std::map<std::string, std::set<int>> distinct;
  auto send = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      std::string ws = "ws" + std::to_string(i % 3);
      Produce(producer, ws, i);
      distinct[ws].insert(i);
    }
    ASSERT_TRUE(producer.Flush(std::chrono::seconds(30)));
    ASSERT_EQ(failed_.load(), 0);
  };
  send(0, 600);
  // A dedupe window of one id: only the partition positions keep a record
  // read twice across the handovers from being counted twice.
  RollupStore store(redis(), /*dedupe_window=*/1);
  CountingDeadLetters dead;
  prometheus::Registry registry_a, registry_b;
  auto a = std::make_unique<EventConsumer>(store, Options(broker.brokers()), dead, SystemClock::Instance(),
                                           registry_a, /*max_poll=*/50);
  a->Start();
  // B joins mid-stream (a rebalance), more is produced, then A leaves (another).
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EventConsumer b(store, Options(broker.brokers()), dead, SystemClock::Instance(), registry_b, /*max_poll=*/50);
  b.Start();
  send(600, 1200);
  a->Stop();
  a.reset();
  send(1200, 1500);
  ASSERT_TRUE(CaughtUp(broker.brokers(), store, 120));
  b.Stop();
  for (const auto& [ws, ids] : distinct) EXPECT_EQ(Mentions(ws), static_cast<int64_t>(ids.size())) << ws;
  EXPECT_EQ(dead.count.load(), 0);
}

TEST_F(AnalyticsConsumerTest, AStoredPositionAheadOfTheLogIsRebasedNotWaitedOn) {
  herald::testing::DevBroker broker;
  RollupStore store(redis());
  // Positions from before the topic was recreated: far past its new end.
  std::vector<std::pair<std::string, int32_t>> parts;
  std::vector<PartitionPosition> ahead;
  for (int p = 0; p < 12; ++p) {
    parts.emplace_back(std::string(topics::k_mentions), p);
    ahead.push_back({0, 1000000});
  }
  ASSERT_TRUE(store.Advance(parts, ahead).ok());
  // The workspace had counted that far too, before the topic was recreated.
  for (int p = 0; p < 12; ++p) {
    ASSERT_TRUE(redis().Command({"HSET", "{an:ws}:pos", std::string(topics::k_mentions) + "/" + std::to_string(p),
                                 "0:1000000"}).ok());
  }
  KafkaProducer producer(KafkaOptions{broker.brokers(), "test-producer", {}});
  for (int i = 0; i < 240; ++i) Produce(producer, "ws", i);
  ASSERT_TRUE(producer.Flush(std::chrono::seconds(30)));
  ASSERT_EQ(failed_.load(), 0);
  CountingDeadLetters dead;
  prometheus::Registry registry;
  EventConsumer consumer(store, Options(broker.brokers()), dead, SystemClock::Instance(), registry);
  consumer.Start();
  bool counted = false;
  for (int i = 0; i < 600 && !counted; ++i) {
    counted = Mentions("ws") >= 240;
    if (!counted) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  consumer.Stop();
  EXPECT_EQ(Mentions("ws"), 240);
  for (int p = 0; p < 12; ++p) {
    auto pos = store.Position(std::string(topics::k_mentions), p);
    ASSERT_TRUE(pos.ok() && pos->has_value());
    EXPECT_EQ((*pos)->epoch, 1) << "partition " << p;
    EXPECT_LT((*pos)->next, 1000000) << "partition " << p;
  }
}

}  // namespace
}  // namespace herald::analytics
