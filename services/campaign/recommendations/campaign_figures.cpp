#include "campaign/recommendations/campaign_figures.h"

#include <cmath>

#include "common/status.h"
#include "common/time_util.h"
#include "herald/analytics/v1/analytics.grpc.pb.h"

namespace herald::campaign {
namespace {

namespace an = herald::analytics::v1;

class AnalyticsCampaignFigures : public CampaignFigures {
 public:
  explicit AnalyticsCampaignFigures(std::shared_ptr<grpc::Channel> channel)
      : stub_(an::AnalyticsService::NewStub(std::move(channel))) {}

  absl::StatusOr<std::vector<ChannelResult>> Channels(const std::string& ws, const std::string& campaign,
                                                      const std::vector<std::string>& channel_ids, int64_t from_ms,
                                                      int64_t to_ms) override {
    an::GetReportRequest req;
    req.set_workspace_id(ws);
    *req.mutable_from() = FromMs(from_ms);
    *req.mutable_to() = FromMs(to_ms);
    req.set_granularity(an::GRANULARITY_TOTAL);
    req.set_group_by(an::GROUP_BY_CAMPAIGN_CHANNEL);
    for (const auto& ch : channel_ids) req.add_group_ids(campaign + "/" + ch);
    for (auto f : {an::FIGURE_SPEND, an::FIGURE_REVENUE, an::FIGURE_SALES}) req.add_figures(f);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    an::Report report;
    if (auto s = stub_->GetReport(&ctx, req, &report); !s.ok()) return FromCallee(s, "analytics GetReport");
    std::vector<ChannelResult> out;
    const std::string prefix = campaign + "/";
    for (const auto& g : report.groups()) {
      if (g.group_id().rfind(prefix, 0) != 0) continue;  // another campaign's channel
      ChannelResult r;
      r.channel_id = g.group_id().substr(prefix.size());
      for (const auto& f : g.figures()) {
        const double v = f.total().has_value() ? f.total().value() : 0;
        switch (f.figure()) {
          case an::FIGURE_SPEND: r.spend_micros = std::llround(v * 1e6); break;
          case an::FIGURE_REVENUE: r.revenue_micros = std::llround(v * 1e6); break;
          case an::FIGURE_SALES: r.sales = v; break;
          default: break;
        }
      }
      out.push_back(std::move(r));
    }
    return out;
  }

  absl::StatusOr<HourScores> BestTimes(const std::string& ws, const std::string& channel_id,
                                       const std::string& time_zone, int lookback_days) override {
    an::GetBestTimesRequest req;
    req.set_workspace_id(ws);
    req.set_channel_id(channel_id);
    req.set_time_zone(time_zone);
    req.set_lookback_days(std::max(7, lookback_days));
    req.set_limit(168);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    an::BestTimes times;
    if (auto s = stub_->GetBestTimes(&ctx, req, &times); !s.ok()) return FromCallee(s, "analytics GetBestTimes");
    HourScores out;
    out.channel_posts = times.channel_posts();
    for (const auto& h : times.hours()) {
      if (h.hour_of_week() >= 0 && h.hour_of_week() < 168) out.scores[h.hour_of_week()] = h.score();
    }
    return out;
  }

 private:
  std::unique_ptr<an::AnalyticsService::Stub> stub_;
};

}  // namespace

std::unique_ptr<CampaignFigures> MakeAnalyticsCampaignFigures(std::shared_ptr<grpc::Channel> analytics) {
  return std::make_unique<AnalyticsCampaignFigures>(std::move(analytics));
}

}  // namespace herald::campaign
