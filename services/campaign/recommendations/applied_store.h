#pragma once
// Recommendations applied, kept so that applying one again answers what the
// first call did instead of doing it twice:
//   rec:{<ws>}:a:<recommendation id>   serialized AppliedRecommendation (180 days)
//   rec:{<ws>}:b:<campaign id>          when a budget shift was last applied
//                                       (expires after the cool-down)
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/redis.h"
#include "herald/campaign/v1/recommendations.pb.h"

namespace herald::campaign {

class AppliedStore {
 public:
  explicit AppliedStore(RedisClient& redis) : redis_(redis) {}

  absl::StatusOr<std::optional<v1::AppliedRecommendation>> Get(const std::string& workspace_id,
                                                               const std::string& recommendation_id);
  // Keeps the first record of an id; answers the one kept.
  absl::StatusOr<v1::AppliedRecommendation> Put(const std::string& workspace_id,
                                                const v1::AppliedRecommendation& applied);

  // Budget shifts are judged on the figures after the last one: a shift
  // applied less than `cool_down_ms` ago holds the next one back.
  absl::Status NoteBudgetShift(const std::string& workspace_id, const std::string& campaign_id, int64_t at_ms,
                               int64_t cool_down_ms);
  // When the last shift still cooling down was applied (nullopt: none).
  absl::StatusOr<std::optional<int64_t>> BudgetShiftAt(const std::string& workspace_id, const std::string& campaign_id);

 private:
  RedisClient& redis_;
};

}  // namespace herald::campaign
