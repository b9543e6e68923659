#pragma once
// One network's API as the publisher needs it. Implementations speak the real
// API's paths, payloads and headers; pointing one at a real server is a
// configuration change (the channel's base_url).
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace herald::publisher {

struct AccountInfo {
  std::string remote_id;
  std::string handle;
};

struct OutgoingPost {
  std::string text;
  // Sent as the network's idempotency key where it has one.
  std::string idempotency_key;
  std::string in_reply_to_id;
};

// What a network's reply means for the delivery.
struct PublishAttempt {
  enum class Kind {
    kPublished,
    kRateLimited,     // 429: retry_after_ms says when
    kTransient,       // 5xx, connection refused: retry with backoff
    kUnknownOutcome,  // timeout or reset after sending: reconcile before retrying
    kAuthRejected,    // 401/403: the channel needs re-authorisation
    kContentRejected  // 4xx about the content: do not retry
  };
  Kind kind = Kind::kTransient;
  std::string remote_id;
  std::string remote_url;
  std::string error;
  int64_t retry_after_ms = 0;
  // From the network's rate-limit headers, -1 when absent.
  int64_t limit_remaining = -1;
  int64_t limit_reset_ms = 0;
};

class Connector {
 public:
  virtual ~Connector() = default;
  virtual absl::StatusOr<AccountInfo> VerifyCredentials(const std::string& base_url, const std::string& token) = 0;
  virtual PublishAttempt Publish(const std::string& base_url, const std::string& token, const OutgoingPost& post) = 0;
};

std::unique_ptr<Connector> MakeMastodonConnector();

}  // namespace herald::publisher
