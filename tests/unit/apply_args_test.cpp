// The apply script's arguments for a slice (analytics/store/apply_args.h):
// what the client sums before Redis sees it.
#include <gtest/gtest.h>

#include <algorithm>

#include "analytics/report/local_periods.h"
#include "analytics/rollup.h"
#include "analytics/store/apply_args.h"

namespace herald::analytics {
namespace {

constexpr int64_t kDay = 1764547200000;  // 2025-12-01T00:00:00Z, the 1st of its month

Fact Mention(const std::string& id, int64_t at_ms) {
  Fact f;
  f.workspace_id = "ws";
  f.dedupe_id = "men|" + id;
  f.bucket_ms = BucketOf(at_ms);
  f.series = {"w", "c:ch"};
  f.counts = {{kEverySeries, fig::kMentions, 1}, {kEverySeries, fig::kPositive, 1}};
  return f;
}

// The operands after `op key field` for each op of that name.
std::vector<std::vector<std::string>> Ops(const RedisClient::Args& args, const std::string& op, size_t width) {
  std::vector<std::vector<std::string>> out;
  for (size_t i = 0; i + width < args.size(); ++i) {
    if (args[i] == op && (op != "B" || args[i + 1].rfind("b:", 0) == 0) && (op != "H" || args[i + 1].rfind("tot:", 0) == 0)) {
      out.emplace_back(args.begin() + static_cast<long>(i) + 1, args.begin() + static_cast<long>(i + 1 + width));
    }
  }
  return out;
}

TEST(ApplyArgs, ASlicesCountsAreSummedPerFieldAndRepeatsGoOnce) {
  Fact a = Mention("1", kDay + 60000);            // quarter 0
  Fact b = Mention("2", kDay + 16 * 60000);       // quarter 1
  Fact c = Mention("3", kDay + 2 * 60000);        // quarter 0 again
  Fact repeat = Mention("1", kDay + 3 * 60000);   // a producer's repeat of a
  Slice s;
  s.workspace_id = "ws";
  s.segments = {{"mentions", 0, 1, 10, 14}};
  s.Add(&a, 0, 10);
  s.Add(&b, 0, 11);
  s.Add(&c, 0, 12);
  s.Add(&repeat, 0, 13);
  std::vector<const Fact*> included;
  std::vector<uint32_t> sent;
  auto [keys, args] = ApplyArgs(s, {}, 1000, 0, included, sent);
  EXPECT_EQ(keys, (RedisClient::Args{"{an:ws}:pos", "{an:ws}:seen"}));
  EXPECT_EQ(included.size(), 3u);
  ASSERT_EQ(sent, std::vector<uint32_t>{0});
  // The ids, once each.
  for (const char* id : {"men|1", "men|2", "men|3"}) EXPECT_EQ(std::count(args.begin(), args.end(), id), 1) << id;

  // One append per series and figure of the day, its quarters summed: "0:2,1:1".
  auto buckets = Ops(args, "B", 3);
  ASSERT_EQ(buckets.size(), 4u);  // (w, c:ch) × (men, pos)
  for (const auto& op : buckets) {
    EXPECT_EQ(op[0].substr(op[0].size() - 7), ":202512") << op[0];
    EXPECT_TRUE(op[1] == "men@0" || op[1] == "pos@0") << op[1];
    EXPECT_EQ(op[2], "0:2,1:1") << op[0] << " " << op[1];
  }
  // Totals: one HINCRBY per series and figure, the slice's sum.
  auto totals = Ops(args, "H", 3);
  ASSERT_EQ(totals.size(), 4u);
  for (const auto& op : totals) EXPECT_EQ(op[2], "3") << op[0] << " " << op[1];
}

TEST(ApplyArgs, ARoundExcludingStoredIdsAndDroppedSegmentsSendsOnlyTheRest) {
  Fact a = Mention("1", kDay);
  Fact b = Mention("2", kDay);
  Slice s;
  s.workspace_id = "ws";
  s.segments = {{"mentions", 0, 1, 10, 11}, {"mentions", 1, 1, 20, 21}};
  s.Add(&a, 0, 10);
  s.Add(&b, 1, 20);
  ApplyRound round;
  round.excluded.insert("men|1");
  std::vector<const Fact*> included;
  std::vector<uint32_t> sent;
  auto [keys, args] = ApplyArgs(s, round, 1000, 0, included, sent);
  ASSERT_EQ(included.size(), 1u);
  EXPECT_EQ(included[0], &b);
  for (const auto& op : Ops(args, "H", 3)) EXPECT_EQ(op[2], "1");

  ApplyRound dropped;
  dropped.from = {10, 20};
  dropped.dropped = {false, true};
  included.clear();
  sent.clear();
  auto second = ApplyArgs(s, dropped, 1000, 0, included, sent);
  EXPECT_EQ(sent, std::vector<uint32_t>{0});
  ASSERT_EQ(included.size(), 1u);
  EXPECT_EQ(included[0], &a);
}

}  // namespace
}  // namespace herald::analytics
