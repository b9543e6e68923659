#include "common/process_metrics.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

namespace herald {
namespace {

// A /proc/<pid>/stat line whose command holds spaces and a ')' — why the
// parser starts after the last ')'. Fields 14/15 utime/stime = 250/150 ticks,
// 20 num_threads = 7, 22 starttime = 1000 ticks, 23 vsize, 24 rss pages = 300.
const char* kStat =
    "4242 (herald) evil) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 150 0 0 20 0 7 0 1000 104857600 300 "
    "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";

TEST(ProcessMetrics, ParsesCpuMemoryThreadsAndStartFromStat) {
  ProcessFigures f;
  ASSERT_TRUE(ParseProcStat(kStat, /*ticks=*/100, /*boot=*/1'700'000'000, /*page=*/4096, f));
  EXPECT_DOUBLE_EQ(f.cpu_seconds, 4.0);
  EXPECT_DOUBLE_EQ(f.threads, 7);
  EXPECT_DOUBLE_EQ(f.start_time_seconds, 1'700'000'010);
  EXPECT_DOUBLE_EQ(f.virtual_bytes, 104857600);
  EXPECT_DOUBLE_EQ(f.resident_bytes, 300 * 4096.0);
}

TEST(ProcessMetrics, RefusesTruncatedOrGarbledLines) {
  ProcessFigures f;
  EXPECT_FALSE(ParseProcStat("", 100, 0, 4096, f));
  EXPECT_FALSE(ParseProcStat("4242 (herald) S 1 2 3", 100, 0, 4096, f));
  EXPECT_FALSE(ParseProcStat("4242 herald S 1 2 3", 100, 0, 4096, f));
  std::string garbled = kStat;
  garbled.replace(garbled.find(" 250 "), 5, " x50 ");
  EXPECT_FALSE(ParseProcStat(garbled, 100, 0, 4096, f));
}

TEST(ProcessMetrics, CollectorExportsTheStandardNamesAndBuildInfo) {
  auto collector = MakeProcessCollector("scheduler");
  std::string text = prometheus::TextSerializer().Serialize(collector->Collect());
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
                           "process_max_fds", "process_start_time_seconds", "process_virtual_memory_bytes"}) {
    EXPECT_NE(text.find(std::string("\n") + name + " "), std::string::npos) << name << " in\n" << text;
  }
  EXPECT_NE(text.find("herald_build_info{service=\"scheduler\",version=\""), std::string::npos) << text;
}

}  // namespace
}  // namespace herald
