#include "analytics/store/rollup_keys.h"

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "analytics/report/local_periods.h"

namespace herald::analytics::keys {
namespace {

int64_t StartMs(absl::CivilMonth m) {
  return absl::ToUnixMillis(absl::FromCivil(absl::CivilSecond(m), absl::UTCTimeZone()));
}

}  // namespace

MonthSlot SlotOf(int64_t bucket_ms) {
  auto month = absl::CivilMonth(absl::ToCivilSecond(absl::FromUnixMillis(bucket_ms), absl::UTCTimeZone()));
  int64_t start = StartMs(month);
  return {absl::StrFormat("%04d%02d", month.year(), month.month()), start, (bucket_ms - start) / kBucketMs};
}

std::vector<MonthSlot> MonthsOf(int64_t from_ms, int64_t to_ms) {
  std::vector<MonthSlot> out;
  if (to_ms <= from_ms) return out;
  auto month = absl::CivilMonth(absl::ToCivilSecond(absl::FromUnixMillis(from_ms), absl::UTCTimeZone()));
  for (int64_t start = StartMs(month); start < to_ms; start = StartMs(++month)) {
    out.push_back({absl::StrFormat("%04d%02d", month.year(), month.month()), start, 0});
  }
  return out;
}

}  // namespace herald::analytics::keys
