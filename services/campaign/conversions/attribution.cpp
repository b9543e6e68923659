#include "campaign/conversions/attribution.h"

#include <algorithm>

namespace herald::campaign {

Attribution Unattributed(std::string reason) {
  Attribution a;
  a.unattributed = std::move(reason);
  return a;
}

Attribution Attribute(int64_t conversion_ms, int64_t value_micros, const std::vector<Touch>& touches,
                      AttributionModel model, int64_t window_ms) {
  if (touches.empty()) return Unattributed("no_click");
  std::vector<const Touch*> eligible;
  for (const auto& t : touches) {
    if (t.at_ms <= conversion_ms + kClockSkewMs && t.at_ms >= conversion_ms - window_ms) eligible.push_back(&t);
  }
  if (eligible.empty()) return Unattributed("expired");
  // Oldest first; equal times by click id, so the split is the same on every replica.
  std::sort(eligible.begin(), eligible.end(), [](const Touch* a, const Touch* b) {
    return a->at_ms != b->at_ms ? a->at_ms < b->at_ms : a->click_id < b->click_id;
  });
  Attribution out;
  if (model == AttributionModel::kLastClick) {
    out.credits.push_back({*eligible.back(), value_micros, 1.0});
    return out;
  }
  if (eligible.size() > kMaxCredits) eligible.erase(eligible.begin(), eligible.end() - kMaxCredits);
  const auto n = static_cast<int64_t>(eligible.size());
  const int64_t each = value_micros / n, rest = value_micros - each * n;
  for (int64_t i = 0; i < n; ++i) {
    // The micros that do not divide evenly go to the latest clicks, one each.
    int64_t value = each + (i >= n - rest ? 1 : 0);
    out.credits.push_back({*eligible[static_cast<size_t>(i)], value, 1.0 / static_cast<double>(n)});
  }
  return out;
}

}  // namespace herald::campaign
