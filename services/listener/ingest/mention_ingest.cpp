#include "listener/ingest/mention_ingest.h"

#include "common/events.h"
#include "common/log.h"
#include "herald/topics.h"
#include "listener/mention_parser.h"
#include "common/network_names.h"

namespace herald::listener {

MentionIngest::MentionIngest(InboxStore& inbox, InboxDesk& desk, RuleStore& rules, KafkaProducer& producer,
                             const Clock& clock, prometheus::Registry& registry, SpikeWatch* spikes, int64_t rules_ttl_ms)
    : inbox_(inbox),
      desk_(desk),
      rules_(rules),
      producer_(producer),
      clock_(clock),
      spikes_(spikes),
      accepted_(prometheus::BuildCounter()
                    .Name("herald_mentions_accepted_total")
                    .Help("Mentions taken into the inbox, by how they arrived (webhook or poll; each counted once)")
                    .Register(registry)),
      from_webhook_(accepted_.Add({{"source", "webhook"}})),
      from_poll_(accepted_.Add({{"source", "poll"}})),
      rules_cache_(clock, rules_ttl_ms) {}

absl::StatusOr<std::shared_ptr<const RuleSet>> MentionIngest::RulesOf(const std::string& ws) {
  return rules_cache_.Get(ws, [&]() -> absl::StatusOr<RuleSet> {
    auto rules = rules_.List(ws);
    if (!rules.ok()) return rules.status();
    return RuleSet(*rules);
  });
}

IngestResult MentionIngest::Ingest(const std::string& ws, herald::events::v1::MentionReceived mention) {
  auto claim = inbox_.ClaimMention(ws, mention.mention_id());
  if (!claim.ok()) return IngestResult::kError;
  if (*claim == InboxStore::Claim::kDone) return IngestResult::kDuplicate;
  if (*claim == InboxStore::Claim::kPending) return IngestResult::kPending;

  // The workspace's listening rules it matches (a rule applies within
  // rules_ttl_ms of being created).
  auto rules = RulesOf(ws);
  if (!rules.ok()) {
    (void)inbox_.Release(ws, mention.mention_id());
    return IngestResult::kError;
  }
  auto matched = (*rules)->Matching({mention.text(), mention.language(), NetworkName(mention.network())});
  for (auto& id : matched.rule_ids) mention.add_rule_ids(std::move(id));
  for (auto& tag : matched.tags) mention.add_tags(std::move(tag));

  *mention.mutable_meta() = NewEventMeta(mention, ws, clock_, "ev_" + mention.mention_id());
  auto produced = producer_.ProduceSync(topics::k_mentions, mention.conversation_id(), mention.SerializeAsString(),
                                        EventHeaders(mention.meta()));
  if (!produced.ok()) {
    (void)inbox_.Release(ws, mention.mention_id());
    log::Warn("mention not announced", {{"error", produced.ToString()}});
    return IngestResult::kError;
  }
  if (auto s = desk_.TakeCustomerMessage(ws, ToInboxItem(mention)); !s.ok()) {
    // On Kafka already, perhaps not in the inbox. The claim is not let go:
    // the write may have landed with only its answer lost. It expires, and
    // a retry after that finds the mention done, or takes it in again (the
    // second announcement dropped by consumers by its event id).
    log::Warn("mention announced but not stored in the inbox", {{"error", s.ToString()}});
    return IngestResult::kError;
  }
  if (spikes_) {
    if (auto s = spikes_->Record(mention); !s.ok()) {
      log::Warn("mention not counted for spike alerts", {{"error", s.ToString()}});
    }
  }
  (mention.source() == "poll" ? from_poll_ : from_webhook_).Increment();
  log::Info("mention received", {{"mention_id", mention.mention_id()}, {"workspace_id", ws}, {"source", mention.source()}});
  return IngestResult::kAccepted;
}

}  // namespace herald::listener
