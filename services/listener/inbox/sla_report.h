#pragma once
// The SLA report of one target from the clocks that stopped: counts, met and
// missed, and nearest-rank percentiles of the counted time. No I/O.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "herald/listener/v1/inbox.pb.h"

namespace herald::listener {

// `samples`: (counted ms, met) of each stopped clock, in any order.
v1::SlaTargetReport Summarize(const std::string& target, std::vector<std::pair<int64_t, bool>> samples);

}  // namespace herald::listener
