#pragma once
// Reads the rollups (layout: rollup_keys.h) for reports. Every read of a
// report is one pipelined round trip.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis.h"

namespace herald::analytics {

// figure → (15-minute bucket start ms, count), sorted by bucket.
using SeriesBuckets = std::map<std::string, std::vector<std::pair<int64_t, int64_t>>>;
// A post's record: "ch", "cmp", "var", "net", "sch", "pub", "m:<figure>".
using PostRecord = std::map<std::string, std::string>;

class RollupReader {
 public:
  explicit RollupReader(RedisClient& redis) : redis_(redis) {}

  // Each series' buckets in [from_ms, to_ms).
  absl::StatusOr<std::vector<SeriesBuckets>> Buckets(const std::string& ws, const std::vector<std::string>& series,
                                                     int64_t from_ms, int64_t to_ms);
  // Each series' all-time counts by figure.
  absl::StatusOr<std::vector<std::map<std::string, int64_t>>> Totals(const std::string& ws,
                                                                     const std::vector<std::string>& series);
  // Records of the posts (empty for a post analytics never saw).
  absl::StatusOr<std::vector<PostRecord>> Posts(const std::string& ws, const std::vector<std::string>& post_ids);
  // Posts published in [from_ms, to_ms), newest first, at most `limit`, and
  // how many the range holds.
  struct Published {
    std::vector<std::pair<std::string, int64_t>> posts;  // id, published ms
    int64_t in_range = 0;
  };
  absl::StatusOr<Published> PublishedPosts(const std::string& ws, int64_t from_ms, int64_t to_ms, int64_t limit);
  // Ids of a group kind ("c", "k", "v", "r", "t") the workspace has, at most `limit`.
  absl::StatusOr<std::vector<std::string>> Groups(const std::string& ws, const std::string& kind, int64_t limit);

 private:
  RedisClient& redis_;
};

}  // namespace herald::analytics
