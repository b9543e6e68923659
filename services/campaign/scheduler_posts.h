#pragma once
// The campaign's posts, as the scheduler keeps them: a post's campaign is a
// field of the post, so attaching, listing, holding and canceling a
// campaign's posts are all asks of the scheduler.
#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace herald::campaign {

// What attaching needs to know of a post.
struct PostSummary {
  std::string link;
  std::string variant;
  std::vector<std::string> channel_ids;
};

struct CampaignPostList {
  std::vector<std::string> post_ids;  // the first ones, in the order they joined
  int64_t total = 0;
};

class SchedulerPosts {
 public:
  virtual ~SchedulerPosts() = default;
  // NOT_FOUND for an unknown post.
  virtual absl::StatusOr<PostSummary> Describe(const std::string& workspace_id, const std::string& post_id) = 0;
  // NOT_FOUND for an unknown post; FAILED_PRECONDITION for a post of another
  // campaign. `tracked_links` (channel → short link) replace the post's link
  // on the targets still to go out.
  virtual absl::Status Attach(const std::string& workspace_id, const std::string& post_id,
                              const std::string& campaign_id,
                              const std::map<std::string, std::string>& tracked_links) = 0;
  virtual absl::StatusOr<CampaignPostList> List(const std::string& workspace_id, const std::string& campaign_id,
                                                int limit) = 0;
  // Holds the campaign's posts (nothing of it fires) / lets them go again:
  // what fell due meanwhile goes out now, or is skipped.
  virtual absl::Status Hold(const std::string& workspace_id, const std::string& campaign_id,
                            const std::string& reason) = 0;
  virtual absl::Status Release(const std::string& workspace_id, const std::string& campaign_id, bool skip) = 0;
  // Cancels every post of the campaign that has not gone out yet; how many.
  virtual absl::StatusOr<int> CancelRemaining(const std::string& workspace_id, const std::string& campaign_id) = 0;

  // A post of the campaign (an experiment's): its id. Idempotent by request_id.
  struct NewPost {
    std::string request_id, campaign_id, channel_id, text, link, variant;
    int64_t publish_at_ms = 0;
  };
  virtual absl::StatusOr<std::string> Create(const std::string& workspace_id, const NewPost& post) = 0;
  // Cancels one post if it has not gone out yet: true when it was canceled now.
  virtual absl::StatusOr<bool> CancelIfPending(const std::string& workspace_id, const std::string& post_id) = 0;
};

std::unique_ptr<SchedulerPosts> MakeSchedulerPosts(std::shared_ptr<grpc::Channel> scheduler);

}  // namespace herald::campaign
