#pragma once
// Spikes in mention volume: each 5-minute bucket's count against the
// series' own recent baseline, an exponentially weighted mean and variance
// (EWMA). A bucket is a spike when it is at least `min_count` mentions and
// `z` standard deviations above the baseline, after `warmup_buckets` of
// history. Mention counts vary at least as a Poisson count does, so the
// deviation is never taken below the square root of the mean: a short calm
// stretch does not make ordinary chance look like a spike. A spike fires once: the series stays "in spike" until a bucket
// falls back under baseline + `clear_z` deviations, so a sustained step is
// one alert, not one per bucket. Spike buckets do not teach the baseline (a
// surge would otherwise soon look normal) until the spike has lasted
// `adapt_after_buckets`: by then the new level is the new normal, and a
// further rise from it is a new spike. No I/O, no clock: buckets are
// numbered by the caller.
#include <cstdint>
#include <optional>

namespace herald::listener {

struct SpikePolicy {
  int64_t bucket_ms = 5 * 60 * 1000;
  double alpha = 0.1;        // weight of the newest bucket in the baseline
  double z = 4.0;            // deviations above the mean that make a spike
  double clear_z = 1.0;      // ... and below which it is over
  int64_t min_count = 10;    // fewer mentions are never a spike
  int warmup_buckets = 12;   // an hour of history before judging
  double min_stddev = 1.0;   // a flat history still leaves room for chance
  int adapt_after_buckets = 12;  // an hour in spike: the level is the new baseline
};

// One series' baseline: small and copyable, so callers keep it wherever they
// keep state (Redis, per rule and per channel).
struct SpikeState {
  double mean = 0;
  double variance = 0;
  int buckets_seen = 0;
  bool in_spike = false;
  int spike_buckets = 0;     // how long the current spike has lasted
  int64_t last_bucket = -1;  // the last bucket judged
};

struct Spike {
  int64_t bucket = 0;
  int64_t count = 0;
  double baseline = 0;  // the mean it rose above
  double z = 0;
};

class SpikeDetector {
 public:
  explicit SpikeDetector(SpikePolicy policy = {}) : policy_(policy) {}
  const SpikePolicy& policy() const { return policy_; }

  // The bucket a time falls in.
  int64_t BucketOf(int64_t at_ms) const { return at_ms / policy_.bucket_ms; }

  // Judges the closed bucket `bucket` with `count` mentions and updates the
  // state; buckets skipped since the last one count as empty. A bucket not
  // after the last one judged changes nothing (a replay). Returns the spike
  // when this bucket starts one.
  std::optional<Spike> Close(SpikeState& state, int64_t bucket, int64_t count) const;

 private:
  void Learn(SpikeState& state, double count) const;
  SpikePolicy policy_;
};

}  // namespace herald::listener
