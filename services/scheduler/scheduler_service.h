#pragma once
// gRPC API of the scheduler (herald.scheduler.v1.SchedulerService). Each
// handler hands its body (a Do* method, callable without gRPC) to the executor.
#include <chrono>
#include <functional>

#include "common/clock.h"
#include "common/executor.h"
#include "common/unary.h"
#include "common/kafka.h"
#include "herald/scheduler/v1/scheduler.grpc.pb.h"
#include "scheduler/campaign_directory.h"
#include "scheduler/channel_directory.h"
#include "scheduler/engagement_advisor.h"
#include "scheduler/post_store.h"

namespace herald::scheduler {

// ImportPosts is served from raw bytes, so a row that does not decode is
// seen (and fails the import) instead of reading as the end of the stream.
class SchedulerService final
    : public v1::SchedulerService::WithRawCallbackMethod_ImportPosts<v1::SchedulerService::CallbackService> {
 public:
  struct Options {
    // An import stream that sends no row for this long is closed.
    std::chrono::milliseconds import_idle_timeout{30000};
    // Analytics' best times for SuggestTimes (none: queue slots only).
    EngagementAdvisor* advisor = nullptr;
    // Checks a post's campaign (none: posts with a campaign are refused).
    CampaignDirectory* campaigns = nullptr;
  };
  SchedulerService(PostStore& store, ChannelDirectory& channels, KafkaProducer& producer, Executor& executor,
                   const Clock& clock, Options options)
      : store_(store),
        channels_(channels),
        producer_(producer),
        executor_(executor),
        clock_(clock),
        options_(options) {}
  SchedulerService(PostStore& store, ChannelDirectory& channels, KafkaProducer& producer, Executor& executor,
                   const Clock& clock)
      : SchedulerService(store, channels, producer, executor, clock, Options{}) {}

  HERALD_UNARY_RPC(CreatePost, CreatePostRequest, Post)
  HERALD_UNARY_RPC(GetPost, GetPostRequest, Post)
  HERALD_UNARY_RPC(ListPosts, ListPostsRequest, ListPostsResponse)
  HERALD_UNARY_RPC(UpdatePost, UpdatePostRequest, Post)
  HERALD_UNARY_RPC(ReschedulePost, ReschedulePostRequest, Post)
  HERALD_UNARY_RPC(CancelPost, CancelPostRequest, Post)
  HERALD_UNARY_RPC(SubmitPost, SubmitPostRequest, Post)
  HERALD_UNARY_RPC(ApprovePost, ApprovePostRequest, Post)
  HERALD_UNARY_RPC(RejectPost, RejectPostRequest, Post)
  HERALD_UNARY_RPC(GetQueue, GetQueueRequest, Queue)
  HERALD_UNARY_RPC(SetQueue, SetQueueRequest, Queue)
  HERALD_UNARY_RPC(GetCalendar, GetCalendarRequest, Calendar)
  HERALD_UNARY_RPC(SuggestTimes, SuggestTimesRequest, SuggestTimesResponse)
  HERALD_UNARY_RPC(Pause, PauseRequest, PauseState)
  HERALD_UNARY_RPC(Resume, ResumeRequest, ResumeResponse)
  HERALD_UNARY_RPC(AttachToCampaign, AttachToCampaignRequest, Post)

  // Rows are v1::CreatePostRequest; the answer is a v1::ImportPostsResponse.
  grpc::ServerReadReactor<grpc::ByteBuffer>* ImportPosts(grpc::CallbackServerContext* ctx,
                                                         grpc::ByteBuffer* response) override;

 private:
  // Loads a post of the workspace (NOT_FOUND for another workspace's post).
  grpc::Status Load(const std::string& workspace_id, const std::string& post_id, v1::Post* post);
  // A verb of post_rules (Approve, Cancel, …) bound to its request.
  using Verb = std::function<absl::Status(v1::Post&, DueChange*)>;
  // Checks of the verb's result that need other services (content rules).
  using Precheck = std::function<grpc::Status(const v1::Post& changed)>;
  // Applies the verb — first on a copy for the early answer, then inside the
  // store's compare-and-set — and answers with the stored post.
  grpc::Status Apply(const std::string& workspace_id, const std::string& post_id, const Verb& verb,
                     v1::Post* response, const Precheck& precheck = nullptr);
  // The publisher's objections to each target's content, named by field.
  grpc::Status CheckContent(const std::string& workspace_id, const v1::Post& post);
  void EmitLifecycle(const v1::Post& post);
  // The campaign exists, takes posts, and runs on these channels.
  grpc::Status CheckCampaign(const std::string& workspace_id, const std::string& campaign_id,
                             const std::vector<std::string>& channel_ids);
  // Sets each target's tracked_link: the campaign's short link for the post's link.
  grpc::Status TrackLinks(v1::Post& post);
  // The post's membership of its campaign, on posts.lifecycle, before returning.
  absl::Status AnnounceMembership(const v1::Post& post);
  grpc::Status ListCampaignPosts(const v1::ListPostsRequest& request, size_t limit, v1::ListPostsResponse* response);
  // Puts the held posts a resume covers back in the due index (or skips
  // their occurrence), counting them in `response`.
  grpc::Status ReleaseHeld(const v1::ResumeRequest& request, v1::ResumeResponse* response);

  PostStore& store_;
  ChannelDirectory& channels_;
  KafkaProducer& producer_;
  Executor& executor_;
  const Clock& clock_;
  const Options options_;
};

}  // namespace herald::scheduler
