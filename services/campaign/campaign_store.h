#pragma once
// Campaigns in Redis, tagged by workspace:
//   cmp:{<ws>}:c:<id>        serialized Campaign (without post_ids)
//   cmp:{<ws>}:c:<id>:posts  SET of attached post ids
#include <string>

#include "absl/status/statusor.h"
#include "common/redis.h"
#include "herald/campaign/v1/campaign.pb.h"

namespace herald::campaign {

class CampaignStore {
 public:
  explicit CampaignStore(RedisClient& redis) : redis_(redis) {}

  absl::Status Create(const herald::campaign::v1::Campaign& campaign);
  absl::Status Delete(const std::string& workspace_id, const std::string& campaign_id);
  // NOT_FOUND when missing; post_ids filled in.
  absl::StatusOr<herald::campaign::v1::Campaign> Get(const std::string& workspace_id, const std::string& campaign_id);
  // True when the post was not attached before (NOT_FOUND if the campaign is missing).
  absl::StatusOr<bool> Attach(const std::string& workspace_id, const std::string& campaign_id,
                              const std::string& post_id);
  absl::Status Detach(const std::string& workspace_id, const std::string& campaign_id, const std::string& post_id);

 private:
  static std::string Key(const std::string& ws, const std::string& id) { return "cmp:{" + ws + "}:c:" + id; }
  RedisClient& redis_;
};

}  // namespace herald::campaign
