#pragma once
// Events the campaign service owes Kafka, written by the same Redis script
// that writes the state they announce — so a conversion or a spend change is
// never stored without its event, nor announced without being stored.
//   ob:{<ws>}        ZSET of encoded entries ("<topic>\n<key>\n<value>"),
//                    scored by when they were written
//   ob:workspaces    SET of workspaces that have had entries (the sweep's list)
// Once the script ran, the event is as durable as the state: the request
// answers at once. Deliver hands the entries to the producer; a remover
// thread deletes each one Kafka acknowledged (pipelined, per workspace).
// Whatever a crash or a broker outage left behind, the sweep produces once
// it is older than the grace period. An entry can so reach Kafka twice; each
// carries the event id consumers deduplicate by.
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "absl/status/statusor.h"
#include "common/background_thread.h"
#include "common/clock.h"
#include "common/kafka.h"
#include "common/redis.h"

namespace herald::campaign {

struct OutboxEntry {
  std::string topic, key, value;
};
std::string EncodeOutboxEntry(const OutboxEntry& entry);
std::optional<OutboxEntry> DecodeOutboxEntry(std::string_view member);
// The ZSET a workspace's entries are added to (same slot as its "{ws}" keys).
std::string OutboxKey(const std::string& workspace_id);

struct OutboxOptions {
  // An entry this old was left behind (a crash, or Kafka unreachable).
  std::chrono::milliseconds grace{30000};
  std::chrono::milliseconds sweep_interval{5000};
  std::chrono::milliseconds produce_timeout{10000};
  size_t sweep_batch = 500;
};

class Outbox {
 public:
  Outbox(RedisClient& redis, KafkaProducer& producer, const Clock& clock, OutboxOptions options,
         prometheus::Registry& metrics);
  ~Outbox() { Stop(); }

  // Lists the workspace for the sweep (once per process per workspace).
  absl::Status NoteWorkspace(const std::string& workspace_id);
  // Hands entries just written to the producer; each is removed once Kafka
  // acknowledges it. Does not wait.
  void Deliver(const std::string& workspace_id, const std::vector<std::string>& members);
  // Produces every entry older than the grace period and waits for Kafka;
  // how many were delivered.
  absl::StatusOr<size_t> Sweep();
  // Waits until every entry handed over is acknowledged and removed (or the timeout).
  bool Drain(std::chrono::milliseconds timeout);

  // The remover and the sweep. Stop flushes the producer and removes what it acknowledged.
  void Start();
  void Stop();

 private:
  void Acked(const std::string& workspace_id, const std::string& member);
  size_t RemoveAcked();

  RedisClient& redis_;
  KafkaProducer& producer_;
  const Clock& clock_;
  OutboxOptions options_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::unordered_set<std::string> noted_;
  std::map<std::string, std::vector<std::string>> acked_;  // workspace → members to remove
  size_t in_flight_ = 0;                                   // handed over, not yet removed
  BackgroundThread remover_, sweeper_;
  bool started_ = false;
  // herald_campaign_outbox_events_total{path="request"|"sweep"|"failed"}
  prometheus::Counter& delivered_;
  prometheus::Counter& swept_;
  prometheus::Counter& failed_;
};

}  // namespace herald::campaign
