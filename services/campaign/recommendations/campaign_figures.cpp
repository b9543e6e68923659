#include "campaign/recommendations/campaign_figures.h"

#include <cmath>

#include "campaign/analytics_totals.h"
#include "common/status.h"

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
    std::vector<std::string> groups;
    for (const auto& ch : channel_ids) groups.push_back(campaign + "/" + ch);
    auto totals = ReadReportTotals(*stub_, ws, an::GROUP_BY_CAMPAIGN_CHANNEL, groups,
                                   {an::FIGURE_SPEND, an::FIGURE_REVENUE, an::FIGURE_SALES}, from_ms, to_ms);
    if (!totals.ok()) return totals.status();
    std::vector<ChannelResult> out;
    const std::string prefix = campaign + "/";
    for (const auto& [group, figures] : *totals) {
      if (group.rfind(prefix, 0) != 0) continue;  // another campaign's channel
      ChannelResult r;
      r.channel_id = group.substr(prefix.size());
      for (const auto& [figure, total] : figures) {
        switch (figure) {
          case an::FIGURE_SPEND: r.spend_micros = std::llround(total * 1e6); break;
          case an::FIGURE_REVENUE: r.revenue_micros = std::llround(total * 1e6); break;
          case an::FIGURE_SALES: r.sales = total; break;
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
