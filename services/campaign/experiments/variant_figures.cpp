#include "campaign/experiments/variant_figures.h"

#include <cmath>

#include "common/status.h"
#include "common/time_util.h"
#include "herald/analytics/v1/analytics.grpc.pb.h"

namespace herald::campaign {
namespace {

namespace an = herald::analytics::v1;

class AnalyticsVariantFigures : public VariantFigures {
 public:
  explicit AnalyticsVariantFigures(std::shared_ptr<grpc::Channel> channel)
      : stub_(an::AnalyticsService::NewStub(std::move(channel))) {}

  absl::StatusOr<std::map<std::string, VariantCounts>> Read(const std::string& ws, const std::string& campaign,
                                                            const std::vector<std::string>& variants, int64_t from_ms,
                                                            int64_t to_ms) override {
    an::GetReportRequest req;
    req.set_workspace_id(ws);
    *req.mutable_from() = FromMs(from_ms);
    *req.mutable_to() = FromMs(to_ms);
    req.set_granularity(an::GRANULARITY_TOTAL);
    req.set_group_by(an::GROUP_BY_VARIANT);
    for (const auto& v : variants) req.add_group_ids(campaign + "/" + v);
    for (auto f : {an::FIGURE_IMPRESSIONS, an::FIGURE_ENGAGEMENTS, an::FIGURE_CLICKS, an::FIGURE_SALES,
                   an::FIGURE_POSTS_PUBLISHED}) {
      req.add_figures(f);
    }
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    an::Report report;
    grpc::Status s = stub_->GetReport(&ctx, req, &report);
    if (!s.ok()) return FromCallee(s, "analytics GetReport");
    std::map<std::string, VariantCounts> out;
    for (const auto& g : report.groups()) {
      const std::string variant = g.group_id().substr(g.group_id().find('/') + 1);
      VariantCounts& c = out[variant];
      for (const auto& f : g.figures()) {
        const int64_t v = f.total().has_value() ? std::llround(f.total().value()) : 0;
        switch (f.figure()) {
          case an::FIGURE_IMPRESSIONS: c.impressions = v; break;
          case an::FIGURE_ENGAGEMENTS: c.engagements = v; break;
          case an::FIGURE_CLICKS: c.clicks = v; break;
          // Sales split among clicks come in thousandths: whole sales are what a test counts.
          case an::FIGURE_SALES: c.sales = v; break;
          case an::FIGURE_POSTS_PUBLISHED: c.published = v; break;
          default: break;
        }
      }
    }
    return out;
  }

 private:
  std::unique_ptr<an::AnalyticsService::Stub> stub_;
};

}  // namespace

std::unique_ptr<VariantFigures> MakeAnalyticsVariantFigures(std::shared_ptr<grpc::Channel> analytics) {
  return std::make_unique<AnalyticsVariantFigures>(std::move(analytics));
}

}  // namespace herald::campaign
