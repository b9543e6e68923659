#pragma once
// A report request checked and planned (ReportPlan), then run against the
// rollups, whole (GetReport) or a slice of its periods at a time (the CSV
// export). Every bound is checked before the first read.
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "analytics/report/local_periods.h"
#include "analytics/store/rollup_reader.h"
#include "common/status.h"
#include "herald/analytics/v1/analytics.pb.h"

namespace herald::analytics {

inline constexpr int64_t kMaxRangeDays = 400;
inline constexpr size_t kMaxPeriods = 10000;
inline constexpr int kMaxGroups = 100;
// Values one GetReport answers at most (periods × groups × figures); more is
// an export (ExportReport streams it).
inline constexpr size_t kMaxReportValues = 200000;

struct ReportPlan {
  std::string workspace_id;
  std::string zone_name;
  absl::TimeZone zone;
  std::vector<Period> periods;
  std::vector<v1::Figure> figures;
  std::vector<std::string> group_ids;  // {""} for the workspace
  std::vector<std::string> series;     // one per group
  bool share_of_voice = false;
};

// Checks every field (INVALID_ARGUMENT naming each bad one), then lists the
// groups when the request named none (one read).
// `whole`: the answer is one message (GetReport), so its size is bounded.
absl::StatusOr<ReportPlan> PlanReport(const v1::GetReportRequest& request, RollupReader& reader, bool whole);

// The report over periods [first, last) of the plan.
absl::StatusOr<v1::Report> RunReport(const ReportPlan& plan, RollupReader& reader, size_t first, size_t last);

// A zone by IANA name ("" is UTC); false when unknown.
bool ZoneNamed(const std::string& name, absl::TimeZone* zone);
// Checks a [from, to) range of at most kMaxRangeDays.
void CheckRange(const google::protobuf::Timestamp& from, const google::protobuf::Timestamp& to, FieldErrors& errors);

}  // namespace herald::analytics
