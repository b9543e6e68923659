#include "publisher/delivery_worker.h"

#include "common/events.h"
#include "common/log.h"
#include "common/time_util.h"
#include "herald/topics.h"

namespace herald::publisher {

using herald::events::v1::PostDue;
using herald::events::v1::PublishOutcome;
using herald::events::v1::PublishResult;

DeliveryWorker::DeliveryWorker(ChannelStore& channels, DeliveryLedger& ledger, RateLimiter& limiter,
                               Connector& mastodon, KafkaProducer& producer, ConsumerOptions consumer,
                               const Clock& clock, prometheus::Registry& registry, DeliveryOptions options)
    : channels_(channels),
      ledger_(ledger),
      limiter_(limiter),
      mastodon_(mastodon),
      producer_(producer),
      consumer_options_(std::move(consumer)),
      clock_(clock),
      options_(std::move(options)),
      outcomes_(prometheus::BuildCounter()
                    .Name("herald_publisher_deliveries_total")
                    .Help("Delivery attempts by network and outcome (published, failed, retry, deferred, duplicate).")
                    .Register(registry)),
      ratelimit_(prometheus::BuildCounter()
                     .Name("herald_publisher_ratelimit_decisions_total")
                     .Help("Quota decisions taken before calling a network.")
                     .Register(registry)),
      allowed_(ratelimit_.Add({{"decision", "allowed"}})),
      deferred_(ratelimit_.Add({{"decision", "deferred"}})) {
  for (const char* o : {"published", "failed", "retry", "deferred", "duplicate"}) {
    outcome_counters_[o] = &outcomes_.Add({{"network", "mastodon"}, {"outcome", o}});
  }
}

prometheus::Counter& DeliveryWorker::Outcome(const std::string& outcome) { return *outcome_counters_.at(outcome); }

void DeliveryWorker::Loop(const std::atomic<bool>& stopping) {
  KafkaConsumer consumer(consumer_options_);
  while (!stopping) {
    auto batch = consumer.PollBatch(100, std::chrono::milliseconds(200));
    if (batch.empty()) continue;
    size_t done = 0;
    for (; done < batch.size() && !stopping; ++done) {
      PostDue due;
      if (!due.ParseFromString(batch[done].value)) {
        log::Error("unparseable posts.due message skipped", {{"offset", batch[done].offset}});
        continue;
      }
      absl::Status s = Deliver(due);
      while (!s.ok() && !stopping) {
        log::Warn("delivery step failed; retrying", {{"post_id", due.post_id()}, {"error", s.ToString()}});
        std::this_thread::sleep_for(std::chrono::seconds(1));
        s = Deliver(due);
      }
      if (!s.ok()) break;
    }
    batch.resize(done);  // commit only what was fully handled
    if (auto s = consumer.Commit(batch); !s.ok()) log::Warn("commit failed", {{"error", s.ToString()}});
  }
}

absl::Status DeliveryWorker::Announce(PublishResult result, const PostDue& due, bool dead_letter) {
  result.set_post_id(due.post_id());
  result.set_channel_id(due.channel_id());
  result.set_occurrence_ms(due.occurrence_ms());
  result.set_campaign_id(due.campaign_id());
  result.set_network(herald::common::v1::NETWORK_MASTODON);
  // Deterministic event id: a re-announced result is recognisably the same event.
  *result.mutable_meta() = NewEventMeta(result, due.meta().workspace_id(), clock_,
                                        "res_" + due.post_id() + "_" + due.channel_id() + "_" +
                                            std::to_string(due.occurrence_ms()) + "_" +
                                            std::to_string(static_cast<int>(result.outcome())));
  result.mutable_meta()->set_traceparent(due.meta().traceparent());
  std::string bytes = result.SerializeAsString();
  auto headers = EventHeaders(result.meta());
  if (auto s = producer_.ProduceSync(topics::k_publish_results, due.channel_id(), bytes, headers); !s.ok()) return s;
  if (dead_letter) return producer_.ProduceSync(topics::k_publish_deadletter, due.channel_id(), bytes, headers);
  return absl::OkStatus();
}

absl::Status DeliveryWorker::Deliver(const PostDue& due) {
  const std::string& ws = due.meta().workspace_id();
  DeliveryKey key{due.post_id(), due.channel_id(), due.occurrence_ms()};
  int64_t now = clock_.NowMs();

  auto entry = ledger_.Get(key);
  if (!entry.ok()) return entry.status();
  if (entry->state == LedgerEntry::State::kSent || entry->state == LedgerEntry::State::kFailed) {
    Outcome("duplicate").Increment();
    PublishResult r;
    bool sent = entry->state == LedgerEntry::State::kSent;
    r.set_outcome(sent ? PublishOutcome::PUBLISH_OUTCOME_PUBLISHED : PublishOutcome::PUBLISH_OUTCOME_FAILED);
    r.set_remote_id(entry->remote_id);
    r.set_remote_url(entry->remote_url);
    if (!sent) r.set_error_message("failed earlier");
    return Announce(r, due, false);
  }

  auto channel = channels_.GetWithToken(ws, due.channel_id());
  if (!channel.ok() && !absl::IsNotFound(channel.status())) return channel.status();
  if (!channel.ok() || channel->channel.status() != herald::publisher::v1::CHANNEL_STATUS_ACTIVE) {
    PublishResult r;
    r.set_outcome(PublishOutcome::PUBLISH_OUTCOME_FAILED);
    r.set_error_class(herald::events::v1::ERROR_CLASS_AUTH);
    r.set_error_message(channel.ok() ? "channel needs re-authorisation" : "channel not connected");
    if (auto s = ledger_.MarkFailed(key, now); !s.ok()) return s;
    Outcome("failed").Increment();
    return Announce(r, due, true);
  }

  auto quota = limiter_.Acquire("ch:" + due.channel_id(), options_.mastodon_quota, now);
  if (!quota.ok()) return quota.status();
  if (!quota->allowed) {
    deferred_.Increment();
    Outcome("deferred").Increment();
    PublishResult r;
    r.set_outcome(PublishOutcome::PUBLISH_OUTCOME_DEFERRED);
    r.set_error_class(herald::events::v1::ERROR_CLASS_QUOTA);
    r.set_error_message("over quota; deferred");
    *r.mutable_not_before() = FromMs(now + quota->retry_after_ms);
    return Announce(r, due, false);
  }
  allowed_.Increment();

  auto before = ledger_.BeginAttempt(key, now);
  if (!before.ok()) return before.status();
  if (before->state == LedgerEntry::State::kSent || before->state == LedgerEntry::State::kFailed) {
    return Deliver(due);  // another replica finished it meanwhile: announce theirs
  }
  int attempt_number = before->attempts + 1;
  // A previous attempt left SENDING means its outcome is unknown; the
  // Idempotency-Key makes Mastodon answer with that first status if it landed.
  OutgoingPost post{due.text(), key.IdempotencyKey(), ""};
  PublishAttempt attempt = mastodon_.Publish(channel->channel.base_url(), channel->access_token, post);
  now = clock_.NowMs();
  double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  OutcomeDecision decision = DecideOutcome(attempt, attempt_number, options_.retry, now, jitter);

  PublishResult r;
  r.set_outcome(decision.outcome);
  r.set_error_class(decision.error_class);
  r.set_error_message(attempt.error);
  if (decision.not_before_ms) *r.mutable_not_before() = FromMs(decision.not_before_ms);
  absl::Status recorded;
  switch (decision.outcome) {
    case PublishOutcome::PUBLISH_OUTCOME_PUBLISHED:
      r.set_remote_id(attempt.remote_id);
      r.set_remote_url(attempt.remote_url);
      *r.mutable_published_at() = FromMs(now);
      recorded = ledger_.MarkSent(key, attempt.remote_id, attempt.remote_url, now);
      Outcome("published").Increment();
      break;
    case PublishOutcome::PUBLISH_OUTCOME_FAILED:
      recorded = ledger_.MarkFailed(key, now);
      Outcome("failed").Increment();
      break;
    default:
      // Unknown outcomes stay SENDING so the next attempt knows to reconcile.
      if (attempt.kind != PublishAttempt::Kind::kUnknownOutcome) recorded = ledger_.MarkNotSent(key, now);
      Outcome(decision.outcome == PublishOutcome::PUBLISH_OUTCOME_DEFERRED ? "deferred" : "retry").Increment();
      break;
  }
  if (!recorded.ok()) return recorded;
  if (attempt.kind == PublishAttempt::Kind::kRateLimited) {
    (void)limiter_.BlockUntil("ch:" + due.channel_id(), options_.mastodon_quota, decision.not_before_ms);
  }
  if (decision.mark_channel_needs_reauth) {
    (void)channels_.SetStatus(ws, due.channel_id(), herald::publisher::v1::CHANNEL_STATUS_NEEDS_REAUTH);
    log::Warn("channel token rejected; needs re-authorisation", {{"channel_id", due.channel_id()}});
  }
  log::Info("delivery", {{"post_id", due.post_id()},
                         {"channel_id", due.channel_id()},
                         {"attempt", attempt_number},
                         {"outcome", herald::events::v1::PublishOutcome_Name(decision.outcome)}});
  return Announce(r, due, decision.dead_letter);
}

}  // namespace herald::publisher
