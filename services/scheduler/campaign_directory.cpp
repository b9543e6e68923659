#include "scheduler/campaign_directory.h"

#include "common/status.h"
#include "herald/campaign/v1/campaign.grpc.pb.h"
#include "herald/campaign/v1/links.grpc.pb.h"

namespace herald::scheduler {
namespace {

namespace cmp = herald::campaign::v1;

class CampaignServiceDirectory : public CampaignDirectory {
 public:
  explicit CampaignServiceDirectory(std::shared_ptr<grpc::Channel> channel)
      : stub_(cmp::CampaignService::NewStub(channel)), links_(cmp::LinkService::NewStub(channel)) {}

  absl::StatusOr<std::map<std::string, std::string>> PostLinks(const std::string& workspace_id,
                                                              const std::string& campaign_id,
                                                              const std::string& post_id, const std::string& variant,
                                                              const std::string& link,
                                                              const std::vector<std::string>& channel_ids) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    cmp::CreatePostLinksRequest req;
    req.set_workspace_id(workspace_id);
    req.set_campaign_id(campaign_id);
    req.set_post_id(post_id);
    req.set_variant(variant);
    req.set_destination_url(link);
    for (const auto& c : channel_ids) req.add_channel_ids(c);
    cmp::CreatePostLinksResponse resp;
    grpc::Status s = links_->CreatePostLinks(&ctx, req, &resp);
    if (!s.ok()) return FromCallee(s, "campaign service CreatePostLinks");
    return std::map<std::string, std::string>(resp.short_urls().begin(), resp.short_urls().end());
  }

  absl::StatusOr<std::optional<CampaignInfo>> Lookup(const std::string& workspace_id,
                                                    const std::string& campaign_id) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    cmp::GetCampaignRequest req;
    req.set_workspace_id(workspace_id);
    req.set_campaign_id(campaign_id);
    req.set_without_posts(true);
    cmp::Campaign c;
    grpc::Status s = stub_->GetCampaign(&ctx, req, &c);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) return std::optional<CampaignInfo>();
    if (!s.ok()) return FromCallee(s, "campaign service GetCampaign");
    CampaignInfo info;
    info.id = c.id();
    info.status = cmp::CampaignStatus_Name(c.status());
    // The campaign service's rule: planned, running and paused campaigns take posts.
    info.takes_posts = c.status() == cmp::CAMPAIGN_STATUS_DRAFT || c.status() == cmp::CAMPAIGN_STATUS_ACTIVE ||
                       c.status() == cmp::CAMPAIGN_STATUS_PAUSED;
    info.channel_ids.assign(c.channel_ids().begin(), c.channel_ids().end());
    return std::optional<CampaignInfo>(std::move(info));
  }

 private:
  std::unique_ptr<cmp::CampaignService::Stub> stub_;
  std::unique_ptr<cmp::LinkService::Stub> links_;
};

}  // namespace

std::unique_ptr<CampaignDirectory> MakeCampaignServiceDirectory(std::shared_ptr<grpc::Channel> campaign) {
  return std::make_unique<CampaignServiceDirectory>(std::move(campaign));
}

}  // namespace herald::scheduler
