#pragma once
#include <grpcpp/grpcpp.h>
// What the scheduler needs to know about channels: the publisher owns them.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace herald::scheduler {

struct ChannelInfo {
  std::string id;
  std::string time_zone;
  bool active = true;
};

// One thing a network would refuse about a post's content, by field.
struct ContentProblem {
  std::string field;  // e.g. "text", "media_urls"
  std::string message;
};

class ChannelDirectory {
 public:
  virtual ~ChannelDirectory() = default;
  // nullopt if the workspace has no such channel; an error if the publisher cannot be asked.
  virtual absl::StatusOr<std::optional<ChannelInfo>> Lookup(const std::string& workspace_id,
                                                           const std::string& channel_id) = 0;
  // The network's objections to this content; empty when it fits. `reply`: it
  // answers another post. `split_into_thread`: text over the limit may go out
  // as a thread where the network has threads. The publisher's refusals keep
  // their code (common/status.h FromCallee).
  virtual absl::StatusOr<std::vector<ContentProblem>> ValidateContent(const std::string& workspace_id,
                                                                  const std::string& channel_id,
                                                                  const std::string& text,
                                                                  const std::vector<std::string>& media_urls,
                                                                  const std::string& link, bool reply,
                                                                  bool split_into_thread) = 0;
};

// Asks the publisher's gRPC API with deadlines.
std::unique_ptr<ChannelDirectory> MakePublisherChannelDirectory(std::shared_ptr<grpc::Channel> publisher);

}  // namespace herald::scheduler
