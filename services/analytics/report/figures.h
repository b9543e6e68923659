#pragma once
// The figures a report shows, from summed counters. A figure whose inputs a
// network does not give is absent (nullopt), never zero: "no impressions
// reported" is not "no one saw it". No I/O.
#include <cstdint>
#include <optional>
#include <vector>

namespace herald::analytics {

// Engagements per impression; absent without impressions (none reported,
// or zero: a rate over nothing is not a number).
std::optional<double> EngagementRate(int64_t engagements, std::optional<int64_t> impressions);

// Published of attempted (published + failed); absent when nothing was attempted.
std::optional<double> SuccessRatio(int64_t published, int64_t failed);

// p50, p90 and p99 (nearest rank) of samples in any order; absent when there are none.
struct Percentiles {
  int64_t p50 = 0, p90 = 0, p99 = 0;
};
std::optional<Percentiles> PercentilesOf(std::vector<int64_t> samples);

}  // namespace herald::analytics
