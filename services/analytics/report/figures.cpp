#include "analytics/report/figures.h"

#include <algorithm>
#include <cmath>

#include "common/percentile.h"

namespace herald::analytics {

std::optional<double> EngagementRate(int64_t engagements, std::optional<int64_t> impressions) {
  if (!impressions || *impressions <= 0) return std::nullopt;
  return static_cast<double>(engagements) / static_cast<double>(*impressions);
}

std::optional<double> SuccessRatio(int64_t published, int64_t failed) {
  const int64_t attempted = published + failed;
  if (attempted <= 0) return std::nullopt;
  return static_cast<double>(published) / static_cast<double>(attempted);
}

std::optional<Percentiles> PercentilesOf(std::vector<int64_t> samples) {
  if (samples.empty()) return std::nullopt;
  std::sort(samples.begin(), samples.end());
  return Percentiles{NearestRank(samples, 0.50), NearestRank(samples, 0.90), NearestRank(samples, 0.99)};
}

int LagBucket(double lag_seconds) {
  if (!(lag_seconds > 1.0)) return 0;
  int k = static_cast<int>(std::ceil(std::log(lag_seconds) / std::log(1.1) - 1e-9));
  return std::clamp(k, 0, kLagBuckets - 1);
}

double LagBucketUpperSeconds(int bucket) { return std::pow(1.1, bucket); }

std::optional<double> LagPercentile(const std::vector<int64_t>& histogram, double q) {
  int64_t total = 0;
  for (int64_t c : histogram) total += c;
  if (total <= 0) return std::nullopt;
  auto rank = static_cast<int64_t>(std::ceil(q * static_cast<double>(total)));
  rank = std::clamp<int64_t>(rank, 1, total);
  int64_t seen = 0;
  for (size_t k = 0; k < histogram.size(); ++k) {
    seen += histogram[k];
    if (seen >= rank) return LagBucketUpperSeconds(static_cast<int>(k));
  }
  return LagBucketUpperSeconds(static_cast<int>(histogram.size()) - 1);
}

}  // namespace herald::analytics
