#include "listener/inbox/business_hours.h"

#include <algorithm>
#include <limits>

namespace herald::listener {

namespace {

constexpr int64_t kMaxDays = 3660;  // ten years: beyond that, a target is never met

int Weekday(absl::CivilDay day) {
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::monday: return 0;
    case absl::Weekday::tuesday: return 1;
    case absl::Weekday::wednesday: return 2;
    case absl::Weekday::thursday: return 3;
    case absl::Weekday::friday: return 4;
    case absl::Weekday::saturday: return 5;
    case absl::Weekday::sunday: return 6;
  }
  return 0;
}

// A local wall-clock time as an instant. A time the clocks skip (02:30 on
// the spring-forward night) is taken as the instant the day reaches it after
// the jump; a repeated time (autumn) as its first occurrence.
int64_t At(const absl::TimeZone& zone, absl::CivilDay day, int minute) {
  absl::CivilSecond local = absl::CivilSecond(day) + minute * 60;
  return absl::ToUnixMillis(zone.At(local).pre);
}

}  // namespace

BusinessHours BusinessHours::Always() { return BusinessHours(); }

absl::StatusOr<BusinessHours> BusinessHours::Weekly(absl::TimeZone zone,
                                                    std::array<std::vector<std::pair<int, int>>, 7> week,
                                                    std::set<absl::CivilDay> holidays) {
  static constexpr const char* kDays[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
  for (int d = 0; d < 7; ++d) {
    auto& spans = week[static_cast<size_t>(d)];
    std::sort(spans.begin(), spans.end());
    for (size_t i = 0; i < spans.size(); ++i) {
      auto [start, end] = spans[i];
      std::string where = std::string(kDays[d]) + "[" + std::to_string(i) + "]";
      if (start < 0 || end > 1440 || start >= end) {
        return absl::InvalidArgumentError(where + ": want 0 <= start < end <= 1440 minutes");
      }
      if (i > 0 && start < spans[i - 1].second) return absl::InvalidArgumentError(where + ": overlaps the one before");
    }
  }
  BusinessHours h;
  h.always_ = false;
  h.zone_ = zone;
  h.week_ = std::move(week);
  h.holidays_ = std::move(holidays);
  return h;
}

std::vector<std::pair<int64_t, int64_t>> BusinessHours::OpenSpans(absl::CivilDay day) const {
  std::vector<std::pair<int64_t, int64_t>> out;
  if (holidays_.count(day)) return out;
  for (auto [start, end] : week_[static_cast<size_t>(Weekday(day))]) {
    int64_t from = At(zone_, day, start), to = At(zone_, day, end);
    if (to > from) out.emplace_back(from, to);
  }
  return out;
}

int64_t BusinessHours::Elapsed(int64_t from_ms, int64_t to_ms) const {
  if (to_ms <= from_ms) return 0;
  if (always_) return to_ms - from_ms;
  int64_t total = 0;
  absl::CivilDay day = absl::ToCivilDay(absl::FromUnixMillis(from_ms), zone_) - 1;  // a span may start the day before
  absl::CivilDay last = absl::ToCivilDay(absl::FromUnixMillis(to_ms), zone_) + 1;
  for (int64_t n = 0; day <= last && n <= kMaxDays; ++day, ++n) {
    for (auto [open, close] : OpenSpans(day)) {
      int64_t a = std::max(open, from_ms), b = std::min(close, to_ms);
      if (b > a) total += b - a;
    }
  }
  return total;
}

int64_t BusinessHours::Add(int64_t from_ms, int64_t amount_ms) const {
  if (always_) return from_ms + amount_ms;
  int64_t left = amount_ms;
  absl::CivilDay day = absl::ToCivilDay(absl::FromUnixMillis(from_ms), zone_) - 1;
  for (int64_t n = 0; n <= kMaxDays; ++day, ++n) {
    for (auto [open, close] : OpenSpans(day)) {
      int64_t a = std::max(open, from_ms);
      if (close <= a) continue;
      if (close - a >= left) return a + left;
      left -= close - a;
    }
  }
  return std::numeric_limits<int64_t>::max();
}

}  // namespace herald::listener
