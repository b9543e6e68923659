#pragma once
// What the campaign service reads of analytics: a report's totals over a
// range (GRANULARITY_TOTAL), per group and figure — variant counts for
// experiments, channel figures for recommendations.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "herald/analytics/v1/analytics.grpc.pb.h"

namespace herald::campaign {

// group id → figure → total (a figure without a value is left out).
using ReportTotals = std::map<std::string, std::map<herald::analytics::v1::Figure, double>>;

absl::StatusOr<ReportTotals> ReadReportTotals(herald::analytics::v1::AnalyticsService::Stub& analytics,
                                              const std::string& workspace_id,
                                              herald::analytics::v1::GroupBy group_by,
                                              const std::vector<std::string>& group_ids,
                                              const std::vector<herald::analytics::v1::Figure>& figures,
                                              int64_t from_ms, int64_t to_ms);

}  // namespace herald::campaign
