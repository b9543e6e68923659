#pragma once
// How a network's answer becomes a delivery outcome; no I/O.
#include <cstdint>
#include <string>

#include "herald/events/v1/events.pb.h"
#include "publisher/connectors/connector.h"

namespace herald::publisher {

struct RetryPolicy {
  int max_attempts = 5;
  int64_t base_backoff_ms = 2000;
  int64_t max_backoff_ms = 300000;
};

// Exponential backoff with full jitter: uniform in [0, min(max, base·2^(attempt-1))].
// `unit_random` in [0, 1) is injected so tests are deterministic.
int64_t BackoffMs(const RetryPolicy& policy, int attempt, double unit_random);

struct OutcomeDecision {
  herald::events::v1::PublishOutcome outcome = herald::events::v1::PUBLISH_OUTCOME_UNSPECIFIED;
  herald::events::v1::ErrorClass error_class = herald::events::v1::ERROR_CLASS_UNSPECIFIED;
  int64_t not_before_ms = 0;
  bool mark_channel_needs_reauth = false;
  bool dead_letter = false;
};

OutcomeDecision DecideOutcome(const PublishAttempt& attempt, int attempt_number, const RetryPolicy& policy,
                              int64_t now_ms, double unit_random);

}  // namespace herald::publisher
