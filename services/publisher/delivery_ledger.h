#pragma once
// The delivery ledger: one record per (post, target channel, occurrence), so a
// delivery that was sent is never sent again, whatever Kafka redelivers.
//   pub:{<channel>}:dlv:<post>:<occurrence>  HASH state, attempts, remote_id, remote_url, updated_ms
// States: SENDING (a request may be out) → SENT | FAILED. A SENDING record
// younger than the in-progress window belongs to an attempt that may still be
// running (another replica, after a rebalance): nobody else starts one.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis.h"
#include "common/strong_types.h"

namespace herald::publisher {

struct DeliveryKey {
  PostId post;
  ChannelId channel;
  TimePoint occurrence;
  // A thread's part after the first (0: the post, or a thread's first part):
  // each part is delivered, and remembered, on its own.
  int part = 0;

  std::string RedisKey() const;
  // Stable across retries and replicas: the network's idempotency key.
  std::string IdempotencyKey() const;
};

// A SENT record waiting to be written with others in one round trip.
struct SentRecord {
  DeliveryKey key;
  std::string remote_id;
  std::string remote_url;
  TimePoint at;
};

struct LedgerEntry {
  enum class State { kNew, kSending, kSent, kFailed, kBusy };
  State state = State::kNew;
  int attempts = 0;
  // kBusy: when the running attempt counts as abandoned.
  TimePoint busy_until;
  // kSending: when the attempt whose outcome is unknown began.
  TimePoint attempt_started;
  // kNew / kSending: the record's updated_ms before Begin (for Release).
  TimePoint updated;
  // Our claim (the updated_ms Begin or Renew wrote): Release and Renew act
  // only while the record still carries it, so a replica that took over an
  // abandoned claim is never undone.
  TimePoint claim;
  std::string remote_id;
  std::string remote_url;
};

class DeliveryLedger {
 public:
  explicit DeliveryLedger(RedisClient& redis) : redis_(redis) {}

  absl::StatusOr<LedgerEntry> Get(const DeliveryKey& key);
  // The first step of every delivery, one round trip: marks SENDING unless
  // already SENT/FAILED or another attempt began less than `in_progress` ago
  // (kBusy). Returns the entry as it was before (kSending: an earlier
  // attempt's outcome is unknown; attempt_started says since when). Counts
  // an attempt only when the entry was new: after an unknown outcome the
  // attempt is counted once it really sends (CountAttempt).
  absl::StatusOr<LedgerEntry> Begin(const DeliveryKey& key, TimePoint now, Millis in_progress);
  // Undoes a Begin that sent nothing (the quota said wait): `before` is what
  // Begin returned (its claim renewed since). A no-op once the claim is not ours.
  absl::Status Release(const DeliveryKey& key, const LedgerEntry& before);
  // Moves our claim to now before a network call, so the in-progress window
  // counts from the call, not from Begin; false when the claim is not ours
  // any more (another replica took it over): send nothing.
  absl::StatusOr<bool> Renew(const DeliveryKey& key, LedgerEntry& entry, TimePoint now);
  // Counts an attempt begun without counting (a read-back came first).
  absl::Status CountAttempt(const DeliveryKey& key);
  absl::Status MarkSent(const DeliveryKey& key, const std::string& remote_id, const std::string& remote_url,
                        TimePoint now);
  // Many MarkSent in one round trip.
  absl::Status MarkSentMany(const std::vector<SentRecord>& records);
  absl::Status MarkFailed(const DeliveryKey& key, TimePoint now);
  // Back to "not sent" (a retry is scheduled and nothing went out).
  absl::Status MarkNotSent(const DeliveryKey& key, TimePoint now);

 private:
  RedisClient& redis_;
};

}  // namespace herald::publisher
