#pragma once
// When a team works: weekly opening hours in the workspace's zone, minus
// holidays, or around the clock. SLA targets are counted in this time. Hours
// are local wall-clock times, so a DST change moves them with the clock (a
// 09:00 start is 09:00 on both sides of the change). No I/O.
#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace herald::listener {

class BusinessHours {
 public:
  // Open all the time (24/7 counting).
  static BusinessHours Always();
  // `week[d]`: open intervals on weekday d (0 Monday … 6 Sunday) as
  // [start, end) minutes after local midnight, 0 ≤ start < end ≤ 1440, not
  // overlapping. INVALID_ARGUMENT naming the day and interval otherwise.
  static absl::StatusOr<BusinessHours> Weekly(absl::TimeZone zone,
                                              std::array<std::vector<std::pair<int, int>>, 7> week,
                                              std::set<absl::CivilDay> holidays = {});

  // Open milliseconds in [from_ms, to_ms).
  int64_t Elapsed(int64_t from_ms, int64_t to_ms) const;
  // The instant at which `amount_ms` open milliseconds have passed since
  // from_ms (from_ms itself when amount_ms is 0 and it is open). Looks at
  // most ten years ahead; INT64_MAX when the hours never open.
  int64_t Add(int64_t from_ms, int64_t amount_ms) const;

 private:
  // The open spans of one local day, as instants.
  std::vector<std::pair<int64_t, int64_t>> OpenSpans(absl::CivilDay day) const;

  bool always_ = true;
  absl::TimeZone zone_ = absl::UTCTimeZone();
  std::array<std::vector<std::pair<int, int>>, 7> week_;
  std::set<absl::CivilDay> holidays_;
};

}  // namespace herald::listener
