#include "publisher/delivery_rules.h"

#include "publisher/connectors/http_outcome.h"

#include <algorithm>
#include <climits>
#include <cmath>

namespace herald::publisher {

using herald::events::v1::ErrorClass;
using herald::events::v1::PublishOutcome;

int64_t BackoffMs(const RetryPolicy& policy, int attempt, double unit_random) {
  double cap = std::min<double>(static_cast<double>(policy.max_backoff_ms),
                                static_cast<double>(policy.base_backoff_ms) * std::pow(2.0, std::max(0, attempt - 1)));
  return static_cast<int64_t>(cap * std::clamp(unit_random, 0.0, 1.0));
}

OutcomeDecision DecideOutcome(const PublishAttempt& attempt, int attempt_number, const RetryPolicy& policy,
                              int64_t now_ms, double unit_random) {
  OutcomeDecision d;
  auto retry_or_fail = [&](ErrorClass cls) {
    if (attempt_number >= policy.max_attempts) {
      d.outcome = PublishOutcome::PUBLISH_OUTCOME_FAILED;
      d.error_class = cls;
      d.dead_letter = true;
    } else {
      d.outcome = PublishOutcome::PUBLISH_OUTCOME_RETRY;
      d.error_class = cls;
      d.not_before_ms = now_ms + BackoffMs(policy, attempt_number, unit_random);
    }
  };
  switch (attempt.kind) {
    case PublishAttempt::Kind::kPublished:
      d.outcome = PublishOutcome::PUBLISH_OUTCOME_PUBLISHED;
      break;
    case PublishAttempt::Kind::kRateLimited:
      // Quota is never a failure: wait for the window, however many times.
      d.outcome = PublishOutcome::PUBLISH_OUTCOME_DEFERRED;
      d.error_class = ErrorClass::ERROR_CLASS_QUOTA;
      d.not_before_ms = now_ms + std::max<int64_t>(attempt.retry_after_ms, 1000);
      break;
    case PublishAttempt::Kind::kTransient:
      retry_or_fail(ErrorClass::ERROR_CLASS_NETWORK);
      break;
    case PublishAttempt::Kind::kUnknownOutcome:
      // The post may exist: the next attempt reconciles before sending, so an
      // unknown outcome is not a failure until it has happened many times.
      if (attempt_number >= 2 * policy.max_attempts) {
        d.outcome = PublishOutcome::PUBLISH_OUTCOME_FAILED;
        d.error_class = ErrorClass::ERROR_CLASS_UNKNOWN;
        d.dead_letter = true;
      } else {
        d.outcome = PublishOutcome::PUBLISH_OUTCOME_RETRY;
        d.error_class = ErrorClass::ERROR_CLASS_NETWORK;
        d.not_before_ms = now_ms + BackoffMs(policy, attempt_number, unit_random);
      }
      break;
    case PublishAttempt::Kind::kAuthRejected:
      d.outcome = PublishOutcome::PUBLISH_OUTCOME_FAILED;
      d.error_class = ErrorClass::ERROR_CLASS_AUTH;
      d.mark_channel_needs_reauth = true;
      d.dead_letter = true;
      break;
    case PublishAttempt::Kind::kContentRejected:
      d.outcome = PublishOutcome::PUBLISH_OUTCOME_FAILED;
      d.error_class = ErrorClass::ERROR_CLASS_CONTENT;
      d.dead_letter = true;
      break;
  }
  return d;
}

std::optional<Undeliverable> CheckDeliverable(const ChannelFacts& c) {
  using herald::events::v1::ERROR_CLASS_AUTH;
  using herald::events::v1::ERROR_CLASS_CONTENT;
  using herald::events::v1::ERROR_CLASS_NETWORK;
  if (!c.found) return Undeliverable{ERROR_CLASS_AUTH, "channel not connected"};
  if (c.disconnected) return Undeliverable{ERROR_CLASS_AUTH, "channel disconnected"};
  if (!c.active) return Undeliverable{ERROR_CLASS_AUTH, "channel needs re-authorisation"};
  if (!c.network_supported) return Undeliverable{ERROR_CLASS_NETWORK, "network not supported"};
  if (c.is_reply && !c.replies_supported) {
    return Undeliverable{ERROR_CLASS_CONTENT, "replies are not supported on " + c.network_name + " yet"};
  }
  return std::nullopt;
}

ReadBackVerdict JudgeReadBack(const std::vector<RemotePost>& recent, const std::string& text, int media_count,
                              int page_size, int64_t attempt_started_ms, int64_t skew_ms) {
  ReadBackVerdict v;
  const std::string want = NormalizedText(text);
  for (const auto& p : recent) {
    if (NormalizedText(p.text) == want && (p.media_count < 0 || p.media_count == media_count)) {
      v.found = p;
      return v;
    }
  }
  // A page shorter than asked for is the account's whole history since.
  if (static_cast<int>(recent.size()) < page_size) {
    v.safe_to_send = true;
    return v;
  }
  int64_t oldest = INT64_MAX;
  for (const auto& p : recent) oldest = std::min(oldest, p.created_ms);
  v.safe_to_send = oldest > 0 && oldest < attempt_started_ms - skew_ms;
  return v;
}

}  // namespace herald::publisher
