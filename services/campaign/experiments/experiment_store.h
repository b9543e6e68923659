#pragma once
// Experiments in Redis, every key of a workspace in its slot:
//   exp:{<ws>}:e:<id>          HASH b → serialized Experiment, s → status
//   exp:{<ws>}:k:<campaign>    ZSET of the campaign's experiment ids by creation
//   exp:{<ws>}:r:<request id>  the id a create request made (a day)
// Concluding writes the experiment and its experiment.concluded event to
// the workspace's outbox in one script: concluded once, announced once.
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis.h"
#include "herald/campaign/v1/experiments.pb.h"

namespace herald::campaign {

class ExperimentStore {
 public:
  explicit ExperimentStore(RedisClient& redis) : redis_(redis) {}

  absl::StatusOr<std::optional<v1::Experiment>> Get(const std::string& workspace_id, const std::string& id);
  // Writes an experiment that is not concluded (FAILED_PRECONDITION once it is).
  absl::Status Put(const v1::Experiment& e);
  absl::StatusOr<std::vector<v1::Experiment>> List(const std::string& workspace_id, const std::string& campaign_id);
  // Stores the concluded experiment and its event unless it was concluded
  // already: then returns the stored one (and writes nothing).
  absl::StatusOr<v1::Experiment> Conclude(const v1::Experiment& e, const std::string& outbox_member, int64_t now_ms);

 private:
  RedisClient& redis_;
};

}  // namespace herald::campaign
