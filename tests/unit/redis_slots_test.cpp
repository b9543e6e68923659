// Redis Cluster routing without a server: slots, the keys a command names,
// redirections, and the slot map read from CLUSTER SLOTS. (The integration
// test also checks KeySlot against a live node's CLUSTER KEYSLOT.)
#include <gtest/gtest.h>

#include "common/redis_slots.h"

namespace herald {
namespace {

TEST(KeySlot, MatchesRedisReferenceValues) {
  // From the CLUSTER KEYSLOT documentation and the cluster specification.
  EXPECT_EQ(KeySlot("somekey"), 11058);
  EXPECT_EQ(KeySlot("foo{hash_tag}"), 2515);
  EXPECT_EQ(KeySlot("123456789"), 0x31C3 & 16383);  // CRC16-XMODEM check value 0x31C3
  EXPECT_EQ(KeySlot(""), 0);
}

TEST(KeySlot, HashesOnlyTheFirstNonEmptyTag) {
  EXPECT_EQ(KeySlot("{user1000}.following"), KeySlot("user1000"));
  EXPECT_EQ(KeySlot("{user1000}.followers"), KeySlot("{user1000}.following"));
  EXPECT_EQ(KeySlot("foo{bar}{zap}"), KeySlot("bar"));
  EXPECT_EQ(KeySlot("foo{{bar}}zap"), KeySlot("{bar"));
  // An empty tag or an unclosed brace hashes the whole key.
  EXPECT_NE(KeySlot("foo{}{bar}"), KeySlot("bar"));
  EXPECT_NE(KeySlot("foo{bar"), KeySlot("bar"));
}

TEST(CommandKeys, FindsTheKeysOfEachCommandShape) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(CommandKeys({"GET", "a"}), V{"a"});
  EXPECT_EQ(CommandKeys({"HSET", "h", "f", "v"}), V{"h"});
  EXPECT_EQ(CommandKeys({"EVALSHA", "abc", "2", "k1", "k2", "arg"}), (V{"k1", "k2"}));
  EXPECT_EQ(CommandKeys({"EVAL", "return 1", "0", "arg"}), V{});
  EXPECT_EQ(CommandKeys({"XREAD", "COUNT", "10", "BLOCK", "5", "STREAMS", "s1", "s2", "0", "$"}), (V{"s1", "s2"}));
  EXPECT_EQ(CommandKeys({"XINFO", "STREAM", "s"}), V{"s"});
  EXPECT_EQ(CommandKeys({"OBJECT", "ENCODING", "k"}), V{"k"});
  EXPECT_EQ(CommandKeys({"DEL", "a", "b"}), (V{"a", "b"}));
  EXPECT_EQ(CommandKeys({"MSET", "a", "1", "b", "2"}), (V{"a", "b"}));
  EXPECT_EQ(CommandKeys({"ping"}), V{});
  EXPECT_EQ(CommandKeys({"INFO", "memory"}), V{});
  EXPECT_EQ(CommandKeys({"SCRIPT", "LOAD", "return 1"}), V{});
}

TEST(CommandSlot, RefusesKeysInDifferentSlotsNamingThem) {
  auto same = CommandSlot({"EVALSHA", "x", "2", "{w}:a", "{w}:b"});
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(**same, KeySlot("w"));
  auto keyless = CommandSlot({"PING"});
  ASSERT_TRUE(keyless.ok());
  EXPECT_FALSE(keyless->has_value());
  auto split = CommandSlot({"EVALSHA", "x", "2", "{w}:a", "{v}:b"});
  ASSERT_FALSE(split.ok());
  EXPECT_EQ(split.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(split.status().message().find("{v}:b"), std::string::npos);
}

TEST(ParseRedirect, ReadsMovedAndAsk) {
  auto moved = ParseRedirect("MOVED 3999 10.0.0.5:6381", "seed");
  ASSERT_TRUE(moved);
  EXPECT_FALSE(moved->ask);
  EXPECT_EQ(moved->slot, 3999);
  EXPECT_EQ(moved->to, (RedisNodeAddress{"10.0.0.5", 6381}));
  auto ask = ParseRedirect("ASK 12 :7000", "127.0.0.1");
  ASSERT_TRUE(ask);
  EXPECT_TRUE(ask->ask);
  EXPECT_EQ(ask->to, (RedisNodeAddress{"127.0.0.1", 7000}));  // empty host: the node that answered
  auto v6 = ParseRedirect("MOVED 1 ::1:7001", "x");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->to, (RedisNodeAddress{"::1", 7001}));
  EXPECT_FALSE(ParseRedirect("ERR wrong type", "x"));
  EXPECT_FALSE(ParseRedirect("MOVED 16384 a:1", "x"));
  EXPECT_FALSE(ParseRedirect("MOVED 1 a:0", "x"));
  EXPECT_FALSE(ParseRedirect("MOVED 1", "x"));
  EXPECT_TRUE(IsTransientClusterError("TRYAGAIN Multiple keys request during rehashing of slot"));
  EXPECT_TRUE(IsTransientClusterError("CLUSTERDOWN The cluster is down"));
  EXPECT_FALSE(IsTransientClusterError("ERR"));
}

RedisReply Int(long long v) { return RedisReply{RedisReply::Type::kInteger, v, "", {}}; }
RedisReply Str(std::string s) { return RedisReply{RedisReply::Type::kString, 0, std::move(s), {}}; }
RedisReply Arr(std::vector<RedisReply> e) { return RedisReply{RedisReply::Type::kArray, 0, "", std::move(e)}; }

TEST(SlotMap, BuildsFromClusterSlotsAndMovesSlots) {
  RedisReply reply = Arr({
      Arr({Int(0), Int(5460), Arr({Str("127.0.0.1"), Int(7000), Str("id0")}), Arr({Str("127.0.0.1"), Int(7003)})}),
      Arr({Int(5461), Int(10922), Arr({Str(""), Int(7001), Str("id1")})}),
      Arr({Int(10923), Int(16000), Arr({Str("127.0.0.1"), Int(7002), Str("id2")})}),
  });
  auto map = SlotMap::FromClusterSlots(reply, "seed");
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_EQ(map->masters().size(), 3u);
  EXPECT_EQ(map->MasterFor(0), (RedisNodeAddress{"127.0.0.1", 7000}));
  EXPECT_EQ(map->MasterFor(5460), (RedisNodeAddress{"127.0.0.1", 7000}));
  EXPECT_EQ(map->MasterFor(5461), (RedisNodeAddress{"seed", 7001}));
  EXPECT_EQ(map->MasterFor(16000), (RedisNodeAddress{"127.0.0.1", 7002}));
  EXPECT_FALSE(map->MasterFor(16001)) << "an uncovered slot has no master";
  map->Move(16001, RedisNodeAddress{"127.0.0.1", 7000});
  EXPECT_EQ(map->MasterFor(16001), (RedisNodeAddress{"127.0.0.1", 7000}));
  EXPECT_EQ(map->masters().size(), 3u);
}

TEST(SlotMap, RefusesMalformedReplies) {
  EXPECT_FALSE(SlotMap::FromClusterSlots(Str("nope"), "x").ok());
  EXPECT_FALSE(SlotMap::FromClusterSlots(Arr({}), "x").ok());
  EXPECT_FALSE(SlotMap::FromClusterSlots(Arr({Arr({Int(5), Int(1), Arr({Str("h"), Int(1)})})}), "x").ok());
  EXPECT_FALSE(SlotMap::FromClusterSlots(Arr({Arr({Int(0), Int(16384), Arr({Str("h"), Int(1)})})}), "x").ok());
  EXPECT_FALSE(SlotMap::FromClusterSlots(Arr({Arr({Int(0), Int(1), Arr({Str("h"), Int(0)})})}), "x").ok());
}

}  // namespace
}  // namespace herald
