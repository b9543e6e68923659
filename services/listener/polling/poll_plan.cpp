#include "listener/polling/poll_plan.h"

#include <algorithm>

#include "listener/rules/query.h"

namespace herald::listener {

int64_t NextPollAt(const PollOptions& o, PollOutcome outcome, int failures, int64_t retry_after_ms, int64_t now_ms,
                   double unit) {
  switch (outcome) {
    case PollOutcome::kCaughtUp:
      return now_ms + o.interval_ms;
    case PollOutcome::kMoreWaiting:
      return now_ms;
    case PollOutcome::kThrottled:
      return now_ms + std::max<int64_t>(retry_after_ms, 1000);
    case PollOutcome::kRetrySoon:
      return now_ms + 1000 + static_cast<int64_t>(unit * 1000);
    default: {
      // Exponential from one interval, at most the ceiling, full jitter on
      // the upper half so replicas do not come back together.
      int64_t backoff = o.interval_ms;
      for (int i = 1; i < failures && backoff < o.max_backoff_ms; ++i) backoff *= 2;
      backoff = std::min(backoff, o.max_backoff_ms);
      return now_ms + backoff / 2 + static_cast<int64_t>(unit * static_cast<double>(backoff / 2));
    }
  }
}

PollOutcome Worse(PollOutcome a, PollOutcome b) {
  // Ordered by how long the channel stays away.
  auto rank = [](PollOutcome o) {
    switch (o) {
      case PollOutcome::kMoreWaiting: return 0;
      case PollOutcome::kCaughtUp: return 1;
      case PollOutcome::kRetrySoon: return 2;
      case PollOutcome::kThrottled: return 3;
      case PollOutcome::kFailed: return 4;
      default: return 5;
    }
  };
  return rank(a) >= rank(b) ? a : b;
}

bool Searchable(herald::common::v1::Network n) {
  return n == herald::common::v1::NETWORK_MASTODON || n == herald::common::v1::NETWORK_X ||
         n == herald::common::v1::NETWORK_BLUESKY;
}

std::vector<PollStream> StreamsFor(const PollTarget& target,
                                   const std::map<std::string, herald::common::v1::Network>& listened,
                                   const std::vector<herald::listener::v1::ListeningRule>& rules) {
  std::vector<PollStream> out{{"mentions", {}}};
  if (!Searchable(target.network)) return out;
  // The map is ordered: the first channel of the network is its search channel.
  for (const auto& [channel, network] : listened) {
    if (network != target.network) continue;
    if (channel != target.channel_id) return out;
    break;
  }
  for (const auto& rule : rules) {
    auto query = Query::Parse(rule.query());
    if (!query.ok()) continue;  // stored rules parsed when created; never fails
    std::vector<std::string> terms;
    for (auto& t : query->SearchTerms()) {
      if (terms.size() == 10) break;  // the gateway's bound
      if (!t.empty() && t.size() <= 100) terms.push_back(std::move(t));
    }
    if (!terms.empty()) out.push_back({"search:" + rule.id(), std::move(terms)});
  }
  return out;
}

}  // namespace herald::listener
