#include "listener/alerts/spike_detector.h"

#include <algorithm>
#include <cmath>

namespace herald::listener {

void SpikeDetector::Learn(SpikeState& s, double count) const {
  if (s.buckets_seen == 0) {
    s.mean = count;
    s.variance = 0;
  } else {
    // West's incremental EWMA of mean and variance.
    double diff = count - s.mean;
    double increment = policy_.alpha * diff;
    s.mean += increment;
    s.variance = (1 - policy_.alpha) * (s.variance + diff * increment);
  }
  ++s.buckets_seen;
}

std::optional<Spike> SpikeDetector::Close(SpikeState& s, int64_t bucket, int64_t count) const {
  if (bucket <= s.last_bucket) return std::nullopt;
  // Quiet buckets in between are zeros: they end a spike and teach the
  // baseline (bounded: a long silence is at most enough zeros to forget
  // everything before it).
  if (s.last_bucket >= 0) {
    int64_t gap = std::min<int64_t>(bucket - s.last_bucket - 1, 200);
    for (int64_t i = 0; i < gap; ++i) {
      s.in_spike = false;
      Learn(s, 0);
    }
  }
  s.last_bucket = bucket;
  const double c = static_cast<double>(count);
  const double stddev = std::max({std::sqrt(s.variance), std::sqrt(s.mean), policy_.min_stddev});
  const double z = (c - s.mean) / stddev;
  const bool warm = s.buckets_seen >= policy_.warmup_buckets;
  std::optional<Spike> fired;
  if (s.in_spike) {
    if (c < s.mean + policy_.clear_z * stddev) s.in_spike = false;
    if (s.in_spike && ++s.spike_buckets >= policy_.adapt_after_buckets) Learn(s, c);
  } else if (warm && count >= policy_.min_count && z >= policy_.z) {
    s.in_spike = true;
    s.spike_buckets = 0;
    fired = Spike{bucket, count, s.mean, z};
  }
  if (!s.in_spike) Learn(s, c);
  return fired;
}

}  // namespace herald::listener
