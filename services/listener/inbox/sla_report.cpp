#include "listener/inbox/sla_report.h"

#include <algorithm>
#include "common/percentile.h"

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
  std::vector<int64_t> ms;
  ms.reserve(samples.size());
  for (const auto& sample : samples) ms.push_back(sample.first);
  std::sort(ms.begin(), ms.end());
  out.set_p50_ms(NearestRank(ms, 0.50));
  out.set_p90_ms(NearestRank(ms, 0.90));
  out.set_p99_ms(NearestRank(ms, 0.99));
  return out;
}

}  // namespace herald::listener
