#pragma once
// Recurring schedules evaluated in an IANA time zone, so 09:00 stays 09:00
// across daylight-saving changes. No I/O.
//
// RRULE subset of RFC 5545: FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL, BYDAY (MO..SU,
// no ordinals), BYMONTHDAY (1..31 and -1..-31 from the month's end), BYHOUR,
// BYMINUTE, COUNT, UNTIL (UTC, e.g. 20261231T235959Z), WKST=MO only.
// Local times that do not exist (spring-forward gap) move forward by the gap;
// local times that happen twice (fall-back) take the first.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/time_util.h"

namespace herald::scheduler {

struct RRule {
  enum class Freq { kDaily, kWeekly, kMonthly };
  Freq freq = Freq::kDaily;
  int interval = 1;
  std::vector<absl::Weekday> by_day;
  std::vector<int> by_month_day;
  std::vector<int> by_hour;
  std::vector<int> by_minute;
  std::optional<int> count;
  std::optional<int64_t> until_ms;
};

// INVALID_ARGUMENT naming the part of the rule that is wrong.
absl::StatusOr<RRule> ParseRRule(std::string_view text);

// Zones by IANA name come from common (herald::LoadZone).
using herald::LoadZone;

// The instant a local wall-clock time means in `zone` (gap → later, overlap → first).
int64_t LocalToUnixMs(absl::CivilMinute local, const absl::TimeZone& zone);

// Occurrences of `rule` from `dtstart` (local time in `zone`, itself the first
// occurrence if it matches), strictly after `after_ms`, at most `max` of them.
std::vector<int64_t> Occurrences(const RRule& rule, absl::CivilMinute dtstart, const absl::TimeZone& zone,
                                 int64_t after_ms, size_t max);

// A weekly slot of a channel's queue, in the channel's zone.
struct QueueSlot {
  absl::Weekday day = absl::Weekday::monday;
  int hour = 9;
  int minute = 0;
};

// The next `n` slot instants at or after from_ms, in order.
std::vector<int64_t> NextSlotTimes(const std::vector<QueueSlot>& plan, const absl::TimeZone& zone, int64_t from_ms,
                                   size_t n);

}  // namespace herald::scheduler
