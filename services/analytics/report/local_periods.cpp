#include "analytics/report/local_periods.h"

namespace herald::analytics {

namespace {

// The instant a local time begins: for a time the clocks skipped, the
// moment they jumped (the day or hour starts when the zone reaches it).
int64_t StartOf(absl::TimeZone zone, absl::CivilSecond local) {
  const absl::TimeZone::TimeInfo info = zone.At(local);
  const absl::Time t = info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre;
  return absl::ToUnixMillis(t);
}

absl::CivilSecond Floor(absl::CivilSecond local, Granularity g) {
  switch (g) {
    case Granularity::kHour: return absl::CivilSecond(absl::CivilHour(local));
    case Granularity::kDay: return absl::CivilSecond(absl::CivilDay(local));
    case Granularity::kWeek: {
      absl::CivilDay day(local);
      // Back to Monday.
      while (absl::GetWeekday(day) != absl::Weekday::monday) --day;
      return absl::CivilSecond(day);
    }
  }
  return local;
}

absl::CivilSecond Next(absl::CivilSecond local, Granularity g) {
  switch (g) {
    case Granularity::kHour: return absl::CivilSecond(absl::CivilHour(local) + 1);
    case Granularity::kDay: return absl::CivilSecond(absl::CivilDay(local) + 1);
    case Granularity::kWeek: return absl::CivilSecond(absl::CivilDay(local) + 7);
  }
  return local;
}

}  // namespace

int64_t BucketOf(int64_t ms) {
  int64_t b = ms / kBucketMs;
  if (ms % kBucketMs < 0) --b;  // floor for instants before 1970
  return b * kBucketMs;
}

absl::StatusOr<std::vector<Period>> LocalPeriods(absl::TimeZone zone, int64_t from_ms, int64_t to_ms,
                                                 Granularity granularity, size_t max_periods) {
  if (to_ms <= from_ms) return absl::InvalidArgumentError("end_time: must be after start_time");
  std::vector<Period> out;
  absl::CivilSecond local = Floor(zone.At(absl::FromUnixMillis(from_ms)).cs, granularity);
  int64_t start = StartOf(zone, local);
  while (start < to_ms) {
    absl::CivilSecond next_local = Next(local, granularity);
    int64_t end = StartOf(zone, next_local);
    // An hour the clocks skipped ends where it starts: no period. One they
    // repeated ends when the following hour starts (two hours later).
    if (end > start) {
      if (out.size() == max_periods) {
        return absl::InvalidArgumentError("the range needs more than " + std::to_string(max_periods) +
                                          " periods; choose a coarser group or a shorter range");
      }
      out.push_back({start, end, local});
    }
    local = next_local;
    start = std::max(start, end);
  }
  return out;
}

std::vector<int64_t> SumInto(const std::vector<Period>& periods, const std::map<int64_t, int64_t>& buckets) {
  std::vector<int64_t> sums(periods.size(), 0);
  // Both are in time order: one pass.
  size_t p = 0;
  for (const auto& [bucket, count] : buckets) {
    while (p < periods.size() && periods[p].end_ms <= bucket) ++p;
    if (p == periods.size()) break;
    if (bucket >= periods[p].start_ms) sums[p] += count;
  }
  return sums;
}

}  // namespace herald::analytics
