#include "scheduler/results_consumer.h"

#include "common/events.h"
#include "common/log.h"
#include "herald/topics.h"
#include "herald/events/v1/events.pb.h"
#include "scheduler/post_rules.h"

namespace herald::scheduler {

using herald::events::v1::PublishResult;

ResultsConsumer::ResultsConsumer(PostStore& store, KafkaProducer& producer, ConsumerOptions options,
                                 DeadLetters& dead_letters, const Clock& clock, prometheus::Registry& registry)
    : store_(store),
      producer_(producer),
      options_(std::move(options)),
      dead_letters_(dead_letters),
      clock_(clock),
      probe_(registry) {}

bool ResultsConsumer::Apply(const KafkaMessage& message) {
  PublishResult result;
  if (auto screened = ScreenEvent(message, &result); !screened.ok()) {
    dead_letters_.Send(message, screened);
    return true;
  }
  int64_t now = clock_.NowMs();
  v1::Post seen;  // the post as the last mutation saw it
  auto updated = store_.Update(PostId(result.post_id()), [&](v1::Post& post, DueChange* change) {
    seen = post;
    auto effect = ApplyResult(post, result, now);
    if (effect.requeue_at_ms > 0) *change = DueChange::Add(effect.requeue_at_ms);
    return effect.changed;
  });
  if (!updated.ok()) {
    if (absl::IsNotFound(updated.status())) return true;  // deleted post: nothing to update
    probe_.StoreFailed();
    log::Warn("applying publish result failed; will retry", {{"error", updated.status().ToString()}});
    return false;
  }
  // Announced whether or not this application changed the post: a result
  // redelivered after a failed announcement announces again (analytics
  // counts it once).
  if (result.outcome() == herald::events::v1::PUBLISH_OUTCOME_PUBLISHED && !seen.campaign_id().empty() &&
      seen.campaign_id() != result.campaign_id() && seen.workspace_id() == result.meta().workspace_id()) {
    auto event = DeliveryMembership(seen, result);
    *event.mutable_meta() = NewEventMeta(event, seen.workspace_id(), clock_,
                                         "mem_" + seen.id() + "_" + seen.campaign_id() + "_" + result.channel_id() +
                                             "_" + std::to_string(result.occurrence_ms()));
    if (auto s = producer_.ProduceSync(topics::k_posts_lifecycle, seen.id(), event.SerializeAsString(),
                                       EventHeaders(event.meta()));
        !s.ok()) {
      log::Warn("campaign delivery not announced; will retry", {{"post_id", seen.id()}, {"error", s.ToString()}});
      return false;
    }
  }
  if (updated->has_value()) {
    switch (result.outcome()) {
      case herald::events::v1::PUBLISH_OUTCOME_PUBLISHED: probe_.Applied(AppliedOutcome::kPublished); break;
      case herald::events::v1::PUBLISH_OUTCOME_FAILED: probe_.Applied(AppliedOutcome::kFailed); break;
      default: probe_.Applied(AppliedOutcome::kRequeued); break;
    }
    log::Info("post target updated", {{"post_id", result.post_id()},
                                      {"channel_id", result.channel_id()},
                                      {"state", v1::PostState_Name((*updated)->state())}});
  }
  return true;
}

void ResultsConsumer::Loop(const std::atomic<bool>& stopping) {
  KafkaConsumer consumer(options_);
  while (!stopping) {
    auto batch = consumer.PollBatch(500, std::chrono::milliseconds(200));
    if (batch.empty()) continue;
    for (const auto& m : batch) {
      while (!Apply(m)) {
        if (stopping) return;  // uncommitted: redelivered to whoever owns the partition next
        clock_.SleepFor(std::chrono::seconds(1));
      }
    }
    if (auto s = consumer.Commit(batch); !s.ok()) log::Warn("commit failed", {{"error", s.ToString()}});
  }
  consumer.Close();
}

}  // namespace herald::scheduler
