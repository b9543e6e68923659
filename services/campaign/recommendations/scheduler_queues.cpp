#include "campaign/recommendations/scheduler_queues.h"

#include "common/status.h"
#include "herald/scheduler/v1/scheduler.grpc.pb.h"

namespace herald::campaign {
namespace {

namespace sch = herald::scheduler::v1;

class GrpcSchedulerQueues : public SchedulerQueues {
 public:
  explicit GrpcSchedulerQueues(std::shared_ptr<grpc::Channel> channel)
      : stub_(sch::SchedulerService::NewStub(std::move(channel))) {}

  absl::StatusOr<QueueState> Get(const std::string& ws, const std::string& channel_id) override {
    sch::GetQueueRequest req;
    req.set_workspace_id(ws);
    req.set_channel_id(channel_id);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    sch::Queue q;
    grpc::Status s = stub_->GetQueue(&ctx, req, &q);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) return QueueState{};
    if (!s.ok()) return FromCallee(s, "scheduler GetQueue");
    QueueState out{q.time_zone(), {}};
    for (const auto& slot : q.slots()) out.slots.push_back({slot.day_of_week(), slot.hour(), slot.minute()});
    return out;
  }

  absl::Status Set(const std::string& ws, const std::string& channel_id, const QueueState& queue) override {
    sch::SetQueueRequest req;
    req.set_workspace_id(ws);
    req.set_channel_id(channel_id);
    req.set_time_zone(queue.time_zone);
    for (const auto& h : queue.slots) {
      auto* slot = req.add_slots();
      slot->set_day_of_week(h.day_of_week);
      slot->set_hour(h.hour);
      slot->set_minute(h.minute);
    }
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    sch::Queue q;
    grpc::Status s = stub_->SetQueue(&ctx, req, &q);
    return s.ok() ? absl::OkStatus() : FromCallee(s, "scheduler SetQueue");
  }

 private:
  std::unique_ptr<sch::SchedulerService::Stub> stub_;
};

}  // namespace

std::unique_ptr<SchedulerQueues> MakeSchedulerQueues(std::shared_ptr<grpc::Channel> scheduler) {
  return std::make_unique<GrpcSchedulerQueues>(std::move(scheduler));
}

}  // namespace herald::campaign
