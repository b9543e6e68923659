#include "publisher/delivery_worker.h"

#include <algorithm>
#include <climits>

#include "common/events.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/time_util.h"
#include "herald/topics.h"
#include "publisher/channel_events.h"
#include "publisher/connectors/http_outcome.h"
#include "publisher/quota_plan.h"

namespace herald::publisher {

using herald::common::v1::Network;
using herald::events::v1::PostDue;
using herald::events::v1::PublishOutcome;
using herald::events::v1::PublishResult;

namespace {
constexpr const char* kOutcomes[] = {"published", "failed", "retry", "deferred", "duplicate", "reconciled"};
}

DeliveryWorker::DeliveryWorker(ChannelStore& store, ChannelCache& channels, TokenRefresher& refresher,
                               DeliveryLedger& ledger, RateLimiter& limiter,
                               ConnectorSet& connectors, const NetworkCatalog& catalog, KafkaProducer& producer,
                               ConsumerOptions consumer, const Clock& clock, prometheus::Registry& registry,
                               DeliveryOptions options)
    : store_(store),
      channels_(channels),
      refresher_(refresher),
      ledger_(ledger),
      limiter_(limiter),
      connectors_(connectors),
      catalog_(catalog),
      producer_(producer),
      consumer_options_(std::move(consumer)),
      dead_letters_(producer, consumer_options_.group_id, consumer_options_.topics, registry),
      clock_(clock),
      options_(std::move(options)),
      lanes_(static_cast<size_t>(std::max(1, options_.lanes))),
      outcomes_(prometheus::BuildCounter()
                    .Name("herald_publisher_deliveries_total")
                    .Help("Deliveries by network and outcome (published, failed, retry, deferred, duplicate, "
                          "reconciled).")
                    .Register(registry)),
      ratelimit_(prometheus::BuildCounter()
                     .Name("herald_publisher_ratelimit_decisions_total")
                     .Help("Quota decisions taken before calling a network.")
                     .Register(registry)),
      allowed_(ratelimit_.Add({{"decision", "allowed"}})),
      deferred_(ratelimit_.Add({{"decision", "deferred"}})) {
  // Every series exists from the start (bounded: networks x outcomes).
  for (int n = herald::common::v1::Network_MIN; n <= herald::common::v1::Network_MAX; ++n) {
    std::string name = NetworkName(static_cast<Network>(n));
    if (name.empty()) continue;
    for (const char* o : kOutcomes) outcome_counters_[{n, o}] = &outcomes_.Add({{"network", name}, {"outcome", o}});
  }
}

prometheus::Counter& DeliveryWorker::Outcome(Network network, const std::string& outcome) {
  auto it = outcome_counters_.find({network, outcome});
  if (it == outcome_counters_.end()) it = outcome_counters_.find({herald::common::v1::NETWORK_WEBHOOK, outcome});
  return *it->second;
}

bool DeliveryWorker::DeliverAll(const std::vector<const KafkaMessage*>& messages, const std::atomic<bool>& stopping) {
  std::vector<SentRecord> sent;
  // Until written, a published delivery reads as SENDING: written before it
  // could look abandoned to another replica, and before this returns.
  auto write_sent = [&](bool retry) {
    if (sent.empty()) return true;
    absl::Status s = ledger_.MarkSentMany(sent);
    while (!s.ok() && retry && !stopping) {
      log::Warn("recording sent deliveries failed; retrying", {{"deliveries", sent.size()}, {"error", s.ToString()}});
      std::this_thread::sleep_for(std::chrono::seconds(1));
      s = ledger_.MarkSentMany(sent);
    }
    if (s.ok()) sent.clear();
    return s.ok();
  };
  for (const KafkaMessage* m : messages) {
    PostDue due;
    if (auto screened = ScreenEvent(*m, &due); !screened.ok()) {
      dead_letters_.Send(*m, screened);
      continue;
    }
    absl::Status s = Deliver(due, sent);
    while (!s.ok() && !stopping) {
      log::Warn("delivery step failed; retrying", {{"post_id", due.post_id()}, {"error", s.ToString()}});
      std::this_thread::sleep_for(std::chrono::seconds(1));
      s = Deliver(due, sent);
    }
    if (!s.ok()) {
      write_sent(false);
      return false;
    }
    if (!sent.empty() && clock_.NowMs() - sent.front().now_ms > options_.in_progress_ms / 4 && !write_sent(true)) {
      return false;
    }
  }
  return write_sent(true);
}

void DeliveryWorker::Loop(const std::atomic<bool>& stopping) {
  KafkaConsumer consumer(consumer_options_);
  while (!stopping) {
    auto batch = consumer.PollBatch(500, std::chrono::milliseconds(200));
    if (batch.empty()) continue;
    // Lanes run side by side; one channel's posts (the message key) always
    // share a lane, so they stay in order.
    std::vector<std::vector<const KafkaMessage*>> by_lane(lanes_.size());
    for (const auto& m : batch) by_lane[StableHash(m.key) % lanes_.size()].push_back(&m);
    // Results are produced without waiting for each one; the batch is
    // committed only once every lane finished and Kafka confirmed every
    // result. Otherwise the batch is delivered again: the ledger makes that
    // announce, not resend.
    for (;;) {
      announce_failed_ = false;
      std::atomic<bool> complete{true};
      std::vector<std::function<void()>> jobs(lanes_.size());
      for (size_t i = 0; i < lanes_.size(); ++i) {
        if (by_lane[i].empty()) continue;
        jobs[i] = [&, lane_messages = &by_lane[i]] {
          if (!DeliverAll(*lane_messages, stopping)) complete = false;
        };
      }
      lanes_.RunAll(std::move(jobs));
      bool flushed = producer_.Flush(std::chrono::seconds(30));
      if (!complete) return;  // stopping: uncommitted, delivered again by the partitions' next owner
      if (flushed && !announce_failed_) {
        if (auto s = consumer.Commit(batch); !s.ok()) log::Warn("commit failed", {{"error", s.ToString()}});
        break;
      }
      log::Warn("results not confirmed by Kafka; delivering the batch again", {{"messages", batch.size()}});
      if (stopping) return;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
}

absl::Status DeliveryWorker::Announce(PublishResult result, const PostDue& due, Network network, bool dead_letter) {
  result.set_post_id(due.post_id());
  result.set_channel_id(due.channel_id());
  result.set_occurrence_ms(due.occurrence_ms());
  result.set_campaign_id(due.campaign_id());
  result.set_network(network);
  // Deterministic event id: a re-announced result is recognisably the same event.
  *result.mutable_meta() = NewEventMeta(result, due.meta().workspace_id(), clock_,
                                        "res_" + due.post_id() + "_" + due.channel_id() + "_" +
                                            std::to_string(due.occurrence_ms()) + "_" +
                                            std::to_string(static_cast<int>(result.outcome())));
  result.mutable_meta()->set_traceparent(due.meta().traceparent());
  std::string bytes = result.SerializeAsString();
  auto headers = EventHeaders(result.meta());
  auto confirm = [this](const std::string& error) {
    if (!error.empty()) announce_failed_ = true;
  };
  producer_.Produce(topics::k_publish_results, due.channel_id(), bytes, headers, confirm);
  if (dead_letter) producer_.Produce(topics::k_publish_deadletter, due.channel_id(), bytes, headers, confirm);
  return absl::OkStatus();
}

absl::Status DeliveryWorker::AnnounceDeferred(const PostDue& due, Network network, int64_t until_ms,
                                              const std::string& why) {
  Outcome(network, "deferred").Increment();
  PublishResult r;
  r.set_outcome(PublishOutcome::PUBLISH_OUTCOME_DEFERRED);
  r.set_error_class(herald::events::v1::ERROR_CLASS_QUOTA);
  r.set_error_message(why);
  *r.mutable_not_before() = FromMs(until_ms);
  return Announce(r, due, network, false);
}

absl::Status DeliveryWorker::Fail(const DeliveryKey& key, const PostDue& due, Network network,
                                  herald::events::v1::ErrorClass error_class, const std::string& why) {
  if (auto s = ledger_.MarkFailed(key, clock_.NowMs()); !s.ok()) return s;
  Outcome(network, "failed").Increment();
  PublishResult r;
  r.set_outcome(PublishOutcome::PUBLISH_OUTCOME_FAILED);
  r.set_error_class(error_class);
  r.set_error_message(why);
  return Announce(r, due, network, true);
}

absl::Status DeliveryWorker::RetryLater(const DeliveryKey& key, const LedgerEntry& before, const PostDue& due,
                                        Network network, const std::string& why, int attempt_number,
                                        herald::events::v1::ErrorClass error_class) {
  // Nothing was sent this time: the claim goes back as it was, so the retry
  // is not taken for a running attempt.
  if (auto s = ledger_.Release(key, before); !s.ok()) return s;
  Outcome(network, "retry").Increment();
  PublishResult r;
  r.set_outcome(PublishOutcome::PUBLISH_OUTCOME_RETRY);
  r.set_error_class(error_class);
  r.set_error_message(why);
  *r.mutable_not_before() = FromMs(clock_.NowMs() + BackoffMs(options_.retry, attempt_number, 0.5));
  return Announce(r, due, network, false);
}

absl::StatusOr<bool> DeliveryWorker::StillOurs(const DeliveryKey& key, LedgerEntry& claim) {
  // The in-progress window is two call timeouts and a second: a call that
  // starts within half of it from the claim ends inside it, and nobody can
  // take a claim over inside it. Only a later start needs the round trip.
  const int64_t now = clock_.NowMs();
  if (now - claim.claim_ms < options_.in_progress_ms / 2) return true;
  return ledger_.Renew(key, claim, now);
}

absl::Status DeliveryWorker::TakenOver(const absl::StatusOr<bool>& ours, const PostDue& due, Network network) {
  if (!ours.ok()) return ours.status();
  log::Warn("delivery taken over by another replica; not sending", {{"post_id", due.post_id()}});
  return AnnounceDeferred(due, network, clock_.NowMs() + options_.in_progress_ms, "another attempt is in progress");
}

absl::Status DeliveryWorker::MarkNeedsReauth(herald::publisher::v1::Channel channel, const std::string& reason) {
  // Only an active channel moves: a disconnected one stays disconnected.
  auto stored = store_.Get(channel.workspace_id(), channel.id());
  if (!stored.ok()) return absl::IsNotFound(stored.status()) ? absl::OkStatus() : stored.status();
  if (stored->status() != herald::publisher::v1::CHANNEL_STATUS_ACTIVE) return absl::OkStatus();
  if (auto s = store_.SetStatus(channel.workspace_id(), channel.id(), herald::publisher::v1::CHANNEL_STATUS_NEEDS_REAUTH);
      !s.ok()) {
    return s;
  }
  channels_.Invalidate(channel.workspace_id(), channel.id());
  log::Warn("channel token rejected; needs re-authorisation", {{"channel_id", channel.id()}});
  channel.set_status(herald::publisher::v1::CHANNEL_STATUS_NEEDS_REAUTH);
  return AnnounceChannelStatus(producer_, clock_, channel, reason);
}

absl::Status DeliveryWorker::Deliver(const PostDue& due, std::vector<SentRecord>& sent) {
  const std::string& ws = due.meta().workspace_id();
  DeliveryKey key{due.post_id(), due.channel_id(), due.occurrence_ms()};
  int64_t now = clock_.NowMs();

  auto channel = channels_.Get(ws, due.channel_id());
  if (!channel.ok() && !absl::IsNotFound(channel.status())) return channel.status();
  Network network = channel.ok() ? (*channel)->channel.network() : herald::common::v1::NETWORK_UNSPECIFIED;

  // One round trip reads the ledger and claims the delivery.
  auto before = ledger_.Begin(key, now, options_.in_progress_ms);
  if (!before.ok()) return before.status();
  if (before->state == LedgerEntry::State::kSent || before->state == LedgerEntry::State::kFailed) {
    Outcome(network, "duplicate").Increment();
    PublishResult r;
    bool sent = before->state == LedgerEntry::State::kSent;
    r.set_outcome(sent ? PublishOutcome::PUBLISH_OUTCOME_PUBLISHED : PublishOutcome::PUBLISH_OUTCOME_FAILED);
    r.set_remote_id(before->remote_id);
    r.set_remote_url(before->remote_url);
    if (!sent) r.set_error_message("failed earlier");
    return Announce(r, due, network, false);
  }
  if (before->state == LedgerEntry::State::kBusy) {
    return AnnounceDeferred(due, network, before->busy_until_ms, "another attempt is in progress");
  }

  const NetworkProfile* profile = catalog_.Find(network);
  Connector* connector = connectors_.For(network);
  const bool active = channel.ok() && (*channel)->channel.status() == herald::publisher::v1::CHANNEL_STATUS_ACTIVE;
  if (!active || !profile || !connector) {
    return Fail(key, due, network,
                !active ? herald::events::v1::ERROR_CLASS_AUTH : herald::events::v1::ERROR_CLASS_NETWORK,
                !channel.ok() ? "channel not connected"
                : (*channel)->channel.status() == herald::publisher::v1::CHANNEL_STATUS_DISCONNECTED
                    ? "channel disconnected"
                : !active ? "channel needs re-authorisation"
                          : "network not supported");
  }

  if (!due.in_reply_to_remote_id().empty() && !connector->SupportsReplies()) {
    return Fail(key, due, network, herald::events::v1::ERROR_CLASS_CONTENT,
                "replies are not supported on " + NetworkName(network) + " yet");
  }

  // An access token about to expire is refreshed first.
  auto current = refresher_.Fresh(*channel, false);
  if (!current.ok()) {
    std::string why(current.status().message());
    if (absl::IsPermissionDenied(current.status())) {
      if (auto s = MarkNeedsReauth((*channel)->channel, why); !s.ok()) return s;
      return Fail(key, due, network, herald::events::v1::ERROR_CLASS_AUTH, why);
    }
    // The token endpoint did not answer; nothing was sent. Counted, so a
    // refresh that keeps failing ends the delivery instead of looping.
    if (before->attempts + 1 >= options_.retry.max_attempts) {
      return Fail(key, due, network, herald::events::v1::ERROR_CLASS_NETWORK, "token refresh: " + why);
    }
    if (auto s = RetryLater(key, *before, due, network, "token refresh: " + why, before->attempts + 1); !s.ok()) {
      return s;
    }
    return ledger_.CountAttempt(key);
  }
  if ((*current)->channel.status() != herald::publisher::v1::CHANNEL_STATUS_ACTIVE) {
    // Changed (disconnected, re-authorised elsewhere) since the cached copy.
    return Fail(key, due, network, herald::events::v1::ERROR_CLASS_AUTH, "channel is not active");
  }

  // Inbox replies draw on the same budget, after publishing.
  const bool reply = !due.in_reply_to_remote_id().empty();
  QuotaPlan plan = PlanFor(*profile, due.channel_id(), reply ? CallKind::kReply : CallKind::kPublish);
  auto quota = limiter_.Acquire(plan, catalog_.Reserve(reply ? Priority::kReply : Priority::kPublish), now);
  if (!quota.ok() || !quota->allowed) {
    // Nothing was sent: the claim is handed back as it was.
    if (auto s = ledger_.Release(key, *before); !s.ok()) return s;
    if (!quota.ok()) return quota.status();
    deferred_.Increment();
    return AnnounceDeferred(due, network, now + quota->retry_after_ms, "over quota; deferred");
  }
  allowed_.Increment();

  // A delivery whose last outcome is unknown may only read back this time:
  // the attempt is counted once it really sends.
  const bool unknown_before = before->state == LedgerEntry::State::kSending;
  const auto& ch = (*current)->channel;
  Endpoint endpoint{ch.base_url(), (*current)->access_token, ch.remote_account_id(), ch.handle()};
  int attempt_number = before->attempts + 1;

  // An earlier attempt's outcome is unknown. Where the network has no
  // idempotency key, look for the post before sending it again.
  if (unknown_before && !connector->IdempotentRetries()) {
    int64_t since = before->attempt_started_ms - options_.readback_skew_ms;
    if (auto ours = StillOurs(key, *before); !ours.ok() || !*ours) return TakenOver(ours, due, network);
    auto recent = connector->RecentPosts(endpoint, options_.readback_posts, since);
    if (!recent.ok()) {
      // Still unknown: the next attempt reconciles again.
      return RetryLater(key, *before, due, network,
                        "could not read recent posts back: " + std::string(recent.status().message()), attempt_number);
    }
    std::string want = NormalizedText(due.text());
    // Sending again is safe only if the read-back reaches past the unknown
    // attempt (a minute of clock skew allowed); a busy account may have posted
    // more than one page since.
    bool reaches_back = static_cast<int>(recent->size()) < options_.readback_posts;
    if (!reaches_back) {
      int64_t oldest = INT64_MAX;
      for (const auto& p : *recent) oldest = std::min(oldest, p.created_ms);
      reaches_back = oldest > 0 && oldest < before->attempt_started_ms - options_.readback_skew_ms;
    }
    for (const auto& p : *recent) {
      if (NormalizedText(p.text) != want) continue;
      if (auto s = ledger_.MarkSent(key, p.id, p.url, clock_.NowMs()); !s.ok()) return s;
      Outcome(network, "reconciled").Increment();
      log::Info("unknown outcome reconciled: the earlier attempt had posted",
                {{"post_id", due.post_id()}, {"channel_id", due.channel_id()}, {"remote_id", p.id}});
      PublishResult r;
      r.set_outcome(PublishOutcome::PUBLISH_OUTCOME_PUBLISHED);
      r.set_remote_id(p.id);
      r.set_remote_url(p.url);
      *r.mutable_published_at() = FromMs(clock_.NowMs());
      return Announce(r, due, network, false);
    }
    if (!reaches_back) {
      // Counted, so a delivery that can never be settled ends as FAILED
      // (class unknown, dead-lettered for a person to check) instead of
      // looping: sending again could post twice.
      if (auto s = ledger_.CountAttempt(key); !s.ok()) return s;
      const std::string why = "read-back does not reach the earlier attempt; not sending again";
      if (attempt_number >= 2 * options_.retry.max_attempts) {
        return Fail(key, due, network, herald::events::v1::ERROR_CLASS_UNKNOWN, why);
      }
      return RetryLater(key, *before, due, network, why, attempt_number, herald::events::v1::ERROR_CLASS_UNKNOWN);
    }
  }

  if (unknown_before) {
    if (auto s = ledger_.CountAttempt(key); !s.ok()) return s;
  }
  OutgoingPost post{due.text(), {due.media_urls().begin(), due.media_urls().end()}, key.IdempotencyKey(),
                    due.in_reply_to_remote_id(), due.occurrence_ms()};
  if (auto ours = StillOurs(key, *before); !ours.ok() || !*ours) return TakenOver(ours, due, network);
  PublishAttempt attempt = connector->Publish(endpoint, post);
  if (attempt.kind == PublishAttempt::Kind::kAuthRejected && refresher_.CanRefresh(**current)) {
    // The token may have expired early or been refreshed elsewhere: renew
    // it and send once more (a rejected request posted nothing).
    auto renewed = refresher_.Fresh(*current, true);
    if (renewed.ok() && (*renewed)->access_token != endpoint.token) {
      endpoint.token = (*renewed)->access_token;
      if (auto ours = StillOurs(key, *before); !ours.ok() || !*ours) return TakenOver(ours, due, network);
      attempt = connector->Publish(endpoint, post);
    }
  }
  now = clock_.NowMs();
  thread_local std::mt19937_64 rng{std::random_device{}()};
  double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
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
      sent.push_back({key, attempt.remote_id, attempt.remote_url, now});
      Outcome(network, "published").Increment();
      break;
    case PublishOutcome::PUBLISH_OUTCOME_FAILED:
      recorded = ledger_.MarkFailed(key, now);
      Outcome(network, "failed").Increment();
      break;
    default:
      // Unknown outcomes stay SENDING so the next attempt knows to reconcile.
      if (attempt.kind != PublishAttempt::Kind::kUnknownOutcome) recorded = ledger_.MarkNotSent(key, now);
      Outcome(network, decision.outcome == PublishOutcome::PUBLISH_OUTCOME_DEFERRED ? "deferred" : "retry").Increment();
      break;
  }
  if (!recorded.ok()) return recorded;
  // The network's own view of the quota tightens ours.
  if (attempt.kind == PublishAttempt::Kind::kRateLimited) {
    (void)limiter_.BlockUntil(plan, decision.not_before_ms);
  } else if (attempt.limit_remaining == 0 && attempt.limit_reset_ms > now) {
    (void)limiter_.BlockUntil(plan, attempt.limit_reset_ms);
  }
  if (decision.mark_channel_needs_reauth) {
    if (auto s = MarkNeedsReauth(ch, attempt.error); !s.ok()) {
      log::Warn("could not mark channel", {{"channel_id", ch.id()}, {"error", s.ToString()}});
    }
  }
  log::Info("delivery", {{"post_id", due.post_id()},
                         {"channel_id", due.channel_id()},
                         {"network", NetworkName(network)},
                         {"attempt", attempt_number},
                         {"outcome", herald::events::v1::PublishOutcome_Name(decision.outcome)}});
  return Announce(r, due, network, decision.dead_letter);
}

}  // namespace herald::publisher
