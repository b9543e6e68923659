#pragma once
// Conversions and spend in Redis; every change is written with its event in
// the workspace's outbox by one script (see campaign/outbox.h).
//   cv:{<ws>}:c:<conversion id>    serialized ConversionRecorded, kept 400
//                                  days: the record is the idempotency key
//   cv:{<ws>}:u:<customer hash>    ZSET click id → click ms: the clicks the
//                                  customer's conversions named (latest 50)
//   sp:{<ws>}:<campaign>:d:<day>   HASH <channel> → micros, <channel>|r →
//                                  revision, "=" → the day's total
//   sp:{<ws>}:<campaign>           HASH t → total spend, a|<day>|<reason> →
//                                  when that alert was raised
// A conversion naming a customer also updates the customer's CRM profile
// (audiences/profile_store.h) in the script that records it.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis.h"
#include "herald/events/v1/events.pb.h"

namespace herald::campaign {

class ConversionStore {
 public:
  explicit ConversionStore(RedisClient& redis) : redis_(redis) {}

  // The stored record of each id (nullopt where there is none), in order.
  absl::StatusOr<std::vector<std::optional<herald::events::v1::ConversionRecorded>>> Find(
      const std::string& workspace_id, const std::vector<std::string>& conversion_ids);
  // The click ids tied to each customer hash, in order.
  absl::StatusOr<std::vector<std::vector<std::string>>> CustomerClicks(const std::string& workspace_id,
                                                                       const std::vector<std::string>& customer_hashes);

  struct Recorded {
    herald::events::v1::ConversionRecorded record;
    bool duplicate = false;  // another request stored this id first: record is that one
  };
  // What to store: the record and its outbox entry, and the click its
  // customer (record.customer_hash) is tied to ("" for none).
  struct Write {
    herald::events::v1::ConversionRecorded record;
    std::string outbox_member;
    std::string tie_click_id;
    int64_t tie_click_ms = 0;
    // The campaigns of the clicks it could be credited to: its customer's
    // CRM profile engaged with them.
    std::vector<std::string> clicked_campaigns;
  };
  // Stores each record (with its entry and tie) unless its id exists — then
  // answers the stored one — in one round trip, in order.
  absl::StatusOr<std::vector<Recorded>> Record(const std::string& workspace_id, const std::vector<Write>& writes,
                                               int64_t now_ms);

  struct ChannelDay {
    int64_t amount_micros = 0;
    int64_t revision = 0;
  };
  absl::StatusOr<ChannelDay> ReadSpend(const std::string& workspace_id, const std::string& campaign_id,
                                       const std::string& day, const std::string& channel_id);
  struct Totals {
    int64_t day_micros = 0;
    int64_t total_micros = 0;
  };
  // Sets the channel's figure for the day if its revision is still
  // `expected_revision` (nullopt when it moved: read again), adding `delta` to
  // the day's and the campaign's totals and the event to the outbox.
  absl::StatusOr<std::optional<Totals>> WriteSpend(const std::string& workspace_id, const std::string& campaign_id,
                                                   const std::string& day, const std::string& channel_id,
                                                   int64_t expected_revision, int64_t amount_micros,
                                                   int64_t delta_micros, const std::string& outbox_member,
                                                   int64_t now_ms);
  // True (and the event in the outbox) the first time this alert is raised.
  absl::StatusOr<bool> RaiseAlert(const std::string& workspace_id, const std::string& campaign_id,
                                  const std::string& day, const std::string& reason, const std::string& outbox_member,
                                  int64_t now_ms);

  struct DayView {
    std::map<std::string, int64_t> channels;
    Totals totals;
  };
  absl::StatusOr<DayView> ReadDay(const std::string& workspace_id, const std::string& campaign_id,
                                  const std::string& day);

 private:
  RedisClient& redis_;
};

}  // namespace herald::campaign
