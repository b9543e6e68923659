// Recurrence rules (RFC 5545 RRULE subset) and their expansion in a zone.
#include "fuzz_input.h"
#include "scheduler/recurrence.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto f = herald::fuzz::Fields(data, size, 2);  // rrule, zone
  auto rule = herald::scheduler::ParseRRule(f[0]);
  auto zone = herald::LoadZone(f[1]);
  if (rule.ok()) {
    absl::TimeZone tz = zone ? *zone : absl::UTCTimeZone();
    (void)herald::scheduler::Occurrences(*rule, absl::CivilMinute(2026, 3, 29, 2, 30), tz, 1'700'000'000'000, 50);
  }
  return 0;
}
