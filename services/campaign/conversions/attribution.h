#pragma once
// Which clicks earn a conversion, free of I/O. A conversion names a click id
// (or a customer an earlier lead tied to clicks); the clicks it can be
// credited to are those within the window before it. Last click (the
// default) gives all of it to the latest; linear splits it evenly, to the
// micro. A conversion no click can take is kept, unattributed, with why.
#include <cstdint>
#include <string>
#include <vector>

namespace herald::campaign {

// A click that led somewhere: what its tracked link was made for.
struct Touch {
  std::string click_id, campaign_id, post_id, channel_id, variant;
  int64_t at_ms = 0;
};

enum class AttributionModel { kLastClick, kLinear };

inline constexpr int64_t kDefaultAttributionWindowMs = 7LL * 24 * 3600 * 1000;
// A click stamped this much after the conversion still counts (clocks of the
// shop and of Herald disagree a little).
inline constexpr int64_t kClockSkewMs = 5 * 60 * 1000;

// Linear credit goes to at most this many clicks, the latest.
inline constexpr size_t kMaxCredits = 50;

struct Credit {
  Touch touch;
  int64_t value_micros = 0;
  double share = 0;  // of the conversion (1 for last click)
};

struct Attribution {
  std::vector<Credit> credits;
  // Set when credits is empty: "unknown_click" (no such click), "expired"
  // (every click older than the window), "no_click" (nothing named one).
  std::string unattributed;
  bool attributed() const { return !credits.empty(); }
};

// `touches`: the clicks the conversion can name, in any order.
Attribution Attribute(int64_t conversion_ms, int64_t value_micros, const std::vector<Touch>& touches,
                      AttributionModel model, int64_t window_ms = kDefaultAttributionWindowMs);

Attribution Unattributed(std::string reason);

}  // namespace herald::campaign
