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

// Publish lag histogram: bucket k holds lags up to 1.1^k seconds (k = 0 also
// holds lags at or below a second, and early publishes), k = kLagBuckets - 1
// everything past ~7 days. A percentile read from it is the upper edge of
// the bucket holding the rank: at most 10% above the true value.
constexpr int kLagBuckets = 141;
int LagBucket(double lag_seconds);
double LagBucketUpperSeconds(int bucket);
// Nearest-rank percentile (0 < q <= 1) of a histogram (bucket → count);
// absent when it is empty.
std::optional<double> LagPercentile(const std::vector<int64_t>& histogram, double q);

// p50, p90 and p99 (nearest rank) of samples in any order; absent when there are none.
struct Percentiles {
  int64_t p50 = 0, p90 = 0, p99 = 0;
};
std::optional<Percentiles> PercentilesOf(std::vector<int64_t> samples);

}  // namespace herald::analytics
