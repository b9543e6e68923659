#pragma once
// Nearest-rank percentiles: the smallest value with at least p of the
// samples at or below it (an actual sample, never an interpolation).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace herald {

// `sorted` ascending and not empty; p in (0, 1].
template <class T>
T NearestRank(const std::vector<T>& sorted, double p) {
  auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::min(std::max<size_t>(rank, 1), sorted.size()) - 1];
}

}  // namespace herald
