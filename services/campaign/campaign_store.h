#pragma once
// Campaigns in Redis, every key of a workspace under one hash tag:
//   cmp:{<ws>}:c:<id>   HASH v → version, b → serialized Campaign (no post_ids)
//   cmp:{<ws>}:list     ZSET "<created ms, 13 digits>:<id>", all scores 0:
//                       the workspace's campaigns, listed newest first
// Every write is one script, so a campaign and its listing never disagree,
// and an update is a compare-and-set on the version.
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis.h"
#include "herald/campaign/v1/campaign.pb.h"

namespace herald::campaign {

class CampaignStore {
 public:
  explicit CampaignStore(RedisClient& redis) : redis_(redis) {}

  // Stores a new campaign (its version must be 1). If one with this id
  // exists (a retried create), returns that one instead.
  absl::StatusOr<herald::campaign::v1::Campaign> Create(const herald::campaign::v1::Campaign& campaign);
  // Undoes Create (only when nothing changed it since: version 1).
  absl::Status Delete(const std::string& workspace_id, const std::string& campaign_id);
  // NOT_FOUND when missing.
  absl::StatusOr<herald::campaign::v1::Campaign> Get(const std::string& workspace_id, const std::string& campaign_id);
  // Writes `campaign` (whose version must be expected_version + 1) if the
  // stored version is still expected_version; ABORTED otherwise.
  absl::Status Replace(const herald::campaign::v1::Campaign& campaign, int64_t expected_version);

  struct Page {
    std::vector<herald::campaign::v1::Campaign> campaigns;
    std::string next;  // "" at the end
  };
  // Newest first, `limit` after the cursor (a listing member; "" from the start).
  absl::StatusOr<Page> List(const std::string& workspace_id, size_t limit, const std::string& after);

 private:
  static std::string Key(const std::string& ws, const std::string& id) { return "cmp:{" + ws + "}:c:" + id; }
  static std::string ListKey(const std::string& ws) { return "cmp:{" + ws + "}:list"; }
  RedisClient& redis_;
};

}  // namespace herald::campaign
