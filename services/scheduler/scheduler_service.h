#pragma once
// gRPC API of the scheduler (herald.scheduler.v1.SchedulerService).
#include "common/clock.h"
#include "common/executor.h"
#include "common/kafka.h"
#include "herald/scheduler/v1/scheduler.grpc.pb.h"
#include "scheduler/channel_directory.h"
#include "scheduler/post_store.h"

namespace herald::scheduler {

class SchedulerService final : public v1::SchedulerService::CallbackService {
 public:
  SchedulerService(PostStore& store, ChannelDirectory& channels, KafkaProducer& producer, Executor& executor,
                   const Clock& clock)
      : store_(store), channels_(channels), producer_(producer), executor_(executor), clock_(clock) {}

  grpc::ServerUnaryReactor* CreatePost(grpc::CallbackServerContext* ctx, const v1::CreatePostRequest* request,
                                       v1::Post* response) override;
  grpc::ServerUnaryReactor* GetPost(grpc::CallbackServerContext* ctx, const v1::GetPostRequest* request,
                                    v1::Post* response) override;
  grpc::ServerUnaryReactor* ListPosts(grpc::CallbackServerContext* ctx, const v1::ListPostsRequest* request,
                                      v1::ListPostsResponse* response) override;

  // The handlers' bodies, callable without gRPC (tests).
  grpc::Status DoCreatePost(const v1::CreatePostRequest& request, v1::Post* response);
  grpc::Status DoGetPost(const v1::GetPostRequest& request, v1::Post* response);
  grpc::Status DoListPosts(const v1::ListPostsRequest& request, v1::ListPostsResponse* response);

 private:
  void EmitLifecycle(const v1::Post& post);

  PostStore& store_;
  ChannelDirectory& channels_;
  KafkaProducer& producer_;
  Executor& executor_;
  const Clock& clock_;
};

}  // namespace herald::scheduler
