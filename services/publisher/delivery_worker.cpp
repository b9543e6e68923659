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
#include "publisher/content_rules.h"
#include "publisher/quota_plan.h"

namespace herald::publisher {

namespace {

// The thread part this lane's thread is delivering, if any. Announce keeps
// a part's PUBLISHED to itself (the post is published when its last part
// is) and tells the loop what the part became; every other outcome (retry,
// deferral, failure) is the post's, and a redelivery resumes at that part.
struct ThreadPart {
  int index = 0;
  bool last = false;
  std::string first_remote_id, first_remote_url;  // the thread is known by its first post
  bool published = false;
  std::string remote_id, remote_url;
};
thread_local ThreadPart* current_part = nullptr;

}  // namespace

using herald::common::v1::Network;
using herald::events::v1::PostDue;
using herald::events::v1::PublishOutcome;
using herald::events::v1::PublishResult;

DeliveryWorker::DeliveryWorker(ChannelStore& store, ChannelCache& channels, TokenRefresher& refresher,
                               DeliveryLedger& ledger, RateLimiter& limiter,
                               ConnectorSet& connectors, const NetworkCatalog& catalog, KafkaProducer& producer,
                               ConsumerOptions consumer, const Clock& clock, RandomSource& random,
                               prometheus::Registry& registry, DeliveryOptions options)
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
      random_(random),
      options_(std::move(options)),
      lanes_(static_cast<size_t>(std::max(1, options_.lanes))),
      probe_(registry) {}

bool DeliveryWorker::DeliverAll(const std::vector<const KafkaMessage*>& messages, const std::atomic<bool>& stopping) {
  std::vector<SentRecord> sent;
  // Until written, a published delivery reads as SENDING: written before it
  // could look abandoned to another replica, and before this returns.
  auto write_sent = [&](bool retry) {
    if (sent.empty()) return true;
    absl::Status s = ledger_.MarkSentMany(sent);
    while (!s.ok() && retry && !stopping) {
      log::Warn("recording sent deliveries failed; retrying", {{"deliveries", sent.size()}, {"error", s.ToString()}});
      clock_.SleepFor(std::chrono::seconds(1));
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
      clock_.SleepFor(std::chrono::seconds(1));
      s = Deliver(due, sent);
    }
    if (!s.ok()) {
      write_sent(false);
      return false;
    }
    if (!sent.empty() && Now() - sent.front().at > Millis(options_.in_progress_ms / 4) && !write_sent(true)) {
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
      clock_.SleepFor(std::chrono::seconds(1));
    }
  }
}

absl::Status DeliveryWorker::Announce(PublishResult result, const PostDue& due, Network network, bool dead_letter) {
  std::string part_suffix;
  if (ThreadPart* tp = current_part) {
    part_suffix = "_p" + std::to_string(tp->index);
    if (result.outcome() == PublishOutcome::PUBLISH_OUTCOME_PUBLISHED) {
      tp->published = true;
      tp->remote_id = result.remote_id();
      tp->remote_url = result.remote_url();
      if (!tp->last) return absl::OkStatus();
      if (!tp->first_remote_id.empty()) {
        result.set_remote_id(tp->first_remote_id);
        result.set_remote_url(tp->first_remote_url);
      }
    }
  }
  result.set_post_id(due.post_id());
  result.set_channel_id(due.channel_id());
  result.set_occurrence_ms(due.occurrence_ms());
  result.set_campaign_id(due.campaign_id());
  result.set_variant(due.variant());
  result.set_network(network);
  // Deterministic event id: a re-announced result is recognisably the same event.
  *result.mutable_meta() = NewEventMeta(result, due.meta().workspace_id(), clock_,
                                        "res_" + due.post_id() + "_" + due.channel_id() + "_" +
                                            std::to_string(due.occurrence_ms()) + part_suffix + "_" +
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
  probe_.Delivered(network, DeliveryOutcome::kDeferred);
  log::Info("delivery deferred", {{"post_id", due.post_id()},
                                  {"channel_id", due.channel_id()},
                                  {"why", why},
                                  {"retry_in_ms", until_ms - clock_.NowMs()}});
  PublishResult r;
  r.set_outcome(PublishOutcome::PUBLISH_OUTCOME_DEFERRED);
  r.set_error_class(herald::events::v1::ERROR_CLASS_QUOTA);
  r.set_error_message(why);
  *r.mutable_not_before() = FromMs(until_ms);
  return Announce(r, due, network, false);
}

absl::Status DeliveryWorker::Fail(const DeliveryKey& key, const PostDue& due, Network network,
                                  herald::events::v1::ErrorClass error_class, const std::string& why) {
  if (auto s = ledger_.MarkFailed(key, Now()); !s.ok()) return s;
  probe_.Delivered(network, DeliveryOutcome::kFailed);
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
  probe_.Delivered(network, DeliveryOutcome::kRetry);
  log::Info("delivery to retry", {{"post_id", due.post_id()}, {"channel_id", due.channel_id()}, {"why", why}});
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
  const TimePoint now = Now();
  if (now - claim.claim < Millis(options_.in_progress_ms / 2)) return true;
  return ledger_.Renew(key, claim, now);
}

absl::Status DeliveryWorker::TakenOver(const absl::StatusOr<bool>& ours, const PostDue& due, Network network) {
  if (!ours.ok()) return ours.status();
  log::Warn("delivery taken over by another replica; not sending", {{"post_id", due.post_id()}});
  return AnnounceDeferred(due, network, clock_.NowMs() + options_.in_progress_ms, "another attempt is in progress");
}

absl::Status DeliveryWorker::MarkNeedsReauth(herald::publisher::v1::Channel channel, const std::string& reason) {
  // Only an active channel moves: a disconnected one stays disconnected.
  auto stored = store_.Get(WorkspaceOf(channel), IdOf(channel));
  if (!stored.ok()) return absl::IsNotFound(stored.status()) ? absl::OkStatus() : stored.status();
  if (stored->status() != herald::publisher::v1::CHANNEL_STATUS_ACTIVE) return absl::OkStatus();
  if (auto s = store_.SetStatus(WorkspaceOf(channel), IdOf(channel), herald::publisher::v1::CHANNEL_STATUS_NEEDS_REAUTH);
      !s.ok()) {
    return s;
  }
  channels_.Invalidate(WorkspaceOf(channel), IdOf(channel));
  log::Warn("channel token rejected; needs re-authorisation", {{"channel_id", channel.id()}});
  channel.set_status(herald::publisher::v1::CHANNEL_STATUS_NEEDS_REAUTH);
  return AnnounceChannelStatus(producer_, clock_, channel, reason);
}

// The steps of a delivery, in order. Each decides one thing; it either lets
// the delivery go on (nullopt) or ends it, with the status Deliver returns.

std::vector<std::string> DeliveryWorker::ThreadParts(const PostDue& due) {
  if (!due.split_into_thread()) return {};
  auto channel = channels_.Get(WorkspaceId(due.meta().workspace_id()), ChannelId(due.channel_id()));
  if (!channel.ok()) return {};
  const NetworkProfile* profile = catalog_.Find((*channel)->channel.network());
  if (!profile || !profile->threads.supported || CountedLength(due.text(), profile->text) <= profile->text.max_length) {
    return {};
  }
  // Deterministic: a redelivery splits the same text into the same parts.
  return SplitThread(due.text(), profile->text, profile->threads.max_parts);
}

absl::Status DeliveryWorker::Deliver(const PostDue& due, std::vector<SentRecord>& sent) {
  std::vector<std::string> parts = ThreadParts(due);
  if (parts.size() <= 1) return DeliverOne(due, 0, sent);
  // Part by part, each replying to the one before. A part already sent (its
  // ledger says so) is announced to us again with its remote id, not sent.
  PostDue part = due;
  ThreadPart state;
  for (size_t k = 0; k < parts.size(); ++k) {
    part.set_text(parts[k]);
    if (k > 0) {
      part.set_in_reply_to_remote_id(state.remote_id);
      part.clear_media_urls();  // media go with the first part
    }
    ThreadPart tp;
    tp.index = static_cast<int>(k);
    tp.last = k + 1 == parts.size();
    tp.first_remote_id = state.first_remote_id;
    tp.first_remote_url = state.first_remote_url;
    current_part = &tp;
    absl::Status s = DeliverOne(part, static_cast<int>(k), sent);
    current_part = nullptr;
    if (!s.ok()) return s;
    if (!tp.published) return absl::OkStatus();  // the post's outcome is announced; a redelivery resumes here
    if (k == 0) state.first_remote_id = tp.remote_id, state.first_remote_url = tp.remote_url;
    state.remote_id = tp.remote_id;
  }
  return absl::OkStatus();
}

absl::Status DeliveryWorker::DeliverOne(const PostDue& due, int part, std::vector<SentRecord>& sent) {
  InFlight d(due, part, clock_.NowMs());
  for (auto step : {&DeliveryWorker::LoadChannel, &DeliveryWorker::ClaimLedger, &DeliveryWorker::CheckChannel,
                    &DeliveryWorker::FreshToken, &DeliveryWorker::TakeQuota, &DeliveryWorker::ReadBack}) {
    if (auto end = (this->*step)(d)) return *end;
  }
  return Send(d, sent);
}

DeliveryWorker::Step DeliveryWorker::LoadChannel(InFlight& d) {
  d.channel = channels_.Get(WorkspaceId(d.workspace()), ChannelId(d.due.channel_id()));
  if (!d.channel.ok() && !absl::IsNotFound(d.channel.status())) return d.channel.status();
  if (d.channel.ok()) d.network = (*d.channel)->channel.network();
  return std::nullopt;
}

// One round trip reads the ledger and claims the delivery. A delivery that
// already ended is announced again (never sent again); one that another
// attempt is running is deferred until that attempt counts as abandoned.
DeliveryWorker::Step DeliveryWorker::ClaimLedger(InFlight& d) {
  auto before = ledger_.Begin(d.key, AtMs(d.now), Millis(options_.in_progress_ms));
  if (!before.ok()) return before.status();
  d.before = *before;
  if (d.before.state == LedgerEntry::State::kSent || d.before.state == LedgerEntry::State::kFailed) {
    probe_.Delivered(d.network, DeliveryOutcome::kDuplicate);
    PublishResult r;
    bool sent = d.before.state == LedgerEntry::State::kSent;
    r.set_outcome(sent ? PublishOutcome::PUBLISH_OUTCOME_PUBLISHED : PublishOutcome::PUBLISH_OUTCOME_FAILED);
    r.set_remote_id(d.before.remote_id);
    r.set_remote_url(d.before.remote_url);
    if (!sent) r.set_error_message("failed earlier");
    return Announce(r, d.due, d.network, false);
  }
  if (d.before.state == LedgerEntry::State::kBusy) {
    return AnnounceDeferred(d.due, d.network, Ms(d.before.busy_until), "another attempt is in progress");
  }
  d.attempt_number = d.before.attempts + 1;
  d.unknown_before = d.before.state == LedgerEntry::State::kSending;
  return std::nullopt;
}

// The channel must exist, be active, and be on a network Herald speaks.
DeliveryWorker::Step DeliveryWorker::CheckChannel(InFlight& d) {
  d.profile = catalog_.Find(d.network);
  d.connector = connectors_.For(d.network);
  ChannelFacts facts;
  facts.found = d.channel.ok();
  if (facts.found) {
    auto status = (*d.channel)->channel.status();
    facts.active = status == herald::publisher::v1::CHANNEL_STATUS_ACTIVE;
    facts.disconnected = status == herald::publisher::v1::CHANNEL_STATUS_DISCONNECTED;
  }
  facts.network_supported = d.profile && d.connector;
  facts.is_reply = !d.due.in_reply_to_remote_id().empty();
  facts.replies_supported = d.connector && d.connector->SupportsReplies();
  facts.network_name = NetworkName(d.network);
  if (auto refused = CheckDeliverable(facts)) return Fail(d.key, d.due, d.network, refused->error_class, refused->why);
  return std::nullopt;
}

// An access token about to expire is refreshed first. A refusal marks the
// channel; a token endpoint that does not answer is retried (and counted,
// so a refresh that keeps failing ends the delivery instead of looping).
DeliveryWorker::Step DeliveryWorker::FreshToken(InFlight& d) {
  auto current = refresher_.Fresh(*d.channel, false);
  if (!current.ok()) {
    std::string why(current.status().message());
    if (absl::IsPermissionDenied(current.status())) {
      if (auto s = MarkNeedsReauth((*d.channel)->channel, why); !s.ok()) return s;
      return Fail(d.key, d.due, d.network, herald::events::v1::ERROR_CLASS_AUTH, why);
    }
    if (d.attempt_number >= options_.retry.max_attempts) {
      return Fail(d.key, d.due, d.network, herald::events::v1::ERROR_CLASS_NETWORK, "token refresh: " + why);
    }
    if (auto s = RetryLater(d.key, d.before, d.due, d.network, "token refresh: " + why, d.attempt_number); !s.ok()) {
      return s;
    }
    return ledger_.CountAttempt(d.key);
  }
  if ((*current)->channel.status() != herald::publisher::v1::CHANNEL_STATUS_ACTIVE) {
    // Changed (disconnected, re-authorised elsewhere) since the cached copy.
    return Fail(d.key, d.due, d.network, herald::events::v1::ERROR_CLASS_AUTH, "channel is not active");
  }
  d.current = *current;
  const auto& ch = d.current->channel;
  d.endpoint = Endpoint{ch.base_url(), d.current->access_token, ch.remote_account_id(), ch.handle()};
  return std::nullopt;
}

// Our own quota decides before the network would: over it, the claim is
// handed back as it was and the delivery deferred to when it fits. Inbox
// replies draw on the same budget, after publishing.
DeliveryWorker::Step DeliveryWorker::TakeQuota(InFlight& d) {
  const bool reply = !d.due.in_reply_to_remote_id().empty();
  d.plan = PlanFor(*d.profile, d.due.channel_id(), reply ? CallKind::kReply : CallKind::kPublish);
  auto quota = limiter_.Acquire(d.plan, catalog_.Class(reply ? Priority::kReply : Priority::kPublish), AtMs(d.now));
  if (!quota.ok() || !quota->allowed) {
    if (auto s = ledger_.Release(d.key, d.before); !s.ok()) return s;
    if (!quota.ok()) return quota.status();
    probe_.QuotaDeferred(d.network);
    return AnnounceDeferred(d.due, d.network, d.now + quota->retry_after_ms, "over quota; deferred");
  }
  probe_.QuotaAllowed(d.network);
  return std::nullopt;
}

// An earlier attempt's outcome is unknown and the network has no idempotency
// key: look for the post before sending it again. Found: it is published.
// Not found and the page reaches past that attempt: go on and send. Cannot
// tell: retry later (counted, and in the end FAILED for a person to check —
// sending again could post twice).
DeliveryWorker::Step DeliveryWorker::ReadBack(InFlight& d) {
  if (!d.unknown_before || d.connector->IdempotentRetries()) return std::nullopt;
  int64_t since = Ms(d.before.attempt_started) - options_.readback_skew_ms;
  if (auto ours = StillOurs(d.key, d.before); !ours.ok() || !*ours) return TakenOver(ours, d.due, d.network);
  const std::string& parent = d.due.in_reply_to_remote_id();
  auto recent = parent.empty() ? d.connector->RecentPosts(d.endpoint, options_.readback_posts, since)
                               : d.connector->RecentReplies(d.endpoint, parent, options_.readback_posts, since);
  if (!recent.ok()) {
    // Still unknown: the next attempt reconciles again.
    return RetryLater(d.key, d.before, d.due, d.network,
                      "could not read recent posts back: " + std::string(recent.status().message()), d.attempt_number);
  }
  ReadBackVerdict verdict = JudgeReadBack(*recent, d.due.text(), d.due.media_urls_size(), options_.readback_posts,
                                          Ms(d.before.attempt_started), options_.readback_skew_ms);
  if (verdict.found) {
    const RemotePost& p = *verdict.found;
    if (auto s = ledger_.MarkSent(d.key, p.id, p.url, Now()); !s.ok()) return s;
    probe_.Delivered(d.network, DeliveryOutcome::kReconciled);
    log::Info("unknown outcome reconciled: the earlier attempt had posted",
              {{"post_id", d.due.post_id()}, {"channel_id", d.due.channel_id()}, {"remote_id", p.id}});
    PublishResult r;
    r.set_outcome(PublishOutcome::PUBLISH_OUTCOME_PUBLISHED);
    r.set_remote_id(p.id);
    r.set_remote_url(p.url);
    *r.mutable_published_at() = FromMs(clock_.NowMs());
    return Announce(r, d.due, d.network, false);
  }
  if (!verdict.safe_to_send) {
    if (auto s = ledger_.CountAttempt(d.key); !s.ok()) return s;
    const std::string why = "read-back does not reach the earlier attempt; not sending again";
    if (d.attempt_number >= 2 * options_.retry.max_attempts) {
      return Fail(d.key, d.due, d.network, herald::events::v1::ERROR_CLASS_UNKNOWN, why);
    }
    return RetryLater(d.key, d.before, d.due, d.network, why, d.attempt_number,
                      herald::events::v1::ERROR_CLASS_UNKNOWN);
  }
  return std::nullopt;
}

// Calls the network (once more with a renewed token if it refused this one),
// records what it answered and announces it. A published delivery goes to
// `sent` (written for the lane's batch); an unknown outcome stays SENDING so
// the next attempt reads back first.
absl::Status DeliveryWorker::Send(InFlight& d, std::vector<SentRecord>& sent) {
  // A delivery whose last outcome was unknown is counted once it really sends.
  if (d.unknown_before) {
    if (auto s = ledger_.CountAttempt(d.key); !s.ok()) return s;
  }
  const auto& due = d.due;
  OutgoingPost post{due.text(), {due.media_urls().begin(), due.media_urls().end()}, d.key.IdempotencyKey(),
                    due.in_reply_to_remote_id(), due.occurrence_ms()};
  if (auto ours = StillOurs(d.key, d.before); !ours.ok() || !*ours) return TakenOver(ours, due, d.network);
  PublishAttempt attempt = d.connector->Publish(d.endpoint, post);
  if (attempt.kind == PublishAttempt::Kind::kAuthRejected && refresher_.CanRefresh(*d.current)) {
    // The token may have expired early or been refreshed elsewhere: renew
    // it and send once more (a rejected request posted nothing).
    auto renewed = refresher_.Fresh(d.current, true);
    if (renewed.ok() && (*renewed)->access_token != d.endpoint.token) {
      d.endpoint.token = (*renewed)->access_token;
      if (auto ours = StillOurs(d.key, d.before); !ours.ok() || !*ours) return TakenOver(ours, due, d.network);
      attempt = d.connector->Publish(d.endpoint, post);
    }
  }
  const int64_t now = clock_.NowMs();
  OutcomeDecision decision = DecideOutcome(attempt, d.attempt_number, options_.retry, now, random_.Unit());

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
      sent.push_back({d.key, attempt.remote_id, attempt.remote_url, AtMs(now)});
      probe_.Delivered(d.network, DeliveryOutcome::kPublished);
      probe_.Accepted(d.network, static_cast<double>(now - due.occurrence_ms()) / 1000.0);
      break;
    case PublishOutcome::PUBLISH_OUTCOME_FAILED:
      recorded = ledger_.MarkFailed(d.key, AtMs(now));
      probe_.Delivered(d.network, DeliveryOutcome::kFailed);
      break;
    default:
      // Unknown outcomes stay SENDING so the next attempt knows to reconcile.
      if (attempt.kind != PublishAttempt::Kind::kUnknownOutcome) recorded = ledger_.MarkNotSent(d.key, AtMs(now));
      probe_.Delivered(d.network, decision.outcome == PublishOutcome::PUBLISH_OUTCOME_DEFERRED
                                      ? DeliveryOutcome::kDeferred
                                      : DeliveryOutcome::kRetry);
      break;
  }
  if (!recorded.ok()) return recorded;
  // The network's own view of the quota tightens ours.
  if (attempt.kind == PublishAttempt::Kind::kRateLimited) {
    (void)limiter_.BlockUntil(d.plan, AtMs(decision.not_before_ms));
  } else if (attempt.limit_remaining == 0 && attempt.limit_reset_ms > now) {
    (void)limiter_.BlockUntil(d.plan, AtMs(attempt.limit_reset_ms));
  }
  if (decision.mark_channel_needs_reauth) {
    if (auto s = MarkNeedsReauth(d.current->channel, attempt.error); !s.ok()) {
      log::Warn("could not mark channel", {{"channel_id", d.current->channel.id()}, {"error", s.ToString()}});
    }
  }
  log::Info("delivery", {{"post_id", due.post_id()},
                         {"channel_id", due.channel_id()},
                         {"network", NetworkName(d.network)},
                         {"attempt", d.attempt_number},
                         {"outcome", herald::events::v1::PublishOutcome_Name(decision.outcome)}});
  return Announce(r, due, d.network, decision.dead_letter);
}

}  // namespace herald::publisher
