#pragma once
// The arguments of the apply script for one slice (store/rollup_store.cpp).
// No I/O, so the in-process cost of a poll is measured apart from Redis.
// Dedupe ids go once each (a repeat inside the slice is dropped here) and
// counts are summed by series, figure and bucket, a day's buckets of a
// figure sent together as the field's own "q:delta,…" text: a poll of a
// thousand mentions becomes a few dozen updates the script only appends.
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "analytics/store/rollup_store.h"
#include "common/redis.h"

namespace herald::analytics {

// What one round sends: per segment, the facts at or after its `from`
// (segments dropped send nothing), less the ids the store said were
// counted already.
struct ApplyRound {
  std::vector<int64_t> from;    // per segment; empty: each segment's first offset
  std::vector<bool> dropped;    // per segment; empty: none
  absl::flat_hash_set<std::string> excluded;
};

// KEYS and ARGV of the script; `included` gets the facts sent, `sent` the
// index of each segment sent (ARGV order).
std::pair<RedisClient::Args, RedisClient::Args> ApplyArgs(const Slice& slice, const ApplyRound& round, int window,
                                                          int64_t now_ms, std::vector<const Fact*>& included,
                                                          std::vector<uint32_t>& sent);

}  // namespace herald::analytics
