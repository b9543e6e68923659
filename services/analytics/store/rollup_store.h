#pragma once
// Applies facts to the rollups exactly once (layout: rollup_keys.h).
//
// A poll's facts are cut into slices, one per workspace and partition. One
// script applies a slice: its counts, its post records, its dedupe ids, and
// the workspace's position in that partition, together. The position fences
// every replay: a slice wholly before it is skipped, one that straddles it
// is re-sent from it, one from an older epoch (before a re-base) is refused.
// A crash between two workspaces' scripts therefore loses nothing and
// doubles nothing: the restarted consumer resumes at the partition's
// position, which is written only after every slice of the poll, and each
// workspace skips what it already has.
//
// A producer that announces a fact twice (a retried publish result) is
// counted once: dedupe ids already in the workspace's window are dropped
// from the slice before it is applied.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "analytics/rollup.h"
#include "common/redis.h"

namespace herald::analytics {

struct Slice {
  std::string workspace_id;
  std::string topic;
  int32_t partition = 0;
  int64_t epoch = 0;
  int64_t first_offset = 0;  // the poll's first offset of the partition
  int64_t next_offset = 0;   // one past its last
  // The workspace's facts, in offset order, and the offset of each.
  std::vector<const Fact*> facts;
  std::vector<int64_t> offsets;
};

struct SliceResult {
  enum class Outcome { kApplied, kAlreadyApplied, kStale };
  Outcome outcome = Outcome::kApplied;
  // Facts that changed the rollups (not skipped, not a producer's repeat).
  std::vector<const Fact*> applied;
};

struct PartitionPosition {
  int64_t epoch = 0;
  int64_t next = 0;
};

class RollupStore {
 public:
  // dedupe_window: ids remembered per workspace to drop a producer's repeats.
  explicit RollupStore(RedisClient& redis, int dedupe_window = 200000)
      : redis_(redis), dedupe_window_(dedupe_window) {}

  // Every slice in one round trip (a second for slices re-sent).
  absl::StatusOr<std::vector<SliceResult>> Apply(const std::vector<Slice>& slices, int64_t now_ms);

  // Where a partition resumes; nullopt before its first poll.
  absl::StatusOr<std::optional<PartitionPosition>> Position(const std::string& topic, int32_t partition);
  // Raises a partition's position after a poll's slices are applied (never
  // lowers it; a position of an older epoch changes nothing).
  absl::Status Advance(const std::vector<std::pair<std::string, int32_t>>& partitions,
                       const std::vector<PartitionPosition>& positions);
  // The log was recreated behind the stored position: start a new epoch at
  // `next` (the log's start). Returns the new position.
  absl::StatusOr<PartitionPosition> Rebase(const std::string& topic, int32_t partition, int64_t next);

 private:
  RedisClient& redis_;
  int dedupe_window_;
};

}  // namespace herald::analytics
