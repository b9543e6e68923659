#include "listener/inbox/sla_report.h"

#include <algorithm>
#include <cmath>

namespace herald::listener {

v1::SlaTargetReport Summarize(const std::string& target, std::vector<std::pair<int64_t, bool>> samples) {
  v1::SlaTargetReport out;
  out.set_target(target);
  out.set_count(static_cast<int64_t>(samples.size()));
  for (const auto& sample : samples) {
    if (sample.second) {
      out.set_met(out.met() + 1);
    } else {
      out.set_missed(out.missed() + 1);
    }
  }
  if (samples.empty()) return out;
  std::sort(samples.begin(), samples.end());
  // Nearest rank: the smallest value with at least p of the samples at or below it.
  auto at = [&](double p) {
    auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(samples.size())));
    return samples[std::max<size_t>(rank, 1) - 1].first;
  };
  out.set_p50_ms(at(0.50));
  out.set_p90_ms(at(0.90));
  out.set_p99_ms(at(0.99));
  return out;
}

}  // namespace herald::listener
