#pragma once
// How big a segment is, from a uniform sample of a workspace's profiles, and
// rates with their uncertainty; no I/O. Intervals are Wilson score intervals
// (good at rates near 0 or 1, where a segment often is), narrowed by the
// finite-population correction: a sample of all the profiles is exact.
#include <cstdint>

namespace herald::campaign {

struct RateInterval {
  double rate = 0, low = 0, high = 0;
};
// successes of trials, 95% by default; sampling `trials` of `population`
// without replacement (population 0: treated as infinite).
RateInterval WilsonInterval(int64_t successes, int64_t trials, int64_t population = 0, double z = 1.959963984540054);

struct SizeEstimate {
  int64_t estimate = 0, low = 0, high = 0;
  bool exact = false;
};
// `matched` of `sampled` profiles, drawn from `population`.
SizeEstimate EstimateSize(int64_t population, int64_t sampled, int64_t matched);

}  // namespace herald::campaign
