// The common Redis client against a real three-master Redis Cluster (with a
// replica each): pipelines spread over every master, scripts on their slot's
// master, resharding (MOVED), a slot mid-migration (ASK), an emptied script
// cache, and a master killed until its replica takes over.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "common/redis.h"
#include "common/redis_slots.h"
#include "support/redis_cluster.h"

namespace herald {
namespace {

using testing::RedisCluster;

class RedisClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster_ = new RedisCluster(); }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { cluster_->FlushAll(); }
  RedisCluster& cluster() { return *cluster_; }
  static inline RedisCluster* cluster_ = nullptr;
};

// Moves a slot between masters the way redis-cli --cluster reshard does;
// keys_to_move empty: every key. Stops before the final SETSLOT NODE when finish is false.
void Migrate(RedisCluster& c, uint16_t slot, int from, int to, bool finish,
             std::vector<std::string> keys_to_move = {}) {
  std::string s = std::to_string(slot), from_id = c.NodeId(from), to_id = c.NodeId(to);
  ASSERT_TRUE(c.direct(to).Command({"CLUSTER", "SETSLOT", s, "IMPORTING", from_id}).ok());
  ASSERT_TRUE(c.direct(from).Command({"CLUSTER", "SETSLOT", s, "MIGRATING", to_id}).ok());
  if (keys_to_move.empty()) {
    auto keys = c.direct(from).Command({"CLUSTER", "GETKEYSINSLOT", s, "1000"});
    ASSERT_TRUE(keys.ok());
    for (const auto& k : keys->elements) keys_to_move.push_back(k.str);
  }
  if (!keys_to_move.empty()) {
    RedisClient::Args migrate{"MIGRATE", "127.0.0.1", std::to_string(c.port(to)), "", "0", "5000", "KEYS"};
    migrate.insert(migrate.end(), keys_to_move.begin(), keys_to_move.end());
    auto moved = c.direct(from).Command(migrate);
    ASSERT_TRUE(moved.ok()) << moved.status();
  }
  if (!finish) return;
  for (int node : {to, from}) {
    ASSERT_TRUE(c.direct(node).Command({"CLUSTER", "SETSLOT", s, "NODE", to_id}).ok());
  }
}

// A master other than the given one.
int OtherMaster(RedisCluster& c, int master) {
  for (uint16_t slot : {uint16_t{0}, uint16_t{8000}, uint16_t{16383}}) {
    if (int m = c.MasterOf(slot); m != master) return m;
  }
  return -1;
}

TEST_F(RedisClusterTest, KeySlotAgreesWithTheServer) {
  for (std::string key : {"somekey", "foo{hash_tag}", "foo{}{bar}", "foo{{bar}}zap", "foo{bar", "{sched:3}:due",
                          "", "caf\xc3\xa9:{\xc3\xa9t\xc3\xa9}", "lst:{ws_1}:feed", "{auth}:key:k_1"}) {
    auto server = cluster().direct(0).Command({"CLUSTER", "KEYSLOT", key});
    ASSERT_TRUE(server.ok()) << server.status();
    EXPECT_EQ(KeySlot(key), server->AsInt()) << key;
  }
}

TEST_F(RedisClusterTest, PipelineSpreadOverEveryMasterAnswersInOrder) {
  RedisClient redis(cluster().options());
  std::vector<RedisClient::Args> sets, gets;
  std::set<int> masters;
  for (int i = 0; i < 300; ++i) {
    std::string key = "k" + std::to_string(i);
    sets.push_back({"SET", key, "v" + std::to_string(i)});
    gets.push_back({"GET", key});
    masters.insert(cluster().MasterOf(KeySlot(key)));
  }
  ASSERT_EQ(masters.size(), 3u) << "the keys must exercise every master";
  auto set = redis.Pipeline(sets);
  ASSERT_TRUE(set.ok()) << set.status();
  for (const auto& r : *set) EXPECT_EQ(r.str, "OK");
  auto got = redis.Pipeline(gets);
  ASSERT_TRUE(got.ok()) << got.status();
  for (int i = 0; i < 300; ++i) EXPECT_EQ((*got)[i].str, "v" + std::to_string(i));
  // Each key is where the cluster says its slot lives (a plain client of that node reads it).
  for (int i = 0; i < 300; i += 37) {
    std::string key = "k" + std::to_string(i);
    auto direct = cluster().direct(cluster().MasterOf(KeySlot(key))).Command({"GET", key});
    ASSERT_TRUE(direct.ok());
    EXPECT_EQ(direct->str, "v" + std::to_string(i));
  }
  EXPECT_EQ(redis.masters().size(), 3u);
  EXPECT_TRUE(redis.Ping().ok());
}

