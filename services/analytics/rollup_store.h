#pragma once
// Counters in Redis with exactly-once effects. Each Kafka partition has its
// own hash, and the partition's next offset lives in the same hash:
//   {an:<topic>:<partition>}:counts   HASH field → count, plus "__offset"
//   {an:<topic>:<partition>}:seen     ZSET of the last dedupe ids counted (score: offset), bounded
// A batch's increments and its next offset are written by one script, which
// refuses a batch starting before the stored offset (a replay, or a consumer
// that lost the partition): counts never double.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "analytics/rollup.h"
#include "common/redis.h"

namespace herald::analytics {

struct PartitionBatch {
  std::string topic;
  int32_t partition = 0;
  int64_t first_offset = 0;
  int64_t next_offset = 0;
  std::vector<Increment> increments;
};

struct ApplyResult {
  bool applied = false;
  // When refused: where the partition really is.
  int64_t stored_offset = 0;
};

class RollupStore {
 public:
  // dedupe_window: facts remembered per partition to drop a producer's repeats.
  explicit RollupStore(RedisClient& redis, int dedupe_window = 200000)
      : redis_(redis), dedupe_window_(dedupe_window) {}

  // One round trip for all batches.
  absl::StatusOr<std::vector<ApplyResult>> Apply(const std::vector<PartitionBatch>& batches);
  // The next offset to consume, if any batch was applied for the partition.
  absl::StatusOr<std::optional<int64_t>> StoredOffset(const std::string& topic, int32_t partition);
  // Sum of `field` over every partition of `topic`.
  absl::StatusOr<int64_t> Sum(const std::string& topic, int partitions, const std::string& field);

 private:
  static std::string Tag(const std::string& topic, int32_t partition) {
    return "{an:" + topic + ":" + std::to_string(partition) + "}";
  }
  RedisClient& redis_;
  int dedupe_window_;
};

}  // namespace herald::analytics
