#include "listener/reply_sender.h"

#include <grpcpp/grpcpp.h>

#include "herald/scheduler/v1/scheduler.grpc.pb.h"

namespace herald::listener {
namespace {

namespace sched = herald::scheduler::v1;

class SchedulerReplySender : public ReplySender {
 public:
  explicit SchedulerReplySender(std::shared_ptr<grpc::Channel> channel)
      : stub_(sched::SchedulerService::NewStub(std::move(channel))) {}

  absl::StatusOr<std::string> Send(const std::string& ws, const herald::listener::v1::InboxItem& item,
                                   const std::string& text, const std::string& request_id) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    sched::CreatePostRequest req;
    req.set_workspace_id(ws);
    req.set_request_id(request_id);
    req.set_text(text);
    req.add_channel_ids(item.channel_id());
    req.set_publish_now(true);
    req.set_in_reply_to_remote_id(item.remote_id());
    sched::Post post;
    grpc::Status s = stub_->CreatePost(&ctx, req, &post);
    if (s.ok()) return post.id();
    switch (s.error_code()) {
      // The scheduler's verdict on the reply itself: passed on as it is.
      case grpc::StatusCode::INVALID_ARGUMENT:
      case grpc::StatusCode::NOT_FOUND:
      case grpc::StatusCode::FAILED_PRECONDITION:
      case grpc::StatusCode::ALREADY_EXISTS:
        return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
      default:
        return absl::UnavailableError("scheduler CreatePost: " + s.error_message());
    }
  }

 private:
  std::unique_ptr<sched::SchedulerService::Stub> stub_;
};

}  // namespace

std::unique_ptr<ReplySender> MakeSchedulerReplySender(std::shared_ptr<grpc::Channel> scheduler) {
  return std::make_unique<SchedulerReplySender>(std::move(scheduler));
}

}  // namespace herald::listener
