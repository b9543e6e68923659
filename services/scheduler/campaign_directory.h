#pragma once
#include <grpcpp/grpcpp.h>
// What the scheduler asks of the campaign service: may this campaign take a
// post (it exists in the workspace and is neither completed nor archived),
// and on which channels.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace herald::scheduler {

struct CampaignInfo {
  std::string id;
  // herald.campaign.v1.CampaignStatus name, e.g. "CAMPAIGN_STATUS_ACTIVE".
  std::string status;
  bool takes_posts = false;
  // Empty: any channel of the workspace.
  std::vector<std::string> channel_ids;
};

class CampaignDirectory {
 public:
  virtual ~CampaignDirectory() = default;
  // nullopt if the workspace has no such campaign; an error if the campaign
  // service cannot be asked.
  virtual absl::StatusOr<std::optional<CampaignInfo>> Lookup(const std::string& workspace_id,
                                                            const std::string& campaign_id) = 0;
  // The campaign's tracked short link for `link` on each channel
  // (channel_id → short URL); the same ones when asked again.
  virtual absl::StatusOr<std::map<std::string, std::string>> PostLinks(const std::string& workspace_id,
                                                                      const std::string& campaign_id,
                                                                      const std::string& post_id,
                                                                      const std::string& variant,
                                                                      const std::string& link,
                                                                      const std::vector<std::string>& channel_ids) = 0;
};

// Asks the campaign service's gRPC API with a deadline.
std::unique_ptr<CampaignDirectory> MakeCampaignServiceDirectory(std::shared_ptr<grpc::Channel> campaign);

}  // namespace herald::scheduler
