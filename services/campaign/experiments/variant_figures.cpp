#include "campaign/experiments/variant_figures.h"

#include <cmath>

#include "campaign/analytics_totals.h"

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
    std::vector<std::string> groups;
    for (const auto& v : variants) groups.push_back(campaign + "/" + v);
    auto totals = ReadReportTotals(*stub_, ws, an::GROUP_BY_VARIANT, groups,
                                   {an::FIGURE_IMPRESSIONS, an::FIGURE_ENGAGEMENTS, an::FIGURE_CLICKS, an::FIGURE_SALES,
                                    an::FIGURE_POSTS_PUBLISHED},
                                   from_ms, to_ms);
    if (!totals.ok()) return totals.status();
    std::map<std::string, VariantCounts> out;
    for (const auto& [group, figures] : *totals) {
      VariantCounts& c = out[group.substr(group.find('/') + 1)];
      for (const auto& [figure, total] : figures) {
        const int64_t v = std::llround(total);
        switch (figure) {
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
