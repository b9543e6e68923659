#pragma once
#include <grpcpp/grpcpp.h>
// Which posts exist: the scheduler owns them, the campaign service asks.
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace herald::campaign {

class PostDirectory {
 public:
  virtual ~PostDirectory() = default;
  virtual absl::StatusOr<bool> Exists(const std::string& workspace_id, const std::string& post_id) = 0;
};

std::unique_ptr<PostDirectory> MakeSchedulerPostDirectory(std::shared_ptr<grpc::Channel> scheduler);

}  // namespace herald::campaign
