#include "campaign/experiments/assignment.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "common/ids.h"

namespace herald::campaign {

std::vector<int> AssignArms(int slots, const std::vector<double>& weights, uint64_t seed) {
  std::vector<int> arms;
  if (slots <= 0 || weights.empty()) return arms;
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  // Largest remainder: each arm its whole share, the leftover cells to the
  // largest fractions (ties to the earlier arm).
  std::vector<int> count(weights.size());
  std::vector<std::pair<double, size_t>> remainders;
  int given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const double share = total > 0 ? slots * weights[i] / total : 0;
    count[i] = static_cast<int>(share);
    given += count[i];
    remainders.push_back({share - count[i], i});
  }
  std::stable_sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t k = 0; given < slots; ++k, ++given) ++count[remainders[k % remainders.size()].second];
  for (size_t i = 0; i < count.size(); ++i) arms.insert(arms.end(), static_cast<size_t>(count[i]), static_cast<int>(i));
  // A fixed generator and our own Fisher-Yates: std::shuffle's algorithm is
  // the library's to change, and a replay must assign the same.
  std::mt19937_64 rng(seed);
  for (size_t i = arms.size(); i > 1; --i) std::swap(arms[i - 1], arms[rng() % i]);
  return arms;
}

std::vector<CellArm> AssignCells(int slots, int channels, const std::vector<double>& weights,
                                 const std::string& experiment_id) {
  std::vector<CellArm> cells;
  for (int c = 0; c < channels; ++c) {
    auto arms = AssignArms(slots, weights, StableHash(experiment_id + "/" + std::to_string(c)));
    for (int s = 0; s < slots; ++s) cells.push_back({s, c, arms[static_cast<size_t>(s)]});
  }
  return cells;
}

}  // namespace herald::campaign
