#include "campaign/outbox.h"

#include "common/log.h"

namespace herald::campaign {
namespace {

constexpr char kWorkspaces[] = "ob:workspaces";
constexpr size_t kRemoveBatch = 500;

prometheus::Family<prometheus::Counter>& Events(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("herald_campaign_outbox_events_total")
      .Help("Outbox events by how they reached Kafka: handed over by the request that stored them, by the sweep "
            "after a crash or outage, or failed (left for the sweep).")
      .Register(registry);
}

// Waits for the delivery reports of one sweep batch.
struct Acks {
  std::mutex mu;
  std::condition_variable cv;
  size_t pending = 0;
  std::vector<std::string> delivered;
  std::string error;
};

}  // namespace

std::string EncodeOutboxEntry(const OutboxEntry& e) { return e.topic + "\n" + e.key + "\n" + e.value; }

std::optional<OutboxEntry> DecodeOutboxEntry(std::string_view member) {
  size_t a = member.find('\n');
  if (a == std::string_view::npos) return std::nullopt;
  size_t b = member.find('\n', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  return OutboxEntry{std::string(member.substr(0, a)), std::string(member.substr(a + 1, b - a - 1)),
                     std::string(member.substr(b + 1))};
}

std::string OutboxKey(const std::string& workspace_id) { return "ob:{" + workspace_id + "}"; }

Outbox::Outbox(RedisClient& redis, KafkaProducer& producer, const Clock& clock, OutboxOptions options,
               prometheus::Registry& metrics)
    : redis_(redis),
      producer_(producer),
      clock_(clock),
      options_(options),
      delivered_(Events(metrics).Add({{"path", "request"}})),
      swept_(Events(metrics).Add({{"path", "sweep"}})),
      failed_(Events(metrics).Add({{"path", "failed"}})) {}

absl::Status Outbox::NoteWorkspace(const std::string& workspace_id) {
  {
    std::lock_guard lock(mu_);
    if (noted_.count(workspace_id)) return absl::OkStatus();
  }
  auto r = redis_.Command({"SADD", kWorkspaces, workspace_id});
  if (!r.ok()) return r.status();
  std::lock_guard lock(mu_);
  noted_.insert(workspace_id);
  return absl::OkStatus();
}

void Outbox::Deliver(const std::string& workspace_id, const std::vector<std::string>& members) {
  for (const auto& member : members) {
    auto entry = DecodeOutboxEntry(member);
    if (!entry) continue;  // cannot happen for entries this process encoded; the sweep drops it
    {
      std::lock_guard lock(mu_);
      ++in_flight_;
    }
    producer_.Produce(entry->topic, entry->key, entry->value, {}, [this, workspace_id, member](const std::string& error) {
      if (error.empty()) {
        Acked(workspace_id, member);
        return;
      }
      failed_.Increment();  // stays in the outbox: the sweep produces it after the grace period
      std::lock_guard lock(mu_);
      --in_flight_;
      changed_.notify_all();
    });
  }
}

void Outbox::Acked(const std::string& workspace_id, const std::string& member) {
  std::lock_guard lock(mu_);
  acked_[workspace_id].push_back(member);
  changed_.notify_all();
}

size_t Outbox::RemoveAcked() {
  std::map<std::string, std::vector<std::string>> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(acked_);
  }
  size_t removed = 0;
  for (const auto& [ws, members] : batch) {
    for (size_t start = 0; start < members.size(); start += kRemoveBatch) {
      RedisClient::Args zrem{"ZREM", OutboxKey(ws)};
      size_t end = std::min(members.size(), start + kRemoveBatch);
      zrem.insert(zrem.end(), members.begin() + static_cast<std::ptrdiff_t>(start),
                  members.begin() + static_cast<std::ptrdiff_t>(end));
      // A failed removal leaves the entry to the sweep: produced again, deduplicated downstream.
      if (auto r = redis_.Command(zrem); !r.ok()) log::Warn("outbox removal failed", {{"error", r.status().ToString()}});
      removed += end - start;
    }
  }
  if (removed > 0) {
    delivered_.Increment(static_cast<double>(removed));
    std::lock_guard lock(mu_);
    in_flight_ -= std::min(in_flight_, removed);
    changed_.notify_all();
  }
  return removed;
}

bool Outbox::Drain(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!started_) RemoveAcked();  // no remover thread: do its work here
    std::unique_lock lock(mu_);
    if (in_flight_ == 0) return true;
    changed_.wait_for(lock, std::chrono::milliseconds(20));
  }
  std::lock_guard lock(mu_);
  return in_flight_ == 0;
}

