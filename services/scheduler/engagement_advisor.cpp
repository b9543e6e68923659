#include "scheduler/engagement_advisor.h"

#include "common/status.h"
#include "herald/analytics/v1/analytics.grpc.pb.h"

namespace herald::scheduler {
namespace {

namespace an = herald::analytics::v1;

class AnalyticsAdvisor final : public EngagementAdvisor {
 public:
  explicit AnalyticsAdvisor(std::shared_ptr<grpc::Channel> channel) : stub_(an::AnalyticsService::NewStub(channel)) {}

  absl::StatusOr<BestHours> Best(const std::string& ws, const std::string& channel_id,
                                 const std::string& time_zone) override {
    an::GetBestTimesRequest req;
    req.set_workspace_id(ws);
    req.set_channel_id(channel_id);
    req.set_time_zone(time_zone);
    an::BestTimes res;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    grpc::Status s = stub_->GetBestTimes(&ctx, req, &res);
    if (!s.ok()) return FromCallee(s, "analytics best times");
    BestHours out;
    for (const auto& h : res.hours()) out.hours.push_back({h.hour_of_week(), h.score()});
    out.channel_posts = res.channel_posts();
    out.workspace_posts = res.workspace_posts();
    return out;
  }

 private:
  std::unique_ptr<an::AnalyticsService::Stub> stub_;
};

}  // namespace

std::unique_ptr<EngagementAdvisor> MakeAnalyticsAdvisor(std::shared_ptr<grpc::Channel> analytics) {
  return std::make_unique<AnalyticsAdvisor>(std::move(analytics));
}

}  // namespace herald::scheduler
