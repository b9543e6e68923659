#include "campaign/audiences/segment_estimate.h"

#include <algorithm>
#include <cmath>

namespace herald::campaign {

RateInterval WilsonInterval(int64_t successes, int64_t trials, int64_t population, double z) {
  RateInterval r;
  if (trials <= 0) return {0, 0, 1};
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(successes) / n;
  r.rate = p;
  if (population > 0 && trials >= population) return {p, p, p};  // everyone was looked at
  if (population > 1) z *= std::sqrt(static_cast<double>(population - trials) / static_cast<double>(population - 1));
  const double z2 = z * z;
  const double center = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = z / (1 + z2 / n) * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  r.low = std::max(0.0, center - half);
  r.high = std::min(1.0, center + half);
  return r;
}

SizeEstimate EstimateSize(int64_t population, int64_t sampled, int64_t matched) {
  SizeEstimate e;
  if (population <= 0 || sampled <= 0) return e;
  if (sampled >= population) {
    e.estimate = e.low = e.high = matched;
    e.exact = true;
    return e;
  }
  RateInterval r = WilsonInterval(matched, sampled, population);
  const double n = static_cast<double>(population);
  e.estimate = std::llround(r.rate * n);
  // The sample's own matches are certain: the low end is never below them.
  e.low = std::max(matched, static_cast<int64_t>(std::floor(r.low * n)));
  e.high = std::min(population - (sampled - matched), static_cast<int64_t>(std::ceil(r.high * n)));
  return e;
}

}  // namespace herald::campaign
