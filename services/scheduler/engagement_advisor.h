#pragma once
// What analytics knows of when a channel's posts do well (its GetBestTimes),
// behind a small interface so the scheduler's API is tested without it.
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "scheduler/best_time_slots.h"

namespace herald::scheduler {

struct BestHours {
  std::vector<ScoredHour> hours;  // best first
  int channel_posts = 0;          // posts with engagement the model saw
  int workspace_posts = 0;
};

class EngagementAdvisor {
 public:
  virtual ~EngagementAdvisor() = default;
  virtual absl::StatusOr<BestHours> Best(const std::string& workspace_id, const std::string& channel_id,
                                         const std::string& time_zone) = 0;
};

// Asks the analytics service (a few seconds' deadline: a suggestion falls
// back to the queue rather than wait).
std::unique_ptr<EngagementAdvisor> MakeAnalyticsAdvisor(std::shared_ptr<grpc::Channel> analytics);

}  // namespace herald::scheduler