TEST_F(RedisClusterTest, ScriptsRunOnceEachEvenAfterEveryNodeForgotThem) {
  RedisClient redis(cluster().options());
  const RedisScript add(R"(return redis.call('INCRBY', KEYS[1], ARGV[1]) + redis.call('INCRBY', KEYS[2], ARGV[1]))");
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  for (int i = 0; i < 60; ++i) {
    std::string tag = "{t" + std::to_string(i % 20) + "}";
    calls.push_back({{tag + ":a", tag + ":b"}, {"1"}});
  }
  auto first = redis.EvalPipeline(add, calls);
  ASSERT_TRUE(first.ok()) << first.status();
  for (int i = 0; i < 60; ++i) ASSERT_FALSE((*first)[i].is_error()) << (*first)[i].str;
  // A restart or failover empties a node's script cache: NOSCRIPT, then EVAL, never twice.
  for (int i = 0; i < cluster().size(); ++i) ASSERT_TRUE(cluster().direct(i).Command({"SCRIPT", "FLUSH"}).ok());
  auto second = redis.EvalPipeline(add, calls);
  ASSERT_TRUE(second.ok()) << second.status();
  for (int t = 0; t < 20; ++t) {
    std::string tag = "{t" + std::to_string(t) + "}";
    auto a = redis.Command({"GET", tag + ":a"});
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->AsInt(), 6) << tag;  // 3 calls per tag, twice
  }
}

TEST_F(RedisClusterTest, KeysInDifferentSlotsAreRefusedBeforeAnythingIsSent) {
  RedisClient redis(cluster().options());
  const RedisScript set_both(R"(redis.call('SET', KEYS[1], 1) redis.call('SET', KEYS[2], 1) return 1)");
  auto r = redis.Eval(set_both, {"{a}:x", "{b}:y"}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("{a}:x"), std::string::npos) << r.status();
  auto x = redis.Command({"EXISTS", "{a}:x"});
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->AsInt(), 0);
  auto multi = redis.Pipeline({{"MULTI"}, {"SET", "{a}:x", "1"}, {"EXEC"}});
  EXPECT_EQ(multi.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RedisClusterTest, FollowsMovedWhenASlotWasReshardedUnderIt) {
  RedisClient redis(cluster().options());
  const std::string key = "{moving}:k";
  const uint16_t slot = KeySlot(key);
  ASSERT_TRUE(redis.Command({"SET", key, "before"}).ok());  // the client now holds the map
  int from = cluster().MasterOf(slot), to = OtherMaster(cluster(), from);
  ASSERT_NO_FATAL_FAILURE(Migrate(cluster(), slot, from, to, /*finish=*/true));
  ASSERT_EQ(cluster().MasterOf(slot), to);

  auto got = redis.Command({"GET", key});  // sent to the old master: MOVED, followed
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->str, "before");
  ASSERT_TRUE(redis.Pipeline({{"SET", key, "after"}, {"SET", "{other}:k", "x"}}).ok());
  EXPECT_EQ(cluster().direct(to).Command({"GET", key})->str, "after");
  EXPECT_EQ(cluster().direct(from).Command({"CLUSTER", "COUNTKEYSINSLOT", std::to_string(slot)})->AsInt(), 0);
  // Put it back for the other tests.
  ASSERT_NO_FATAL_FAILURE(Migrate(cluster(), slot, to, from, /*finish=*/true));
}

