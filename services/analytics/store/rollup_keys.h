#pragma once
// Where the rollups live in Redis. Everything of a workspace shares the hash
// tag {an:<ws>}, so a batch's counts, its dedupe memory and its position in
// each Kafka partition are written by one script, and a report reads one slot:
//   {an:<ws>}:pos               HASH  "<topic>/<partition>" → "<epoch>:<next offset>"
//   {an:<ws>}:seen              ZSET  the last dedupe ids applied (bounded window)
//   {an:<ws>}:b:<series>:<yyyymm>  HASH  "<figure>@<day of the month>" → "quarter:delta,…"
//   {an:<ws>}:tot:<series>      HASH  figure → all-time count
//   {an:<ws>}:post:<post>       HASH  the post's record and last snapshot ("m:<figure>", "obs")
//   {an:<ws>}:posts             ZSET  post → published ms
//   {an:<ws>}:g:<kind>          ZSET  group id → last seen ms (every channel, campaign, …)
//   {an:<ws>}:mdue              ZSET  post → when its metrics are next read (metrics/metrics_reader.h)
//   {an:<ws>}:chan:<channel>    HASH  the channel's last snapshot ("m:fol", "obs")
//   {an:<ws>}:cdue              ZSET  channel → when its followers are next read
// and each partition's own position, where a restarted consumer resumes:
//   {anp:<topic>:<partition>}   HASH  "epoch", "next"
// A day's quarters of a figure share a field, changes appended and folded
// when the field grows long: a 90-day report reads four hashes per series,
// a few hundred fields, not tens of thousands of single buckets.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace herald::analytics::keys {

inline std::string Prefix(std::string_view ws) { return "{an:" + std::string(ws) + "}:"; }
inline std::string PartitionKey(std::string_view topic, int32_t partition) {
  return "{anp:" + std::string(topic) + ":" + std::to_string(partition) + "}";
}
inline std::string TopicPartition(std::string_view topic, int32_t partition) {
  return std::string(topic) + "/" + std::to_string(partition);
}

// The UTC month a bucket belongs to: "yyyymm", its first instant, and the
// bucket's index in it.
struct MonthSlot {
  std::string month;
  int64_t month_start_ms = 0;
  int64_t index = 0;
};
MonthSlot SlotOf(int64_t bucket_ms);
// The months [from_ms, to_ms) touches, oldest first.
std::vector<MonthSlot> MonthsOf(int64_t from_ms, int64_t to_ms);

inline std::string BucketKey(std::string_view series, std::string_view month) {
  return "b:" + std::string(series) + ":" + std::string(month);
}
inline std::string BucketField(std::string_view figure, int64_t index) {
  return std::string(figure) + "@" + std::to_string(index);
}
inline std::string TotalKey(std::string_view series) { return "tot:" + std::string(series); }

}  // namespace herald::analytics::keys
