#pragma once
#include <grpcpp/grpcpp.h>
// Where an inbox reply goes: the scheduler, as a post that replies to the
// item (published now, at reply priority). An interface so the API is tested
// without a scheduler.
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "herald/listener/v1/listener.pb.h"

namespace herald::listener {

class ReplySender {
 public:
  virtual ~ReplySender() = default;
  // The post id. INVALID_ARGUMENT (the scheduler's words, naming the field)
  // when the reply is refused; UNAVAILABLE when the scheduler cannot answer.
  virtual absl::StatusOr<std::string> Send(const std::string& workspace_id, const herald::listener::v1::InboxItem& item,
                                           const std::string& text, const std::string& request_id) = 0;
};

std::unique_ptr<ReplySender> MakeSchedulerReplySender(std::shared_ptr<grpc::Channel> scheduler);

}  // namespace herald::listener
