#include "scheduler/dispatcher.h"

#include <algorithm>
#include <map>
#include <thread>

#include "common/events.h"
#include "common/log.h"
#include "common/time_util.h"
#include "herald/events/v1/events.pb.h"
#include "herald/topics.h"
#include "scheduler/post_rules.h"

namespace herald::scheduler {

struct Dispatcher::InFlight {
  ClaimedPost claimed;
  bool held = false;
  std::atomic<int> remaining{0};
  std::atomic<bool> failed{false};
};

namespace {

bool Dispatchable(v1::PostState s) { return s == v1::POST_STATE_SCHEDULED || s == v1::POST_STATE_DISPATCHED; }

PostStore::Mutation MarkMutation(bool hold, int64_t now) {
  if (hold) {
    return [now](v1::Post& p, DueChange* change) {
      *change = DueChange::Hold(ToMs(p.publish_at()));
      return SetAllTargets(p, v1::POST_STATE_HELD, "", now);
    };
  }
  return [now](v1::Post& p, DueChange*) { return MarkDispatched(p, now); };
}

}  // namespace

Dispatcher::Dispatcher(PostStore& store, KafkaProducer& producer, const Clock& clock, prometheus::Registry& registry,
                       DispatcherOptions options)
    : store_(store),
      producer_(producer),
      clock_(clock),
      options_(options),
      probe_(registry) {}

void Dispatcher::Start() {
  complete_thread_.Start([this](const std::atomic<bool>& stopping) { CompleteLoop(stopping); });
  claim_thread_.Start([this](const std::atomic<bool>& stopping) { ClaimLoop(stopping); });
}

void Dispatcher::Stop() {
  claim_thread_.Stop();
  // Let what Kafka is still confirming finish, so claims end cleanly.
  producer_.Flush(std::chrono::seconds(10));
  complete_thread_.Stop();
}

void Dispatcher::Finished(std::shared_ptr<InFlight> post) {
  {
    std::lock_guard lock(mu_);
    done_.push_back(std::move(post));
  }
  cv_.notify_one();
}

absl::StatusOr<Dispatcher::RoundResult> Dispatcher::ClaimAndProduce() {
  int64_t now = clock_.NowMs();
  if (now - holds_loaded_ms_ >= options_.refresh_ms) {
    auto holds = store_.Holds();
    if (!holds.ok()) return holds.status();
    holds_ = std::move(*holds);
    holds_loaded_ms_ = now;
  }
  if (now - reaped_ms_ >= options_.refresh_ms) {
    auto reaped = store_.ReapAll(AtMs(now));
    if (!reaped.ok()) return reaped.status();
    reaped_ms_ = now;
    if (*reaped > 0) {
      probe_.LeasesExpired(*reaped);
      log::Warn("leases expired; posts re-queued", {{"count", *reaped}});
    }
  }
  RoundResult result;
  int room = options_.max_in_flight - in_flight_.load();
  if (room <= 0) {
    result.next_round_ms = now + 1;  // wait for Kafka to confirm some
    return result;
  }
  int per_shard = std::max(1, std::min(options_.batch, room / std::max(1, store_.shards())));
  auto round = store_.ClaimAll(AtMs(now), Millis(options_.lease_ms), per_shard);
  if (!round.ok()) return round.status();
  result.claimed = static_cast<int>(round->posts.size());
  if (!round->shard_full) {
    int64_t idle_until = now + options_.max_idle_ms;
    result.next_round_ms = round->next_due ? std::min(Ms(*round->next_due), idle_until) : idle_until;
  }
  // The cached pauses may be stale: before holding anything, read them fresh
  // (a Resume may have just cleared one).
  if (!holds_.empty() && std::any_of(round->posts.begin(), round->posts.end(),
                                     [&](const ClaimedPost& c) { return CoveredByHold(c.post, holds_); })) {
    auto fresh = store_.Holds();
    if (!fresh.ok()) return fresh.status();
    holds_ = std::move(*fresh);
    holds_loaded_ms_ = clock_.NowMs();
  }
  const auto* holds = &holds_;

  for (auto& c : round->posts) {
    auto post = std::make_shared<InFlight>();
    post->claimed = std::move(c);
    in_flight_++;
    const v1::Post& p = post->claimed.post;
    post->held = CoveredByHold(p, *holds);
    std::vector<const v1::Target*> targets;
    if (!post->held) {
      for (const auto& t : p.targets()) {
        if (Dispatchable(t.state())) targets.push_back(&t);
      }
    }
    if (targets.empty()) {
      Finished(std::move(post));
      continue;
    }
    post->remaining = static_cast<int>(targets.size());
    probe_.Lateness(std::max<int64_t>(0, clock_.NowMs() - ToMs(p.publish_at())));
    for (const auto* target : targets) {
      herald::events::v1::PostDue due;
      due.set_post_id(p.id());
      due.set_channel_id(target->channel_id());
      due.set_occurrence_ms(ToMs(p.publish_at()));
      due.set_text(PublishedText(p, *target));
      due.set_fencing_token(post->claimed.fencing_token);
      due.set_attempt(target->attempts() + 1);
      due.set_campaign_id(p.campaign_id());
      due.mutable_media_urls()->CopyFrom(p.media_urls());
      due.set_variant(p.variant());
      due.set_in_reply_to_remote_id(p.in_reply_to_remote_id());
      due.set_split_into_thread(p.split_into_thread());
      *due.mutable_meta() = NewEventMeta(due, p.workspace_id(), clock_);
      producer_.Produce(topics::k_posts_due, target->channel_id(), due.SerializeAsString(), EventHeaders(due.meta()),
                        [this, post](const std::string& error) {
                          if (!error.empty()) post->failed = true;
                          if (--post->remaining == 0) Finished(post);
                        });
    }
  }
  return result;
}

absl::StatusOr<int> Dispatcher::Complete(std::deque<std::shared_ptr<InFlight>> done) {
  int64_t now = clock_.NowMs();
  // Delivered posts: end their claims (DISPATCHED is derived on read).
  // Held posts: move them to the held set, in the same step.
  std::vector<const ClaimedPost*> delivered;
  std::vector<PostStore::ClaimedChange> holds;
  for (auto& f : done) {
    if (f->failed) {
      // Not acknowledged: the lease expires and the reaper retries.
      probe_.ProduceFailed();
      continue;
    }
    if (!f->held) {
      delivered.push_back(&f->claimed);
      continue;
    }
    PostStore::ClaimedChange change{&f->claimed, f->claimed.post, {}};
    if (MarkMutation(true, now)(change.updated, &change.change)) holds.push_back(std::move(change));
  }
  auto acked = store_.AckMany(delivered);
  if (!acked.ok()) return acked.status();
  int dispatched = 0;
  for (size_t k = 0; k < delivered.size(); ++k) {
    if ((*acked)[k] != 1) {
      // The lease ran out first; whoever claimed the post again carries on.
      log::Info("claim ended before it was acknowledged (lease expired, or a result re-queued the post)", {{"post_id", delivered[k]->post.id()}});
      continue;
    }
    probe_.Dispatched();
    ++dispatched;
  }
  auto held = store_.UpdateClaimed(holds);
  if (!held.ok()) return held.status();
  for (size_t k = 0; k < holds.size(); ++k) {
    if ((*held)[k] == 0) {
      // Changed since the claim (an edit landed): read-modify-write.
      auto updated = store_.Update(PostId(holds[k].claimed->post.id()), MarkMutation(true, now), holds[k].claimed->fencing_token);
      if (!updated.ok() && !absl::IsFailedPrecondition(updated.status())) return updated.status();
    }
  }
  return dispatched;
}

absl::StatusOr<int> Dispatcher::RunOnce() {
  holds_loaded_ms_ = reaped_ms_ = 0;  // a single round always sees the current state
  auto claimed = ClaimAndProduce();
  if (!claimed.ok()) return claimed.status();
  int dispatched = 0;
  while (in_flight_.load() > 0) {
    std::deque<std::shared_ptr<InFlight>> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return !done_.empty(); });
      batch.swap(done_);
    }
    in_flight_ -= static_cast<int>(batch.size());
    auto n = Complete(std::move(batch));
    if (!n.ok()) return n.status();
    dispatched += *n;
  }
  return dispatched;
}

