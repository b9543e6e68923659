#pragma once
// When a published post's metrics are read: at fixed ages after publishing
// (1 h, 6 h, 24 h, 3 d, 7 d, 28 d by default), densest while a post is
// young and its counts move. A read missed (analytics was down) is not made
// up: the next read is the first age still ahead. No I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace herald::analytics {

// "1h,6h,24h,3d,7d,28d" (units s, m, h, d; ascending, 1-20 of them).
absl::StatusOr<std::vector<int64_t>> ParseReadAges(const std::string& text);

// The next read of a post published at `published_ms`, after `now_ms`;
// nullopt once every age has passed.
std::optional<int64_t> NextRead(int64_t published_ms, const std::vector<int64_t>& ages_ms, int64_t now_ms);

}  // namespace herald::analytics
