#include "campaign/scheduler_posts.h"

#include "common/status.h"
#include "common/time_util.h"
#include "herald/scheduler/v1/scheduler.grpc.pb.h"

namespace herald::campaign {
namespace {

namespace sch = herald::scheduler::v1;

std::unique_ptr<grpc::ClientContext> Ctx(int seconds = 5) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return ctx;
}

bool StillToGo(sch::PostState s) {
  return s == sch::POST_STATE_DRAFT || s == sch::POST_STATE_PENDING_APPROVAL || s == sch::POST_STATE_SCHEDULED ||
         s == sch::POST_STATE_HELD;
}

class GrpcSchedulerPosts : public SchedulerPosts {
 public:
  explicit GrpcSchedulerPosts(std::shared_ptr<grpc::Channel> channel)
      : stub_(sch::SchedulerService::NewStub(std::move(channel))) {}

  absl::StatusOr<PostSummary> Describe(const std::string& ws, const std::string& post_id) override {
    sch::GetPostRequest req;
    req.set_workspace_id(ws);
    req.set_post_id(post_id);
    sch::Post post;
    grpc::Status s = stub_->GetPost(Ctx().get(), req, &post);
    if (!s.ok()) return FromCallee(s, "scheduler GetPost");
    PostSummary out{post.link(), post.variant(), {}};
    for (const auto& t : post.targets()) out.channel_ids.push_back(t.channel_id());
    return out;
  }

  absl::Status Attach(const std::string& ws, const std::string& post_id, const std::string& campaign_id,
                      const std::map<std::string, std::string>& tracked_links) override {
    sch::AttachToCampaignRequest req;
    req.set_workspace_id(ws);
    req.set_post_id(post_id);
    req.set_campaign_id(campaign_id);
    req.mutable_tracked_links()->insert(tracked_links.begin(), tracked_links.end());
    sch::Post post;
    grpc::Status s = stub_->AttachToCampaign(Ctx().get(), req, &post);
    return s.ok() ? absl::OkStatus() : FromCallee(s, "scheduler AttachToCampaign");
  }

  absl::StatusOr<CampaignPostList> List(const std::string& ws, const std::string& campaign_id, int limit) override {
    sch::ListPostsRequest req;
    req.set_workspace_id(ws);
    req.set_campaign_id(campaign_id);
    req.set_page_size(limit);
    sch::ListPostsResponse resp;
    grpc::Status s = stub_->ListPosts(Ctx().get(), req, &resp);
    if (!s.ok()) return FromCallee(s, "scheduler ListPosts");
    CampaignPostList out;
    out.total = resp.total_size();
    for (const auto& p : resp.posts()) out.post_ids.push_back(p.id());
    return out;
  }

  absl::Status Hold(const std::string& ws, const std::string& campaign_id, const std::string& reason) override {
    sch::PauseRequest req;
    req.set_workspace_id(ws);
    req.set_campaign_id(campaign_id);
    req.set_reason(reason);
    sch::PauseState state;
    grpc::Status s = stub_->Pause(Ctx().get(), req, &state);
    return s.ok() ? absl::OkStatus() : FromCallee(s, "scheduler Pause");
  }

  absl::Status Release(const std::string& ws, const std::string& campaign_id, bool skip) override {
    sch::ResumeRequest req;
    req.set_workspace_id(ws);
    req.set_campaign_id(campaign_id);
    req.set_mode(skip ? sch::ResumeRequest::MODE_SKIP : sch::ResumeRequest::MODE_REQUEUE);
    sch::ResumeResponse resp;
    grpc::Status s = stub_->Resume(Ctx(30).get(), req, &resp);
    return s.ok() ? absl::OkStatus() : FromCallee(s, "scheduler Resume");
  }

  absl::StatusOr<int> CancelRemaining(const std::string& ws, const std::string& campaign_id) override {
    int canceled = 0;
    std::string token;
    // A campaign holds at most 10,000 posts: ten pages.
    for (int page = 0; page < 20; ++page) {
      sch::ListPostsRequest req;
      req.set_workspace_id(ws);
      req.set_campaign_id(campaign_id);
      req.set_page_size(1000);
      req.set_page_token(token);
      sch::ListPostsResponse resp;
      grpc::Status s = stub_->ListPosts(Ctx(30).get(), req, &resp);
      if (!s.ok()) return FromCallee(s, "scheduler ListPosts");
      for (const auto& p : resp.posts()) {
        if (!StillToGo(p.state())) continue;
        sch::CancelPostRequest cancel;
        cancel.set_workspace_id(ws);
        cancel.set_post_id(p.id());
        sch::Post out;
        grpc::Status c = stub_->CancelPost(Ctx().get(), cancel, &out);
        // Gone out (or canceled) since it was listed: nothing left to cancel.
        if (c.error_code() == grpc::StatusCode::FAILED_PRECONDITION) continue;
        if (!c.ok()) return FromCallee(c, "scheduler CancelPost");
        ++canceled;
      }
      token = resp.next_page_token();
      if (token.empty()) break;
    }
    return canceled;
  }

  absl::StatusOr<std::string> Create(const std::string& ws, const NewPost& p) override {
    sch::CreatePostRequest req;
    req.set_workspace_id(ws);
    req.set_request_id(p.request_id);
    req.set_campaign_id(p.campaign_id);
    req.add_channel_ids(p.channel_id);
    req.set_text(p.text);
    req.set_link(p.link);
    req.set_variant(p.variant);
    *req.mutable_publish_at() = FromMs(p.publish_at_ms);
    sch::Post post;
    grpc::Status s = stub_->CreatePost(Ctx(15).get(), req, &post);
    if (!s.ok()) return FromCallee(s, "scheduler CreatePost");
    return post.id();
  }

  absl::StatusOr<bool> CancelIfPending(const std::string& ws, const std::string& post_id) override {
    sch::GetPostRequest get;
    get.set_workspace_id(ws);
    get.set_post_id(post_id);
    sch::Post post;
    grpc::Status s = stub_->GetPost(Ctx().get(), get, &post);
    if (!s.ok()) return FromCallee(s, "scheduler GetPost");
    if (!StillToGo(post.state())) return false;
    sch::CancelPostRequest req;
    req.set_workspace_id(ws);
    req.set_post_id(post_id);
    s = stub_->CancelPost(Ctx().get(), req, &post);
    if (s.error_code() == grpc::StatusCode::FAILED_PRECONDITION) return false;  // went out meanwhile
    if (!s.ok()) return FromCallee(s, "scheduler CancelPost");
    return true;
  }

 private:
  std::unique_ptr<sch::SchedulerService::Stub> stub_;
};

}  // namespace

std::unique_ptr<SchedulerPosts> MakeSchedulerPosts(std::shared_ptr<grpc::Channel> scheduler) {
  return std::make_unique<GrpcSchedulerPosts>(std::move(scheduler));
}

}  // namespace herald::campaign
