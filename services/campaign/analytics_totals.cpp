#include "campaign/analytics_totals.h"

#include <chrono>

#include "common/status.h"
#include "common/time_util.h"

namespace herald::campaign {

namespace an = herald::analytics::v1;

absl::StatusOr<ReportTotals> ReadReportTotals(an::AnalyticsService::Stub& analytics, const std::string& ws,
                                              an::GroupBy group_by, const std::vector<std::string>& group_ids,
                                              const std::vector<an::Figure>& figures, int64_t from_ms,
                                              int64_t to_ms) {
  an::GetReportRequest req;
  req.set_workspace_id(ws);
  *req.mutable_from() = FromMs(from_ms);
  *req.mutable_to() = FromMs(to_ms);
  req.set_granularity(an::GRANULARITY_TOTAL);
  req.set_group_by(group_by);
  for (const auto& id : group_ids) req.add_group_ids(id);
  for (auto f : figures) req.add_figures(f);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  an::Report report;
  if (auto s = analytics.GetReport(&ctx, req, &report); !s.ok()) return FromCallee(s, "analytics GetReport");
  ReportTotals out;
  for (const auto& g : report.groups()) {
    auto& totals = out[g.group_id()];
    for (const auto& f : g.figures()) {
      if (f.total().has_value()) totals[f.figure()] = f.total().value();
    }
  }
  return out;
}

}  // namespace herald::campaign
