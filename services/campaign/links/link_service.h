#pragma once
// gRPC API of tracked links (herald.campaign.v1.LinkService): a link is made
// for a campaign that still takes posts, with its UTM parameters, under a
// fresh short code; asking again for the same link returns it.
#include <string>

#include "campaign/campaign_store.h"
#include "campaign/links/link_maker.h"
#include "campaign/links/link_store.h"
#include "common/executor.h"
#include "common/unary.h"
#include "herald/campaign/v1/links.grpc.pb.h"

namespace herald::campaign {

class LinkService final : public v1::LinkService::CallbackService {
 public:
  LinkService(CampaignStore& campaigns, LinkStore& links, LinkMaker& maker, Executor& executor)
      : campaigns_(campaigns), links_(links), maker_(maker), executor_(executor) {}

  HERALD_UNARY_RPC(CreateLink, CreateLinkRequest, TrackedLink)
  HERALD_UNARY_RPC(CreatePostLinks, CreatePostLinksRequest, CreatePostLinksResponse)
  HERALD_UNARY_RPC(GetLink, GetLinkRequest, TrackedLink)
  HERALD_UNARY_RPC(ListLinks, ListLinksRequest, ListLinksResponse)

 private:
  grpc::Status LoadOpenCampaign(const std::string& workspace_id, const std::string& campaign_id,
                                v1::Campaign* campaign);

  CampaignStore& campaigns_;
  LinkStore& links_;
  LinkMaker& maker_;
  Executor& executor_;
};

}  // namespace herald::campaign
