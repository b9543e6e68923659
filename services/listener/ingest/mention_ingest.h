#pragma once
// Where every mention goes in, however it arrived (a network's webhook or a
// poll through the publisher's gateway): claim it by id (a second arrival
// of the same item is a duplicate), match the workspace's listening rules,
// announce it on Kafka (mentions), store it in the inbox, count it for
// spike alerts, and hand it to its conversation (which marks it done in the
// same step). Accepted only once it is durable on Kafka: a caller told to
// retry loses nothing and counts nothing twice.
#include <map>
#include <memory>
#include <mutex>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "common/clock.h"
#include "common/ttl_cache.h"
#include "common/kafka.h"
#include "herald/events/v1/events.pb.h"
#include "listener/alerts/spike_watch.h"
#include "listener/inbox/inbox_desk.h"
#include "listener/inbox_store.h"
#include "listener/rule_store.h"
#include "listener/rules/rule_rules.h"

namespace herald::listener {

enum class IngestResult {
  kAccepted,
  kDuplicate,  // already in (by another way, or a redelivery)
  kPending,    // another arrival of it is being taken in right now: retry soon
  kError,      // storage or the event bus failed: retry
};

class MentionIngest {
 public:
  // `spikes`: where accepted mentions are counted (nullptr: nowhere).
  // `rules_ttl_ms`: how long a workspace's compiled rules are reused (a new
  // or deleted rule applies within that long; 0 reads them per mention).
  MentionIngest(InboxStore& inbox, InboxDesk& desk, RuleStore& rules, KafkaProducer& producer, const Clock& clock,
                prometheus::Registry& registry, SpikeWatch* spikes = nullptr, int64_t rules_ttl_ms = 1000);

  // `mention` has its id, text, sentiment and source; the rules it matches
  // and its event meta are filled in here.
  IngestResult Ingest(const std::string& workspace_id, herald::events::v1::MentionReceived mention);

 private:
  // The workspace's rules, compiled, from the cache while fresh.
  absl::StatusOr<std::shared_ptr<const RuleSet>> RulesOf(const std::string& workspace_id);

  InboxStore& inbox_;
  InboxDesk& desk_;
  RuleStore& rules_;
  KafkaProducer& producer_;
  const Clock& clock_;
  SpikeWatch* spikes_;
  prometheus::Family<prometheus::Counter>& accepted_;
  prometheus::Counter& from_webhook_;
  prometheus::Counter& from_poll_;
  TtlCache<RuleSet> rules_cache_;
};

}  // namespace herald::listener
