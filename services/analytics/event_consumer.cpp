#include "analytics/event_consumer.h"

#include <future>
#include <set>

#include "analytics/metrics/read_schedule.h"
#include "common/log.h"

namespace herald::analytics {
namespace {

struct PolledFact {
  Fact fact;
  const KafkaMessage* message = nullptr;
};

int64_t NowMs(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch()).count();
}

}  // namespace

EventConsumer::EventConsumer(RollupStore& store, ConsumerOptions options, DeadLetters& dead_letters,
                             const Clock& clock, prometheus::Registry& registry, size_t max_poll,
                             std::vector<int64_t> read_ages_ms)
    : store_(store),
      options_(std::move(options)),
      dead_letters_(dead_letters),
      clock_(clock),
      max_poll_(max_poll),
      read_ages_ms_(std::move(read_ages_ms)),
      probe_(registry, options_.topics) {
  options_.on_assign = [this](std::vector<TopicPartition>& parts) { Assign(parts); };
  options_.on_revoke = [this](const std::vector<TopicPartition>& parts) {
    for (const auto& tp : parts) owned_.erase({tp.topic, tp.partition});
  };
}

void EventConsumer::Assign(std::vector<TopicPartition>& parts) {
  for (auto& tp : parts) {
    PartitionPosition position;
    // The stored position also names the partition's epoch, without which
    // every slice after a re-base would be refused as stale: it is waited
    // for (nothing could be applied without Redis anyway).
    auto stored = store_.Position(tp.topic, tp.partition);
    while (!stored.ok() && !(stopping_ && *stopping_)) {
      log::Error("cannot read stored position; retrying", {{"topic", tp.topic}, {"error", stored.status().ToString()}});
      probe_.ApplyFailed();
      clock_.SleepFor(std::chrono::seconds(1));
      stored = store_.Position(tp.topic, tp.partition);
    }
    if (!stored.ok()) {
      // Stopping: start from Kafka's committed offset; nothing is applied.
      log::Error("cannot read stored position", {{"topic", tp.topic}, {"error", stored.status().ToString()}});
    } else if (stored->has_value()) {
      position = **stored;
      auto marks = consumer_->QueryWatermarks(tp.topic, tp.partition, std::chrono::seconds(5));
      if (marks.ok() && position.next > marks->high) {
        log::Warn("stored position is past the log's end (topic recreated?); re-basing to the log's start",
                  {{"topic", tp.topic}, {"partition", tp.partition}, {"stored", position.next},
                   {"log_end", marks->high}, {"log_start", marks->low}});
        auto rebased = store_.Rebase(tp.topic, tp.partition, marks->low);
        if (rebased.ok()) {
          position = *rebased;
          probe_.Rebased(tp.topic);
        } else {
          log::Error("re-base failed", {{"topic", tp.topic}, {"error", rebased.status().ToString()}});
        }
      }
      tp.offset = position.next;
    }
    owned_[{tp.topic, tp.partition}] = position;
  }
}

void EventConsumer::ReportLag() {
  std::map<std::string, int64_t> lag;
  for (const auto& t : options_.topics) lag[t] = 0;
  for (const auto& [part, position] : owned_) {
    auto high = consumer_->CachedHighWatermark(part.first, part.second);
    if (high && *high > position.next) lag[part.first] += *high - position.next;
  }
  for (const auto& [topic, n] : lag) probe_.Lag(topic, n);
}

// One poll: its records (which the facts point into), facts, slices, and
// how far it goes in each partition.
struct EventConsumer::Batch {
  std::vector<KafkaMessage> messages;
  std::vector<PolledFact> facts;
  std::vector<Slice> slices;
  std::set<std::string> readable_workspaces;
  std::map<Partition, std::pair<int64_t, int64_t>> polled;  // first, next offset
  std::map<Partition, int64_t> epochs;                       // each polled partition's, when read
  std::vector<SliceResult> results;
};

std::unique_ptr<EventConsumer::Batch> EventConsumer::Build(std::vector<KafkaMessage> messages) {
  auto batch = std::make_unique<Batch>();
  batch->messages = std::move(messages);
  batch->facts.reserve(batch->messages.size());
  for (const auto& m : batch->messages) {
    // A partition revoked while this poll ran is someone else's now: its
    // records are left to the new owner.
    if (!owned_.contains({m.topic, m.partition})) continue;
    auto [it, fresh] = batch->polled.try_emplace({m.topic, m.partition}, m.offset, m.offset + 1);
    if (!fresh) it->second.second = m.offset + 1;
    auto event = ScreenEvent(m);
    if (!event.ok()) {
      dead_letters_.Send(m, event.status());
      continue;
    }
    auto fact = FactFor(m.topic, **event);
    if (!fact.ok()) {
      dead_letters_.Send(m, absl::InvalidArgumentError("uncountable: " + std::string(fact.status().message())));
      continue;
    }
    if (!fact->has_value()) continue;
    Fact& f = **fact;
    if (f.post && f.post->readable && !read_ages_ms_.empty()) {
      // Its first read; a post published long ago (a replay) gets the next age still ahead, or none.
      f.post->first_read_ms = NextRead(f.post->published_ms, read_ages_ms_, NowMs(clock_)).value_or(0);
    }
    batch->facts.push_back({std::move(f), &m});
  }

  // One slice per workspace; a slice's segments are the partitions it has
  // facts of (a handful: found by a scan).
  std::map<std::string_view, Slice> by_workspace;
  for (const auto& pf : batch->facts) {
    const KafkaMessage& m = *pf.message;
    Slice& s = by_workspace[pf.fact.workspace_id];
    if (s.workspace_id.empty()) s.workspace_id = pf.fact.workspace_id;
    uint32_t segment = 0;
    while (segment < s.segments.size() &&
           (s.segments[segment].partition != m.partition || s.segments[segment].topic != m.topic)) {
      ++segment;
    }
    if (segment == s.segments.size()) {
      Partition part{m.topic, m.partition};
      const auto& range = batch->polled[part];
      s.segments.push_back({m.topic, m.partition, owned_[part].epoch, range.first, range.second});
    }
    s.Add(&pf.fact, segment, m.offset);
  }
  for (auto& [ws, s] : by_workspace) {
    // Any slice may queue reads (a post's metrics, a new channel's followers).
    if (!read_ages_ms_.empty()) batch->readable_workspaces.insert(s.workspace_id);
    batch->slices.push_back(std::move(s));
  }
  for (const auto& [part, range] : batch->polled) batch->epochs[part] = owned_[part].epoch;
  return batch;
}

