// Herald's producers place keyed records where the Java client (and every
// client that copies it) would: murmur2 of the key, made positive, modulo the
// partition count. Another team's consumer or producer keyed by channel then
// agrees with Herald on which partition holds a channel's records.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "common/kafka.h"
#include "herald/topics.h"
#include "support/devbroker.h"
#include "support/murmur2.h"

namespace herald {
namespace {

using herald::testing::JavaPartition;
using herald::testing::Murmur2;

// The vectors of Kafka's own UtilsTest.testMurmur2.
TEST(Murmur2, MatchesKafkasJavaTestVectors) {
  EXPECT_EQ(Murmur2("21"), -973932308);
  EXPECT_EQ(Murmur2("foobar"), -790332482);
  EXPECT_EQ(Murmur2("a-little-bit-long-string"), -985981536);
  EXPECT_EQ(Murmur2("a-little-bit-longer-string"), -1486304829);
  EXPECT_EQ(Murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
  EXPECT_EQ(Murmur2("abc"), 479470107);
}

int Partitions(std::string_view topic) {
  for (const auto& t : topics::kAll) {
    if (t.name == topic) return t.partitions;
  }
  return 0;
}

TEST(Partitioner, AKeyedRecordLandsWhereAJavaProducerWouldPutIt) {
  herald::testing::DevBroker broker;
  KafkaProducer producer(KafkaOptions{broker.brokers(), "partitioner-test", {}});
  // A fixed key set: channel ids as Herald makes them, and the vectors above.
  std::map<std::string, std::string> keys;  // key → topic
  for (int i = 0; i < 120; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "ch_%016x", static_cast<unsigned>(i * 2654435761u));
    keys[id] = i % 2 ? std::string(topics::k_posts_due) : std::string(topics::k_channels_lifecycle);
  }
  for (const char* k : {"21", "foobar", "abc", "a-little-bit-long-string"}) keys[k] = std::string(topics::k_posts_due);
  for (const auto& [key, topic] : keys) ASSERT_TRUE(producer.ProduceSync(topic, key, "v", {}).ok()) << key;

  ConsumerOptions o;
  o.kafka.brokers = broker.brokers();
  o.group_id = "partitioner-check";
  o.topics = {std::string(topics::k_posts_due), std::string(topics::k_channels_lifecycle)};
  KafkaConsumer consumer(o);
  std::map<std::string, int32_t> seen;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (seen.size() < keys.size() && std::chrono::steady_clock::now() < deadline) {
    for (const auto& m : consumer.PollBatch(500, std::chrono::milliseconds(200))) seen[m.key] = m.partition;
  }
  ASSERT_EQ(seen.size(), keys.size());
  std::map<int32_t, int> used;
  for (const auto& [key, topic] : keys) {
    const int32_t want = JavaPartition(key, Partitions(topic));
    EXPECT_EQ(seen[key], want) << key << " on " << topic;
    if (topic == topics::k_posts_due) ++used[seen[key]];
  }
  EXPECT_GT(used.size(), 6u) << "keys spread over the partitions";  // 64 keys over 12 partitions
  consumer.Close();
}

}  // namespace
}  // namespace herald