absl::StatusOr<size_t> Outbox::Sweep() {
  auto ws = redis_.Command({"SMEMBERS", kWorkspaces});
  if (!ws.ok()) return ws.status();
  const std::string before = std::to_string(clock_.NowMs() - options_.grace.count());
  size_t total = 0;
  for (const auto& w : ws->elements) {
    auto due = redis_.Command({"ZRANGEBYSCORE", OutboxKey(w.str), "-inf", before, "LIMIT", "0",
                               std::to_string(options_.sweep_batch)});
    if (!due.ok()) return due.status();
    auto acks = std::make_shared<Acks>();
    for (const auto& m : due->elements) {
      auto entry = DecodeOutboxEntry(m.str);
      if (!entry) {
        log::Error("outbox entry does not decode; dropped", {{"workspace", w.str}});
        (void)redis_.Command({"ZREM", OutboxKey(w.str), m.str});
        continue;
      }
      {
        std::lock_guard lock(acks->mu);
        ++acks->pending;
      }
      producer_.Produce(entry->topic, entry->key, entry->value, {}, [acks, member = m.str](const std::string& error) {
        std::lock_guard lock(acks->mu);
        if (error.empty()) {
          acks->delivered.push_back(member);
        } else {
          acks->error = error;
        }
        if (--acks->pending == 0) acks->cv.notify_all();
      });
    }
    std::vector<std::string> delivered;
    std::string error;
    {
      std::unique_lock lock(acks->mu);
      acks->cv.wait_for(lock, options_.produce_timeout, [&] { return acks->pending == 0; });
      delivered = acks->delivered;
      error = acks->pending > 0 ? "no delivery report within the timeout" : acks->error;
    }
    if (!delivered.empty()) {
      RedisClient::Args zrem{"ZREM", OutboxKey(w.str)};
      zrem.insert(zrem.end(), delivered.begin(), delivered.end());
      auto r = redis_.Command(zrem);
      if (!r.ok()) return r.status();
    }
    swept_.Increment(static_cast<double>(delivered.size()));
    total += delivered.size();
    if (!error.empty()) return absl::UnavailableError("outbox sweep: " + error);
  }
  return total;
}

void Outbox::Start() {
  started_ = true;
  remover_.Start([this](const std::atomic<bool>& stopping) {
    while (!stopping) {
      {
        std::unique_lock lock(mu_);
        changed_.wait_for(lock, std::chrono::milliseconds(50), [&] { return !acked_.empty(); });
      }
      RemoveAcked();
    }
  });
  sweeper_.Start([this](const std::atomic<bool>& stopping) {
    while (!stopping) {
      auto swept = Sweep();
      if (!swept.ok()) {
        log::Warn("outbox sweep failed", {{"error", swept.status().ToString()}});
      } else if (*swept > 0) {
        log::Info("outbox sweep produced events left behind", {{"events", static_cast<int64_t>(*swept)}});
      }
      for (auto waited = std::chrono::milliseconds(0); !stopping && waited < options_.sweep_interval;
           waited += std::chrono::milliseconds(100)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  });
}

void Outbox::Stop() {
  sweeper_.Stop();
  // What was handed over reaches Kafka and leaves the outbox before the
  // process does (a SIGTERM loses nothing and leaves nothing to re-produce).
  producer_.Flush(options_.produce_timeout);
  remover_.Stop();
  started_ = false;
  RemoveAcked();
}

}  // namespace herald::campaign
