#pragma once
// Which channels exist: the publisher owns them, the scheduler asks.
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace herald::scheduler {

class ChannelDirectory {
 public:
  virtual ~ChannelDirectory() = default;
  // True if the workspace has this channel; an error if the publisher cannot be asked.
  virtual absl::StatusOr<bool> Exists(const std::string& workspace_id, const std::string& channel_id) = 0;
};

// Asks the publisher's gRPC API (GetChannel) with a deadline.
std::unique_ptr<ChannelDirectory> MakePublisherChannelDirectory(const std::string& publisher_address);

}  // namespace herald::scheduler
