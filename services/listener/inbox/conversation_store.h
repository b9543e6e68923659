#pragma once
// Conversations in Redis, every key tagged by workspace so one script
// changes them together:
//   lst:{ws}:conv:<id>    HASH v (version), r (ConversationRecord)
//   lst:{ws}:msgs:<id>    LIST of ConversationMessage, oldest first (latest 1,000)
//   lst:{ws}:convs        ZSET conversation id → last activity (ms)
//   lst:{ws}:due          ZSET conversation id → when it next needs a look (snooze, SLA)
//   lst:{ws}:load         HASH agent id → open conversations assigned
//   lst:{ws}:rr           the agent round-robin chose last
//   lst:{ws}:feed         STREAM of InboxChange (the live feed; ~100,000 kept)
//   lst:{ws}:once:<key>   a retried request's first answer (a day)
//   lst:{ws}:sla:<target>:<day>  LIST "ms:met" of the clocks stopped that UTC
//                         day (the latest 10,000; 90 days): the SLA report
// plus the mention keys of inbox_store.h, written in the same step when a
// customer message arrives. A write names the version it read; a write that
// lost a race is refused whole (kConflict) and the caller reads again.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis.h"
#include "herald/listener/v1/inbox.pb.h"
#include "herald/listener/v1/inbox_records.pb.h"
#include "herald/listener/v1/listener.pb.h"
#include "listener/inbox/conversation_record.h"

namespace herald::listener {

constexpr int kMaxMessagesKept = 1000;
constexpr int kFeedKept = 100000;

struct ConversationWrite {
  v1::ConversationRecord record;  // the new state; its version is set by Commit
  int64_t read_version = 0;       // what the change was computed from (0: new)
  std::optional<v1::ConversationMessage> message;  // appended to the log
  v1::InboxChange change;  // fed to watchers, conversation filled in (none when its kind is unset)
  int64_t timer_ms = 0;                             // when it next needs a look; 0: never
  // Open-conversation counts: one off an agent, one onto another (who must
  // have room for it when `plus_capacity` > 0).
  std::string load_minus, load_plus;
  int plus_capacity = 0;
  std::string round_robin_last;  // saved when set
  // A customer message: the mention is marked done and put in the inbox too.
  std::optional<v1::InboxItem> item;
  // A retried request: a repeat returns what the first stored.
  std::string once_key;
  std::string once_value;
  // SLA clocks this change stopped, counted for the report on `day_utc`
  // ("20261201"), at most one per target.
  std::vector<SlaSample> samples;
  std::string day_utc;
};

class ConversationStore {
 public:
  explicit ConversationStore(RedisClient& redis) : redis_(redis) {}

  struct Loaded {
    v1::ConversationRecord record;  // empty when there is none
    int64_t version = 0;
  };
  absl::StatusOr<Loaded> Load(const std::string& workspace_id, const std::string& conversation_id);

  enum class Outcome { kDone, kConflict, kDuplicate, kAgentFull };
  struct Committed {
    Outcome outcome = Outcome::kDone;
    std::string token;       // the feed entry's (kDone)
    std::string once_value;  // what the first request stored (kDuplicate)
  };
  absl::StatusOr<Committed> Commit(const std::string& workspace_id, const ConversationWrite& write);

  // The latest `limit` messages, oldest first.
  absl::StatusOr<std::vector<v1::ConversationMessage>> Messages(const std::string& workspace_id,
                                                               const std::string& conversation_id, int limit);
  // Newest activity first, from `offset`; `scanned` says how far it read.
  struct Page {
    std::vector<v1::ConversationRecord> records;
    int64_t next_offset = -1;  // -1: the end
  };
  absl::StatusOr<Page> List(const std::string& workspace_id, int64_t offset, int want,
                            const std::function<bool(const v1::Conversation&)>& keep);
  // Conversations whose timer has come, at most `limit`.
  absl::StatusOr<std::vector<std::string>> Due(const std::string& workspace_id, int64_t now_ms, int limit);
  // A look that failed is tried again at `at_ms` (not at once, forever).
  absl::Status Postpone(const std::string& workspace_id, const std::string& conversation_id, int64_t at_ms);
  // A conversation that is gone (expired) needs no look.
  absl::Status ClearTimer(const std::string& workspace_id, const std::string& conversation_id);
  // Workspaces that have timers (where Due is worth asking).
  absl::Status NoteTimers(const std::string& workspace_id);
  absl::StatusOr<std::vector<std::string>> WorkspacesWithTimers();
  // The round-robin position and every agent's open count.
  absl::StatusOr<std::pair<std::string, std::map<std::string, int>>> Loads(const std::string& workspace_id);
  // The SLA clocks of `target` stopped on `day_utc`: (counted ms, met).
  absl::StatusOr<std::vector<std::pair<int64_t, bool>>> SlaSamples(const std::string& workspace_id,
                                                                  const std::string& target,
                                                                  const std::string& day_utc);
  // A retried request's first answer, if any.
  absl::StatusOr<std::optional<std::string>> Once(const std::string& workspace_id, const std::string& key);

 private:
  RedisClient& redis_;
  std::mutex mu_;
  std::set<std::string> noted_;  // workspaces already in the timer set (bounded by workspaces)
};

}  // namespace herald::listener
