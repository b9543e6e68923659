#include <gtest/gtest.h>

#include "common/redis_probe.h"

namespace herald {
namespace {

TEST(ParseInfoMemory, ReadsUsedAndMaxMemory) {
  auto m = ParseInfoMemory(
      "# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\nused_memory_rss:4000000\r\n"
      "maxmemory:104857600\r\nmaxmemory_human:100.00M\r\nmaxmemory_policy:noeviction\r\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->used_bytes, 1048576);  // not used_memory_rss or _human
  EXPECT_EQ(m->max_bytes, 104857600);
}

TEST(ParseInfoMemory, RefusesMissingOrGarbledFields) {
  EXPECT_FALSE(ParseInfoMemory("used_memory:10\r\n"));
  EXPECT_FALSE(ParseInfoMemory("used_memory:ten\r\nmaxmemory:0\r\n"));
  EXPECT_FALSE(ParseInfoMemory("used_memory:-1\r\nmaxmemory:0\r\n"));
  EXPECT_FALSE(ParseInfoMemory(""));
  auto unlimited = ParseInfoMemory("used_memory:10\nmaxmemory:0\n");
  ASSERT_TRUE(unlimited);
  EXPECT_EQ(unlimited->max_bytes, 0);
}

}  // namespace
}  // namespace herald
