#pragma once
// Webhooks, their pending deliveries and every attempt, in Redis:
//   wh:{<ws>}:hooks                  SET   webhook ids
//   wh:{<ws>}:hook:<id>              HASH  hook → Webhook (no secret), secret → sealed secret
//   wh:{<ws>}:dlv:<hook>:<event>     HASH  type, body, state (pending|delivered|gave_up), attempts; 7 days
//   wh:{<ws>}:att:<hook>             LIST  WebhookAttempt, newest first, the last 1,000
//   {wh}:due                         ZSET  "<ws> <hook> <event>" → when to try next (claimed by
//                                          pushing the score a lease ahead)
// A delivery record is created once per (webhook, event): an event Kafka
// delivers again is not sent again once delivered.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis.h"
#include "herald/publisher/v1/webhooks.pb.h"
#include "publisher/credentials_box.h"
#include "publisher/webhooks/webhook_event.h"

namespace herald::publisher {

// One pending delivery, as claimed from the due queue.
struct WebhookDelivery {
  std::string workspace_id;
  std::string webhook_id;
  std::string event_id;
  std::string member;  // its entry in the due queue
};

struct DeliveryRecord {
  std::string type;
  std::string body;
  std::string state;  // pending | delivered | gave_up
  int attempts = 0;
};

struct WebhookWithSecret {
  herald::publisher::v1::Webhook webhook;
  std::string secret;
};

class WebhookStore {
 public:
  WebhookStore(RedisClient& redis, const CredentialsBox& box) : redis_(redis), box_(box) {}

  absl::Status Put(const herald::publisher::v1::Webhook& webhook, const std::string& secret);
  absl::StatusOr<std::vector<herald::publisher::v1::Webhook>> List(const std::string& workspace_id);
  // NOT_FOUND when missing.
  absl::StatusOr<WebhookWithSecret> Get(const std::string& workspace_id, const std::string& webhook_id);
  absl::Status Delete(const std::string& workspace_id, const std::string& webhook_id);

  // Records the event for the webhook and queues it now; false when it was
  // delivered (or given up) already.
  absl::StatusOr<bool> Enqueue(const std::string& webhook_id, const WebhookEvent& event, int64_t now_ms);
  // Up to `max` deliveries due by now; each is hidden for lease_ms (a
  // replica that dies mid-send hands it on when the lease ends).
  absl::StatusOr<std::vector<WebhookDelivery>> Claim(int64_t now_ms, int64_t lease_ms, int max);
  // nullopt when the record expired or never existed.
  absl::StatusOr<std::optional<DeliveryRecord>> Load(const WebhookDelivery& d);
  // Logs the attempt and settles the delivery: delivered / gave up leave the
  // queue, a retry is due again at next_ms.
  absl::Status Record(const WebhookDelivery& d, const herald::publisher::v1::WebhookAttempt& attempt, int64_t next_ms);
  // Leaves the queue without an attempt (its webhook was deleted).
  absl::Status Drop(const WebhookDelivery& d);
  absl::StatusOr<std::vector<herald::publisher::v1::WebhookAttempt>> Attempts(const std::string& workspace_id,
                                                                             const std::string& webhook_id,
                                                                             int limit, const std::string& event_id);
  absl::StatusOr<int64_t> Backlog();

 private:
  RedisClient& redis_;
  const CredentialsBox& box_;
};

}  // namespace herald::publisher