TEST_F(RedisClusterTest, FollowsAskWhileASlotIsMidMigration) {
  RedisClient redis(cluster().options());
  const std::string moved = "{half}:1", stays = "{half}:2";
  const uint16_t slot = KeySlot(moved);
  ASSERT_TRUE(redis.Pipeline({{"SET", moved, "m"}, {"SET", stays, "s"}}).ok());
  int from = cluster().MasterOf(slot), to = OtherMaster(cluster(), from);
  ASSERT_NO_FATAL_FAILURE(Migrate(cluster(), slot, from, to, /*finish=*/false, {moved}));

  // The old master still owns the slot: it answers for the key it holds
  // and sends the client to the importing node (ASK) for the one it gave away.
  auto got = redis.Pipeline({{"GET", moved}, {"GET", stays}});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)[0].str, "m");
  EXPECT_EQ((*got)[1].str, "s");
  EXPECT_EQ(cluster().MasterOf(slot), from) << "ASK must not move the slot";

  ASSERT_NO_FATAL_FAILURE(Migrate(cluster(), slot, from, to, /*finish=*/true, {stays}));
  got = redis.Pipeline({{"GET", moved}, {"GET", stays}});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)[0].str, "m");
  EXPECT_EQ((*got)[1].str, "s");
  ASSERT_NO_FATAL_FAILURE(Migrate(cluster(), slot, to, from, /*finish=*/true));
}

TEST_F(RedisClusterTest, AStandaloneClientPointedAtAClusterSaysSo) {
  RedisOptions o = cluster().options();
  o.cluster = false;
  RedisClient plain(o);
  // Some key lives elsewhere: the node answers MOVED and the client names the setting.
  absl::Status status;
  for (int i = 0; i < 20 && status.ok(); ++i) status = plain.Command({"GET", "probe" + std::to_string(i)}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("--redis-cluster"), std::string::npos) << status;
}

// A master SIGKILLed: its replica is promoted, the client finds it, and
// every write the replicas had acknowledged (WAIT) is still there.
TEST(RedisClusterFailover, KilledMasterIsReplacedAndNoAcknowledgedWriteIsLost) {
  RedisCluster cluster;
  RedisClient redis(cluster.options());
  std::vector<RedisClient::Args> sets, gets;
  for (int i = 0; i < 1000; ++i) {
    sets.push_back({"SET", "f" + std::to_string(i), std::to_string(i)});
    gets.push_back({"GET", "f" + std::to_string(i)});
  }
  ASSERT_TRUE(redis.Pipeline(sets).ok());
  auto acked = redis.CommandOnEveryMaster({"WAIT", "1", "5000"});
  ASSERT_TRUE(acked.ok()) << acked.status();
  ASSERT_EQ(acked->size(), 3u);
  for (const auto& r : *acked) ASSERT_EQ(r.reply.AsInt(), 1) << r.node << ": a replica must hold every write first";

  const uint16_t slot = KeySlot("f0");
  int victim = cluster.MasterOf(slot);
  std::string victim_address = "127.0.0.1:" + std::to_string(cluster.port(victim));
  cluster.Kill(victim);

  // Until the replica is promoted the calls fail (Unavailable, never a wrong answer).
  int failures = 0;
  absl::StatusOr<std::vector<RedisReply>> got = absl::UnavailableError("not tried");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    got = redis.Pipeline(gets);
    if (got.ok()) break;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable) << got.status();
    ++failures;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(got.ok()) << got.status() << "\n" << cluster.Logs();
  EXPECT_GT(failures, 0) << "the killed master must have been noticed";
  for (int i = 0; i < 1000; ++i) ASSERT_EQ((*got)[i].str, std::to_string(i)) << "f" << i;
  int promoted = cluster.MasterOf(slot);
  EXPECT_NE(promoted, victim);
  auto masters = redis.masters();
  EXPECT_EQ(std::count(masters.begin(), masters.end(), victim_address), 0);
  // Writes go to the promoted master.
  ASSERT_TRUE(redis.Command({"SET", "f0", "after"}).ok());
  EXPECT_EQ(cluster.direct(promoted).Command({"GET", "f0"})->str, "after");
}

}  // namespace
}  // namespace herald
