#pragma once
// Applies facts to the rollups exactly once (layout: rollup_keys.h).
//
// A poll's facts are cut into slices, one per workspace. One script applies
// a slice: its counts, its post records, its dedupe ids, and the
// workspace's position in each partition the slice holds facts of (a
// segment), together. Each segment is fenced by the workspace's position in
// that partition: a segment wholly behind it is dropped, one straddling it
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
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "analytics/rollup.h"
#include "common/redis.h"

namespace herald::analytics {

// The part of one partition's poll a slice covers.
struct Segment {
  std::string topic;
  int32_t partition = 0;
  int64_t epoch = 0;
  int64_t first_offset = 0;  // the poll's first offset of the partition
  int64_t next_offset = 0;   // one past its last
};

struct Slice {
  std::string workspace_id;
  std::vector<Segment> segments;
  // The workspace's facts in poll order, with each one's segment and offset.
  std::vector<const Fact*> facts;
  std::vector<uint32_t> segment_of;
  std::vector<int64_t> offsets;

  void Add(const Fact* fact, uint32_t segment, int64_t offset) {
    facts.push_back(fact);
    segment_of.push_back(segment);
    offsets.push_back(offset);
  }
};

struct SliceResult {
  // Facts that changed the rollups (not behind a position, not a repeat).
  std::vector<const Fact*> applied;
  bool committed = false;  // the script wrote (some segment was new)
  int stale_segments = 0;  // refused: their partition was re-based since
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

  // Lists workspaces whose posts have metric reads queued (where the
  // metrics reader looks).
  absl::Status ListForMetricReads(const std::set<std::string>& workspaces);

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

// The list ListForMetricReads writes (outside any workspace's hash tag: it
// only points at them).
inline constexpr char kMetricsWorkspacesKey[] = "anm:workspaces";

}  // namespace herald::analytics
