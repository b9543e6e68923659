#pragma once
// How a network's answer becomes a delivery outcome; no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

// Whether a delivery can go to its channel at all; when not, it fails with
// this class and reason (nothing is sent, nothing is retried).
struct Undeliverable {
  herald::events::v1::ErrorClass error_class = herald::events::v1::ERROR_CLASS_UNSPECIFIED;
  std::string why;
};
struct ChannelFacts {
  bool found = false;  // the channel exists in the workspace
  bool active = false;
  bool disconnected = false;
  bool network_supported = false;  // a profile and a connector
  bool is_reply = false;
  bool replies_supported = false;
  std::string network_name;
};
std::optional<Undeliverable> CheckDeliverable(const ChannelFacts& channel);

// Reading the account back after an attempt whose outcome is unknown.
struct ReadBackVerdict {
  // The earlier attempt's post, when found: the delivery is published.
  std::optional<RemotePost> found;
  // Not found, and the page reaches past the earlier attempt (allowing for
  // clock skew): sending again cannot post twice. When false, the account
  // posted a full page since and the earlier post may be further back.
  bool safe_to_send = false;
};
// A post matches on its text and, where the read says how many images a post
// carries, on that count too (two image-only posts have the same empty text).
ReadBackVerdict JudgeReadBack(const std::vector<RemotePost>& recent, const std::string& text, int media_count,
                              int page_size, int64_t attempt_started_ms, int64_t skew_ms);

}  // namespace herald::publisher
