#pragma once
// Consumes posts.due and delivers each post to its network exactly once:
//   ledger says sent?      → re-announce the recorded result, send nothing
//   another attempt live?  → DEFERRED until it counts as abandoned
//   (otherwise the ledger now says SENDING: this attempt owns the delivery)
//   quota exhausted?       → hand the claim back; DEFERRED with the time it fits
//   earlier outcome unknown and the network has no idempotency key?
//                          → read the account's recent posts back; a match is
//                            the earlier attempt's post: record it, send nothing
//   otherwise              → call the network with the delivery's idempotency
//                            key, record the outcome, announce it
// Redis round trips per published post: the ledger claim and the quota; SENT
// records are written once per lane's batch (channels come from a
// short-lived in-memory cache).
// The Kafka offset is committed only after the outcome is on publish.results.
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "common/background_thread.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/event_gate.h"
#include "common/kafka.h"
#include "common/lanes.h"
#include "herald/events/v1/events.pb.h"
#include "publisher/channel_cache.h"
#include "publisher/channel_store.h"
#include "publisher/connector_set.h"
#include "publisher/delivery_ledger.h"
#include "publisher/delivery_probe.h"
#include "publisher/delivery_rules.h"
#include "publisher/network_catalog.h"
#include "publisher/quota_plan.h"
#include "publisher/rate_limiter.h"
#include "publisher/token_refresher.h"

namespace herald::publisher {

struct DeliveryOptions {
  RetryPolicy retry;
  // A SENDING record younger than this may belong to a running attempt
  // (≥ twice the HTTP timeout).
  int64_t in_progress_ms = 20000;
  // Recent posts read back to reconcile an unknown outcome (one page).
  int readback_posts = 100;
  // Deliveries in flight at once (one channel's posts always share a lane).
  int lanes = 8;
  // Allowed difference between our clock and the network's when deciding
  // whether a read-back page reaches back past the unknown attempt.
  int64_t readback_skew_ms = 10000;
};

class DeliveryWorker {
 public:
  DeliveryWorker(ChannelStore& store, ChannelCache& channels, TokenRefresher& refresher, DeliveryLedger& ledger, RateLimiter& limiter, ConnectorSet& connectors,
                 const NetworkCatalog& catalog, KafkaProducer& producer, ConsumerOptions consumer, const Clock& clock,
                 RandomSource& random, prometheus::Registry& registry, DeliveryOptions options);
  void Start() { thread_.Start([this](const std::atomic<bool>& stopping) { Loop(stopping); }); }
  void Stop() { thread_.Stop(); }

  // Delivers one PostDue and produces its result (confirmed by Kafka at the
  // next Flush). An error means nothing durable was decided and the message
  // must be processed again. A delivery the network accepted is recorded SENT
  // in `sent`, written by the caller before the batch is committed (one round
  // trip for the lane's batch; until then the ledger says SENDING, which a
  // crash leaves to read-back reconciliation, never to a second send).
  absl::Status Deliver(const herald::events::v1::PostDue& due, std::vector<SentRecord>& sent);

 private:
  // One delivery as it passes through the steps.
  struct InFlight {
    InFlight(const herald::events::v1::PostDue& d, int part, int64_t now_ms)
        : due(d), key{PostId(d.post_id()), ChannelId(d.channel_id()), AtMs(d.occurrence_ms()), part}, now(now_ms) {}
    const std::string& workspace() const { return due.meta().workspace_id(); }
    const herald::events::v1::PostDue& due;
    const DeliveryKey key;
    const int64_t now;
    herald::common::v1::Network network = herald::common::v1::NETWORK_UNSPECIFIED;
    absl::StatusOr<std::shared_ptr<const ChannelWithToken>> channel = absl::NotFoundError("not loaded");
    LedgerEntry before;           // the ledger as the claim found it
    int attempt_number = 0;       // this attempt, counting from 1
    bool unknown_before = false;  // the last attempt's outcome is unknown
    const NetworkProfile* profile = nullptr;
    Connector* connector = nullptr;
    std::shared_ptr<const ChannelWithToken> current;  // with a fresh token
    Endpoint endpoint;
    QuotaPlan plan;
  };
  // A step lets the delivery go on (nullopt) or ends it with this status: OK
  // once its outcome is announced; an error when nothing durable was decided.
  using Step = std::optional<absl::Status>;
  // One post, or one part of a thread, through the steps.
  absl::Status DeliverOne(const herald::events::v1::PostDue& due, int part, std::vector<SentRecord>& sent);
  // The parts a thread goes out as; empty when the post is not split (not
  // asked, fits, or the network has no threads).
  std::vector<std::string> ThreadParts(const herald::events::v1::PostDue& due);
  Step LoadChannel(InFlight& d);
  Step ClaimLedger(InFlight& d);
  Step CheckChannel(InFlight& d);
  Step FreshToken(InFlight& d);
  Step TakeQuota(InFlight& d);
  Step ReadBack(InFlight& d);
  absl::Status Send(InFlight& d, std::vector<SentRecord>& sent);

  void Loop(const std::atomic<bool>& stopping);
  TimePoint Now() const { return AtMs(clock_.NowMs()); }
  // One lane's messages in order; false if it stopped before the end.
  bool DeliverAll(const std::vector<const KafkaMessage*>& messages, const std::atomic<bool>& stopping);
  absl::Status Announce(herald::events::v1::PublishResult result, const herald::events::v1::PostDue& due,
                        herald::common::v1::Network network, bool dead_letter);
  absl::Status AnnounceDeferred(const herald::events::v1::PostDue& due, herald::common::v1::Network network,
                                int64_t until_ms, const std::string& why);
  // Renews our ledger claim right before a network call (false: another
  // replica took it over after our claim looked abandoned).
  absl::StatusOr<bool> StillOurs(const DeliveryKey& key, LedgerEntry& claim);
  // Sends nothing and says when to look again.
  absl::Status TakenOver(const absl::StatusOr<bool>& ours, const herald::events::v1::PostDue& due,
                         herald::common::v1::Network network);
  // Ends the delivery FAILED (dead-lettered): nothing more is tried.
  absl::Status Fail(const DeliveryKey& key, const herald::events::v1::PostDue& due,
                    herald::common::v1::Network network, herald::events::v1::ErrorClass error_class,
                    const std::string& why);
  // Nothing was sent this time: hands the claim back and announces a RETRY
  // after a backoff.
  absl::Status RetryLater(const DeliveryKey& key, const LedgerEntry& before, const herald::events::v1::PostDue& due,
                          herald::common::v1::Network network, const std::string& why, int attempt_number,
                          herald::events::v1::ErrorClass error_class = herald::events::v1::ERROR_CLASS_NETWORK);
  absl::Status MarkNeedsReauth(herald::publisher::v1::Channel channel, const std::string& reason);

  ChannelStore& store_;
  ChannelCache& channels_;
  TokenRefresher& refresher_;
  DeliveryLedger& ledger_;
  RateLimiter& limiter_;
  ConnectorSet& connectors_;
  const NetworkCatalog& catalog_;
  KafkaProducer& producer_;
  ConsumerOptions consumer_options_;
  KafkaDeadLetters dead_letters_;
  const Clock& clock_;
  RandomSource& random_;
  DeliveryOptions options_;
  // Deliveries run side by side on these threads (their HTTP connections stay open).
  Lanes lanes_;
  DeliveryProbe probe_;
  // A result of the current batch was not confirmed by Kafka.
  std::atomic<bool> announce_failed_{false};
  BackgroundThread thread_;
};

}  // namespace herald::publisher
