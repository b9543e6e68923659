// The Redis probe behind the Redis alerts, against a real redis-server and a
// real Redis Cluster: up, memory used and maxmemory per master; down when
// nothing answers.
#include <gtest/gtest.h>

#include "common/redis_probe.h"
#include "redis_fixture.h"
#include "support/process.h"
#include "support/redis_cluster.h"

namespace herald {
namespace {

// name{node=...} → value, for one family of the registry.
std::map<std::string, double> Gauges(prometheus::Registry& registry, const std::string& name) {
  std::map<std::string, double> out;
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& m : family.metric) {
      std::string node;
      for (const auto& l : m.label) {
        if (l.name == "node") node = l.value;
      }
      out[node] = m.gauge.value;
    }
  }
  return out;
}

class RedisProbeTest : public testing::RedisTest {};

TEST_F(RedisProbeTest, ReportsUpAndHowFullTheServerIs) {
  ASSERT_TRUE(redis().Command({"CONFIG", "SET", "maxmemory", "512mb"}).ok());
  prometheus::Registry registry;
  RedisProbe probe(server().options(), registry);
  probe.ProbeOnce();
  EXPECT_EQ(Gauges(registry, "herald_redis_up")[""], 1);
  auto used = Gauges(registry, "herald_redis_memory_used_bytes");
  auto max = Gauges(registry, "herald_redis_memory_max_bytes");
  ASSERT_EQ(used.size(), 1u);
  EXPECT_GT(used[server().address()], 100000);  // an empty Redis still uses ~1 MB
  EXPECT_EQ(max[server().address()], 512.0 * 1024 * 1024);
  ASSERT_TRUE(redis().Command({"CONFIG", "SET", "maxmemory", "0"}).ok());
}

TEST_F(RedisProbeTest, ReportsDownWhenNothingAnswers) {
  RedisOptions nowhere = server().options();
  nowhere.port = testing::FreePort();
  nowhere.timeout = std::chrono::milliseconds(300);
  prometheus::Registry registry;
  RedisProbe probe(nowhere, registry);
  probe.ProbeOnce();
  EXPECT_EQ(Gauges(registry, "herald_redis_up")[""], 0);
  EXPECT_TRUE(Gauges(registry, "herald_redis_memory_used_bytes").empty());
}

TEST(RedisProbeOnCluster, ReportsEveryMaster) {
  testing::RedisCluster cluster;
  prometheus::Registry registry;
  RedisProbe probe(cluster.options(), registry);
  probe.ProbeOnce();
  EXPECT_EQ(Gauges(registry, "herald_redis_up")[""], 1);
  auto used = Gauges(registry, "herald_redis_memory_used_bytes");
  EXPECT_EQ(used.size(), 3u);
  for (const auto& [node, bytes] : used) EXPECT_GT(bytes, 100000) << node;
}

}  // namespace
}  // namespace herald
