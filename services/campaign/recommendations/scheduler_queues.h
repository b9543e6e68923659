#pragma once
// A channel's posting queue as the scheduler keeps it: what queue-slot
// recommendations read and change.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "campaign/recommendations/recommendation_rules.h"

namespace herald::campaign {

struct QueueState {
  std::string time_zone;
  std::vector<QueueHour> slots;  // empty: the channel has no queue
};

class SchedulerQueues {
 public:
  virtual ~SchedulerQueues() = default;
  virtual absl::StatusOr<QueueState> Get(const std::string& workspace_id, const std::string& channel_id) = 0;
  virtual absl::Status Set(const std::string& workspace_id, const std::string& channel_id, const QueueState& queue) = 0;
};

std::unique_ptr<SchedulerQueues> MakeSchedulerQueues(std::shared_ptr<grpc::Channel> scheduler);

}  // namespace herald::campaign
