#include "campaign/post_directory.h"

#include <grpcpp/grpcpp.h>

#include "herald/scheduler/v1/scheduler.grpc.pb.h"

namespace herald::campaign {
namespace {

class SchedulerPostDirectory : public PostDirectory {
 public:
  explicit SchedulerPostDirectory(std::shared_ptr<grpc::Channel> channel)
      : stub_(herald::scheduler::v1::SchedulerService::NewStub(
            std::move(channel))) {}

  absl::StatusOr<bool> Exists(const std::string& workspace_id, const std::string& post_id) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    herald::scheduler::v1::GetPostRequest req;
    req.set_workspace_id(workspace_id);
    req.set_post_id(post_id);
    herald::scheduler::v1::Post post;
    grpc::Status s = stub_->GetPost(&ctx, req, &post);
    if (s.ok()) return true;
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) return false;
    return absl::UnavailableError("scheduler GetPost: " + s.error_message());
  }

 private:
  std::unique_ptr<herald::scheduler::v1::SchedulerService::Stub> stub_;
};

}  // namespace

std::unique_ptr<PostDirectory> MakeSchedulerPostDirectory(std::shared_ptr<grpc::Channel> scheduler) {
  return std::make_unique<SchedulerPostDirectory>(std::move(scheduler));
}

}  // namespace herald::campaign
