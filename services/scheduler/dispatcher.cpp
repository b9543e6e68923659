#include "scheduler/dispatcher.h"

#include <condition_variable>
#include <mutex>

#include "common/events.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/time_util.h"
#include "herald/events/v1/events.pb.h"
#include "herald/topics.h"
#include "scheduler/post_rules.h"

namespace herald::scheduler {
namespace {

// Counts down outstanding deliveries of one pass.
class Latch {
 public:
  void Add() {
    std::lock_guard l(mu_);
    ++pending_;
  }
  void Done() {
    std::lock_guard l(mu_);
    if (--pending_ == 0) cv_.notify_all();
  }
  void Wait() {
    std::unique_lock l(mu_);
    cv_.wait(l, [this] { return pending_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int pending_ = 0;
};

}  // namespace

Dispatcher::Dispatcher(PostStore& store, KafkaProducer& producer, const Clock& clock, prometheus::Registry& registry,
                       DispatcherOptions options)
    : store_(store),
      producer_(producer),
      clock_(clock),
      options_(options),
      dispatched_(prometheus::BuildCounter()
                      .Name("herald_scheduler_posts_dispatched_total")
                      .Help("Due posts handed to Kafka and acknowledged.")
                      .Register(registry)
                      .Add({})),
      produce_failures_(prometheus::BuildCounter()
                            .Name("herald_scheduler_produce_failures_total")
                            .Help("posts.due messages Kafka did not confirm; the post is retried after its lease.")
                            .Register(registry)
                            .Add({})),
      leases_expired_(prometheus::BuildCounter()
                          .Name("herald_scheduler_leases_expired_total")
                          .Help("Claims whose lease ran out and were put back in the due index.")
                          .Register(registry)
                          .Add({})),
      lateness_(prometheus::BuildHistogram()
                    .Name("herald_scheduler_dispatch_lateness_seconds")
                    .Help("Kafka acknowledgement time minus the post's due time.")
                    .Register(registry)
                    .Add({}, LatencyBuckets())),
      due_backlog_(prometheus::BuildGauge()
                       .Name("herald_scheduler_due_posts")
                       .Help("Posts waiting in the due index (future and overdue).")
                       .Register(registry)
                       .Add({})),
      inflight_(prometheus::BuildGauge()
                    .Name("herald_scheduler_inflight_posts")
                    .Help("Claimed posts awaiting Kafka acknowledgement.")
                    .Register(registry)
                    .Add({})) {}

void Dispatcher::Loop(const std::atomic<bool>& stopping) {
  int64_t last_backlog_ms = 0;
  while (!stopping) {
    auto n = RunOnce();
    if (!n.ok()) {
      log::Warn("dispatch pass failed", {{"error", n.status().ToString()}});
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      continue;
    }
    if (clock_.NowMs() - last_backlog_ms > 5000) {
      last_backlog_ms = clock_.NowMs();
      if (auto b = store_.Backlog(); b.ok()) {
        due_backlog_.Set(static_cast<double>(b->first));
        inflight_.Set(static_cast<double>(b->second));
      }
    }
    if (*n > 0) continue;
    // Nothing was due: sleep until the earliest due post, but at most
    // max_idle_ms (posts created meanwhile, expired leases, clock skew).
    int64_t wait = options_.max_idle_ms;
    if (auto next = store_.NextDueMs(); next.ok() && next->has_value()) {
      wait = std::clamp<int64_t>(**next - clock_.NowMs(), 0, options_.max_idle_ms);
    }
    if (wait > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait));
  }
}

namespace {

bool Dispatchable(v1::PostState s) { return s == v1::POST_STATE_SCHEDULED || s == v1::POST_STATE_DISPATCHED; }

// True if a pause covers the post's workspace or any of its channels.
bool Held(const v1::Post& post, const std::map<std::string, std::string>& holds) {
  if (holds.empty()) return false;
  if (holds.count(post.workspace_id())) return true;
  for (const auto& t : post.targets()) {
    if (holds.count(post.workspace_id() + "/" + t.channel_id())) return true;
  }
  return false;
}

std::string TextFor(const v1::Post& post, const v1::Target& target) {
  std::string text = target.text_override().empty() ? post.text() : target.text_override();
  if (!post.link().empty() && text.find(post.link()) == std::string::npos) {
    text += (text.empty() ? "" : " ") + post.link();
  }
  return text;
}

}  // namespace

absl::StatusOr<int> Dispatcher::RunOnce() {
  auto holds = store_.Holds();
  if (!holds.ok()) return holds.status();
  int total = 0;
  for (int shard = 0; shard < store_.shards(); ++shard) {
    auto reaped = store_.ReapExpired(shard, clock_.NowMs());
    if (!reaped.ok()) return reaped.status();
    if (*reaped > 0) {
      leases_expired_.Increment(static_cast<double>(*reaped));
      log::Warn("leases expired; posts re-queued", {{"shard", shard}, {"count", *reaped}});
    }
    auto claimed = store_.Claim(shard, clock_.NowMs(), options_.lease_ms, options_.batch);
    if (!claimed.ok()) return claimed.status();
    if (claimed->empty()) continue;

    Latch latch;
    std::vector<std::atomic<bool>> failed(claimed->size());
    std::vector<bool> held(claimed->size(), false);
    for (size_t i = 0; i < claimed->size(); ++i) {
      const auto& c = (*claimed)[i];
      if (Held(c.post, *holds)) {
        held[i] = true;
        continue;
      }
      for (const auto& target : c.post.targets()) {
        if (!Dispatchable(target.state())) continue;
        herald::events::v1::PostDue due;
        due.set_post_id(c.post.id());
        due.set_channel_id(target.channel_id());
        due.set_occurrence_ms(ToMs(c.post.publish_at()));
        due.set_text(TextFor(c.post, target));
        due.set_fencing_token(c.fencing_token);
        due.set_attempt(target.attempts() + 1);
        due.set_campaign_id(c.post.campaign_id());
        due.mutable_media_urls()->CopyFrom(c.post.media_urls());
        due.set_variant(c.post.variant());
        *due.mutable_meta() = NewEventMeta(due, c.post.workspace_id(), clock_);
        latch.Add();
        producer_.Produce(topics::k_posts_due, target.channel_id(), due.SerializeAsString(), EventHeaders(due.meta()),
                          [&latch, &failed, i](const std::string& error) {
                            if (!error.empty()) failed[i] = true;
                            latch.Done();
                          });
      }
    }
    latch.Wait();

    // Mark every delivered post (or hold it) and end its claim: one round trip.
    int64_t now = clock_.NowMs();
    auto mutation = [now](bool hold) -> PostStore::Mutation {
      if (hold) {
        return [now](v1::Post& p, DueChange* change) {
          *change = DueChange::Hold(ToMs(p.publish_at()));
          return SetAllTargets(p, v1::POST_STATE_HELD, "", now);
        };
      }
      return [now](v1::Post& p, DueChange*) { return MarkDispatched(p, now); };
    };
    std::vector<PostStore::ClaimedChange> changes;
    std::vector<size_t> index;
    for (size_t i = 0; i < claimed->size(); ++i) {
      if (failed[i]) {
        produce_failures_.Increment();
        continue;  // not acknowledged: the lease expires and the reaper retries
      }
      PostStore::ClaimedChange change{&(*claimed)[i], (*claimed)[i].post, {}};
      if (!mutation(held[i])(change.updated, &change.change)) {
        // Nothing to mark (e.g. canceled after the claim): end the claim only.
        log::Warn("claimed post had nothing to dispatch", {{"post_id", change.claimed->post.id()}});
        if (auto acked = store_.Ack(change.claimed->post.id(), change.claimed->fencing_token); !acked.ok()) {
          return acked.status();
        }
        continue;
      }
      changes.push_back(std::move(change));
      index.push_back(i);
    }
    auto results = store_.UpdateClaimed(changes);
    if (!results.ok()) return results.status();
    for (size_t k = 0; k < changes.size(); ++k) {
      size_t i = index[k];
      const auto& c = (*claimed)[i];
      int r = (*results)[k];
      if (r == 0) {
        // Changed since the claim (a result or an edit landed): read-modify-write.
        auto updated = store_.Update(c.post.id(), mutation(held[i]), c.fencing_token);
        if (!updated.ok() && !absl::IsFailedPrecondition(updated.status())) return updated.status();
        r = updated.ok() ? 1 : -1;
      }
      if (r != 1) log::Warn("claim lost before it was acknowledged", {{"post_id", c.post.id()}, {"result", r}});
      if (r != 1 || held[i]) continue;  // -1: the lease was lost and another dispatcher carries on
      lateness_.Observe(std::max<int64_t>(0, now - ToMs(c.post.publish_at())) / 1000.0);
      dispatched_.Increment();
      ++total;
    }
  }
  return total;
}

}  // namespace herald::scheduler
