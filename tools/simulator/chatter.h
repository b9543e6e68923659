#pragma once
// What people say to a brand, made up on demand: texts of a chosen tone
// (so listening and sentiment can be tested and loaded), deterministic for
// a seed. No I/O.
#include <cstdint>
#include <string>

namespace herald::sim {

enum class Tone { kPositive, kNeutral, kNegative };

// Shares of each tone; they need not sum to 1 (they are weights).
struct ToneMix {
  double positive = 0.5, neutral = 0.3, negative = 0.2;
};

// `unit` in [0, 1): which tone the mix gives it.
Tone PickTone(const ToneMix& mix, double unit);
// An English text of that tone, naming `brand` (e.g. "@alice").
std::string ChatterText(Tone tone, const std::string& brand, uint64_t seed);
// A plausible handle ("maria_k42").
std::string ChatterAuthor(uint64_t seed);

}  // namespace herald::sim
