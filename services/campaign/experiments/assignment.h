#pragma once
// Which arm each of an experiment's cells gets; no I/O. A cell is a (slot,
// channel) pair. On every channel the arms get the planned share of its
// slots exactly (largest remainder), in an order shuffled by a seed derived
// from the experiment — so the split is balanced per channel, randomized
// over time of day and weekday, and the same on every replay.
#include <cstdint>
#include <string>
#include <vector>

namespace herald::campaign {

// `slots` cells of one channel: the arm index of each, by slot order.
std::vector<int> AssignArms(int slots, const std::vector<double>& weights, uint64_t seed);

struct CellArm {
  int slot = 0, channel = 0, arm = 0;
};
// Every cell of every channel (channel-major, slot order within).
std::vector<CellArm> AssignCells(int slots, int channels, const std::vector<double>& weights,
                                 const std::string& experiment_id);

}  // namespace herald::campaign
