#include "publisher/quota_plan.h"

#include <algorithm>

namespace herald::publisher {

QuotaPlan PlanFor(const NetworkProfile& network, const std::string& channel_id, CallKind kind) {
  bool app_wide = std::any_of(network.quotas.begin(), network.quotas.end(),
                              [](const QuotaRule& q) { return q.scope == QuotaRule::Scope::kApp; });
  std::string tag = "rl:{" + (app_wide ? network.name : network.name + ":" + channel_id) + "}:";
  QuotaPlan plan;
  for (const auto& rule : network.quotas) {
    int64_t cost = rule.Cost(kind);
    if (cost == 0) continue;
    std::string scope = rule.scope == QuotaRule::Scope::kApp ? "app:" : "acct:" + channel_id + ":";
    for (const auto& w : rule.windows) plan.push_back({tag + scope + w.name, w, cost});
  }
  return plan;
}

}  // namespace herald::publisher
