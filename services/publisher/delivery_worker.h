#pragma once
// Consumes posts.due and delivers each post to its network exactly once:
//   ledger says sent?  → re-announce the recorded result, send nothing
//   quota exhausted?   → DEFERRED with the time it will fit
//   otherwise          → mark SENDING, call the network with the delivery's
//                        idempotency key, record the outcome, announce it
// The Kafka offset is committed only after the outcome is on publish.results.
#include <map>
#include <memory>
#include <random>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "common/background_thread.h"
#include "common/clock.h"
#include "common/kafka.h"
#include "herald/events/v1/events.pb.h"
#include "publisher/channel_store.h"
#include "publisher/connectors/connector.h"
#include "publisher/delivery_ledger.h"
#include "publisher/delivery_rules.h"
#include "publisher/rate_limiter.h"

namespace herald::publisher {

struct DeliveryOptions {
  RetryPolicy retry;
  std::vector<QuotaWindow> mastodon_quota{{"5m", 300, 300000}};
};

class DeliveryWorker {
 public:
  DeliveryWorker(ChannelStore& channels, DeliveryLedger& ledger, RateLimiter& limiter, Connector& mastodon,
                 KafkaProducer& producer, ConsumerOptions consumer, const Clock& clock, prometheus::Registry& registry,
                 DeliveryOptions options);
  void Start() { thread_.Start([this](const std::atomic<bool>& stopping) { Loop(stopping); }); }
  void Stop() { thread_.Stop(); }

  // Delivers one PostDue and produces its result. An error means nothing
  // durable was decided and the message must be processed again.
  absl::Status Deliver(const herald::events::v1::PostDue& due);

 private:
  void Loop(const std::atomic<bool>& stopping);
  absl::Status Announce(herald::events::v1::PublishResult result, const herald::events::v1::PostDue& due,
                        bool dead_letter);
  prometheus::Counter& Outcome(const std::string& outcome);

  ChannelStore& channels_;
  DeliveryLedger& ledger_;
  RateLimiter& limiter_;
  Connector& mastodon_;
  KafkaProducer& producer_;
  ConsumerOptions consumer_options_;
  const Clock& clock_;
  DeliveryOptions options_;
  std::mt19937_64 rng_{std::random_device{}()};
  prometheus::Family<prometheus::Counter>& outcomes_;
  std::map<std::string, prometheus::Counter*> outcome_counters_;
  prometheus::Family<prometheus::Counter>& ratelimit_;
  prometheus::Counter& allowed_;
  prometheus::Counter& deferred_;
  BackgroundThread thread_;
};

}  // namespace herald::publisher
