#include "analytics/report/figures.h"

#include <algorithm>

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

}  // namespace herald::analytics
