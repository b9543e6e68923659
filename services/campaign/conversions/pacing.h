#pragma once
// Budget pacing, free of I/O. A campaign's day is a day of its own time zone
// (UTC when it has none): 24 hours, or 23/25 on a DST change. By a moment of
// that day the plan allows the daily budget times the share of the day that
// has passed; spend past that by more than the tolerance (a share of the
// daily budget, so the first minutes of a day raise nothing) is ahead of pace.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "campaign/campaign_rules.h"
#include "common/status.h"
#include "herald/campaign/v1/campaign.pb.h"
#include "herald/campaign/v1/conversions.pb.h"

namespace herald::campaign {

inline constexpr double kDefaultPaceTolerance = 0.10;
inline constexpr int kMaxSpendPerCall = 500;

// [start_ms, end_ms) of a local day.
struct DayWindow {
  int64_t start_ms = 0, end_ms = 0;
  double hours() const { return static_cast<double>(end_ms - start_ms) / 3.6e6; }
};
DayWindow LocalDayWindow(const LocalDate& day, const absl::TimeZone& zone);
// "YYYY-MM-DD" of the local day holding `ms`.
std::string LocalDayOf(int64_t ms, const absl::TimeZone& zone);
// The campaign's zone (UTC when it has none or it no longer loads).
absl::TimeZone CampaignZone(const v1::Campaign& campaign);

struct PaceInput {
  int64_t daily_budget_micros = 0;  // 0: none
  int64_t day_spend_micros = 0;
  int64_t total_budget_micros = 0;  // 0: none
  int64_t total_spend_micros = 0;
  DayWindow day;
  int64_t now_ms = 0;
};

struct Pace {
  double elapsed = 0;  // of the day, 0..1
  int64_t planned_micros = 0;
  v1::PacingState state = v1::PACING_STATE_UNSPECIFIED;
  // Every alert this spend deserves: "total_exceeded", "daily_exceeded",
  // "ahead_of_pace" (a day over its budget is not also "ahead").
  std::vector<std::string> alerts;
};
Pace JudgePace(const PaceInput& in, double tolerance = kDefaultPaceTolerance);

// Every entry's own fields; the campaign-dependent checks are CheckSpend's.
FieldErrors ValidateRecordSpend(const v1::RecordSpendRequest& request);
// An entry against its campaign: currency is the budget's, the channel one of
// its channels, the day within its flight and not after today in its zone.
void CheckSpend(const v1::SpendInput& entry, const v1::Campaign& campaign, int64_t now_ms, const std::string& at,
                FieldErrors& errors);

}  // namespace herald::campaign
