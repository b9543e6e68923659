#include "scheduler/best_time_slots.h"

#include <algorithm>

#include "absl/time/civil_time.h"

namespace herald::scheduler {
namespace {

std::vector<ScoredHour> BestFirst(std::vector<ScoredHour> hours) {
  std::stable_sort(hours.begin(), hours.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
  return hours;
}

}  // namespace

std::vector<int64_t> BestUpcomingTimes(const std::vector<ScoredHour>& hours, absl::TimeZone zone, int64_t now_ms,
                                       const std::vector<int64_t>& taken, size_t count) {
  auto local_now = absl::ToCivilHour(absl::FromUnixMillis(now_ms), zone);
  // Monday of this local week, 00:00.
  absl::CivilDay today(local_now);
  int from_monday = (static_cast<int>(absl::GetWeekday(today)) - static_cast<int>(absl::Weekday::monday) + 7) % 7;
  absl::CivilHour week_start(today - from_monday);
  std::vector<int64_t> out;
  for (const ScoredHour& h : BestFirst(hours)) {
    if (out.size() >= count) break;
    if (h.hour_of_week < 0 || h.hour_of_week >= 168) continue;
    for (int week = 0; week < 2; ++week) {
      absl::CivilHour local = week_start + week * 168 + h.hour_of_week;
      int64_t at = absl::ToUnixMillis(absl::FromCivil(local, zone));
      if (at <= now_ms) continue;
      if (std::find(taken.begin(), taken.end(), at) == taken.end() &&
          std::find(out.begin(), out.end(), at) == out.end()) {
        out.push_back(at);
      }
      break;
    }
  }
  return out;
}

std::vector<WeeklySlot> ProposedSlots(const std::vector<ScoredHour>& hours, size_t count) {
  std::vector<ScoredHour> best = BestFirst(hours);
  if (best.size() > count) best.resize(count);
  std::sort(best.begin(), best.end(), [](const auto& a, const auto& b) { return a.hour_of_week < b.hour_of_week; });
  std::vector<WeeklySlot> out;
  for (const auto& h : best) {
    if (h.hour_of_week < 0 || h.hour_of_week >= 168) continue;
    out.push_back({h.hour_of_week / 24 + 1, h.hour_of_week % 24});
  }
  return out;
}

}  // namespace herald::scheduler