void Dispatcher::ClaimLoop(const std::atomic<bool>& stopping) {
  auto last_backlog = clock_.Monotonic() - std::chrono::minutes(1);
  while (!stopping) {
    auto n = ClaimAndProduce();
    if (!n.ok()) {
      log::Warn("dispatch round failed", {{"error", n.status().ToString()}});
      clock_.SleepFor(std::chrono::milliseconds(500));
      continue;
    }
    if (clock_.Monotonic() - last_backlog > std::chrono::seconds(5)) {
      last_backlog = clock_.Monotonic();
      if (auto b = store_.Backlog(); b.ok()) probe_.Backlog(b->due, b->in_flight, b->earliest_due_ms);
    }
    // Sleep until the earliest due post, but at most max_idle_ms (posts
    // created meanwhile, expired leases, clock skew).
    int64_t wait = n->next_round_ms - clock_.NowMs();
    if (wait > 0) clock_.SleepFor(std::chrono::milliseconds(wait));
  }
}

void Dispatcher::CompleteLoop(const std::atomic<bool>& stopping) {
  for (;;) {
    std::deque<std::shared_ptr<InFlight>> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(50), [this] { return !done_.empty(); });
      batch.swap(done_);
    }
    if (batch.empty()) {
      if (stopping) return;
      continue;
    }
    size_t count = batch.size();
    auto n = Complete(batch);
    while (!n.ok() && !stopping) {
      log::Warn("marking dispatched posts failed; retrying", {{"error", n.status().ToString()}});
      clock_.SleepFor(std::chrono::milliseconds(200));
      n = Complete(batch);
    }
    in_flight_ -= static_cast<int>(count);
  }
}

}  // namespace herald::scheduler