bool EventConsumer::Apply(Batch& batch, const std::atomic<bool>& stopping) {
  // The metrics reader finds workspaces in a list written before the
  // facts, so none is missed if this process dies in between.
  auto apply = [&]() -> absl::StatusOr<std::vector<SliceResult>> {
    if (auto listed = store_.ListForMetricReads(batch.readable_workspaces); !listed.ok()) return listed;
    return store_.Apply(batch.slices, NowMs(clock_));
  };
  auto results = apply();
  while (!results.ok() && !stopping) {
    probe_.ApplyFailed();
    log::Warn("rollup apply failed; retrying", {{"error", results.status().ToString()}});
    clock_.SleepFor(std::chrono::seconds(1));
    results = apply();
  }
  if (!results.ok()) return false;
  batch.results = *std::move(results);
  // Only now, with every slice in, may a restart begin after this poll.
  std::vector<Partition> parts;
  std::vector<PartitionPosition> positions;
  for (const auto& [part, range] : batch.polled) {
    parts.push_back(part);
    positions.push_back({batch.epochs.at(part), range.second});
  }
  while (true) {
    auto advanced = store_.Advance(parts, positions);
    if (advanced.ok()) return true;
    if (stopping) return false;
    probe_.ApplyFailed();
    log::Warn("advancing partition positions failed; retrying", {{"error", advanced.ToString()}});
    clock_.SleepFor(std::chrono::seconds(1));
  }
}

void EventConsumer::Finish(Batch& batch, KafkaConsumer& consumer) {
  for (size_t k = 0; k < batch.slices.size(); ++k) {
    const SliceResult& r = batch.results[k];
    for (int n = 0; n < r.stale_segments; ++n) probe_.Stale();
    if (r.stale_segments > 0) {
      log::Warn("facts refused: a partition was re-based since", {{"workspace", batch.slices[k].workspace_id}});
    }
    for (const Fact* f : r.applied) probe_.Observed(f->observation);
  }
  for (const auto& [part, range] : batch.polled) {
    probe_.Applied(part.first, range.second - range.first);
    // A partition given away meanwhile keeps no position here.
    auto owned = owned_.find(part);
    if (owned == owned_.end()) continue;
    owned->second.next = std::max(owned->second.next, range.second);
    KafkaMessage m;
    m.topic = part.first;
    m.partition = part.second;
    m.offset = range.second - 1;
    uncommitted_[part] = std::move(m);
  }
  // Kafka's committed offsets are informational (lag dashboards); the
  // truth is in Redis. A synchronous commit per poll would cost a broker
  // round trip each time, so they go once a second.
  if (clock_.Monotonic() - last_commit_ >= std::chrono::seconds(1)) {
    std::vector<KafkaMessage> last;
    for (auto& [part, m] : uncommitted_) last.push_back(std::move(m));
    uncommitted_.clear();
    (void)consumer.Commit(last);
    last_commit_ = clock_.Monotonic();
  }
  ReportLag();
}

void EventConsumer::Loop(const std::atomic<bool>& stopping) {
  stopping_ = &stopping;
  KafkaConsumer consumer(options_);
  consumer_ = &consumer;
  last_commit_ = clock_.Monotonic();
  // At most one batch is written while the next is read: batches of a
  // partition go in in order, and each workspace's position fences any
  // record read twice across a rebalance.
  std::unique_ptr<Batch> writing;
  std::future<bool> written;
  auto settle = [&]() -> bool {
    if (!writing) return true;
    bool ok = written.get();
    if (ok) Finish(*writing, consumer);
    writing.reset();
    return ok;
  };
  while (!stopping) {
    auto messages = consumer.PollBatch(max_poll_, std::chrono::milliseconds(200));
    if (messages.empty()) {
      if (!settle()) break;
      ReportLag();
      continue;
    }
    auto batch = Build(std::move(messages));
    if (!settle()) break;
    writing = std::move(batch);
    written = std::async(std::launch::async, [this, &stopping, b = writing.get()] { return Apply(*b, stopping); });
  }
  settle();
  consumer_ = nullptr;
}

}  // namespace herald::analytics
