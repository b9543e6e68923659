#pragma once
// Delivers outbound event webhooks. Two loops:
//   intake  — consumes the source topics (group <publisher group>-webhooks), turns each
//             message into a webhook event and queues one delivery per
//             subscribed webhook; offsets are committed once all are queued;
//   sender  — claims due deliveries, POSTs them signed, logs each attempt and
//             schedules a retry (exponential backoff, full jitter) or settles.
// A slow or dead receiver never holds up Kafka consumption; it slows a round
// of sends to its timeout at worst.
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "common/background_thread.h"
#include "common/clock.h"
#include "common/random.h"
#include "publisher/webhooks/webhook_probe.h"
#include "common/http_client.h"
#include "common/event_gate.h"
#include "common/kafka.h"
#include "common/lanes.h"
#include "herald/publisher/v1/webhooks.pb.h"
#include "publisher/delivery_rules.h"
#include "publisher/webhooks/webhook_store.h"

namespace herald::publisher {

struct WebhookOptions {
  RetryPolicy retry{.max_attempts = 10, .base_backoff_ms = 30000, .max_backoff_ms = 3600000};
  std::chrono::milliseconds timeout{10000};
  // Sends in flight at once.
  int senders = 4;
  // The backoff's jitter (tests pass a seeded one).
  RandomSource* random = &SystemRandom::Instance();
};

// What one answer (or its absence) means; no I/O. `unit_random` is the jitter.
herald::publisher::v1::WebhookAttempt JudgeWebhookAnswer(const absl::StatusOr<HttpResponse>& answer, int attempt,
                                                         const RetryPolicy& retry, int64_t now_ms, double unit_random);

class WebhookDispatcher {
 public:
  // A record that is not its topic's event goes to `dead_letters`.
  WebhookDispatcher(WebhookStore& store, ConsumerOptions consumer, DeadLetters& dead_letters, const Clock& clock,
                    prometheus::Registry& registry, WebhookOptions options = {});
  void Start();
  void Stop();

  // One intake batch / one round of sends (tests drive these directly).
  absl::Status Accept(const std::vector<KafkaMessage>& messages);
  // How many deliveries it attempted.
  absl::StatusOr<int> SendDue();

 private:
  void Intake(const std::atomic<bool>& stopping);
  void Sender(const std::atomic<bool>& stopping);
  void SendOne(const WebhookDelivery& d);
  // The workspace's webhooks, cached for a few seconds.
  absl::StatusOr<std::vector<herald::publisher::v1::Webhook>> HooksOf(const std::string& workspace_id);

  WebhookStore& store_;
  ConsumerOptions consumer_options_;
  DeadLetters& dead_letters_;
  const Clock& clock_;
  WebhookOptions options_;
  Lanes lanes_;
  WebhookProbe probe_;
  std::mutex cache_mu_;
  std::map<std::string, std::pair<int64_t, std::vector<herald::publisher::v1::Webhook>>> cache_;
  BackgroundThread intake_;
  BackgroundThread sender_;
};

}  // namespace herald::publisher
