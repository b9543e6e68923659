#include "scheduler/scheduler_service.h"

#include "common/events.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/status.h"
#include "common/time_util.h"
#include "common/unary.h"
#include "herald/events/v1/events.pb.h"
#include "herald/topics.h"
#include "scheduler/post_rules.h"

namespace herald::scheduler {

grpc::ServerUnaryReactor* SchedulerService::CreatePost(grpc::CallbackServerContext* ctx,
                                                       const v1::CreatePostRequest* request, v1::Post* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoCreatePost(*request, response); });
}

grpc::ServerUnaryReactor* SchedulerService::GetPost(grpc::CallbackServerContext* ctx,
                                                    const v1::GetPostRequest* request, v1::Post* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoGetPost(*request, response); });
}

grpc::ServerUnaryReactor* SchedulerService::ListPosts(grpc::CallbackServerContext* ctx,
                                                      const v1::ListPostsRequest* request,
                                                      v1::ListPostsResponse* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoListPosts(*request, response); });
}

grpc::Status SchedulerService::DoCreatePost(const v1::CreatePostRequest& request, v1::Post* response) {
  int64_t now = clock_.NowMs();
  FieldErrors errors = ValidateCreate(request, now);
  if (!errors.ok()) return errors.ToGrpc();
  for (int i = 0; i < request.channel_ids_size(); ++i) {
    auto exists = channels_.Exists(request.workspace_id(), request.channel_ids(i));
    if (!exists.ok()) return ToGrpc(exists.status());
    if (!*exists) errors.Add("channel_ids[" + std::to_string(i) + "]", "unknown channel " + request.channel_ids(i));
  }
  if (!errors.ok()) return errors.ToGrpc();

  v1::Post post = BuildPost(request, NewPostId(request.workspace_id(), request.request_id()), now);
  auto stored = store_.Create(post);
  if (!stored.ok()) return ToGrpc(stored.status());
  if (stored->workspace_id() != request.workspace_id()) {
    return grpc::Status(grpc::StatusCode::ALREADY_EXISTS, "request_id: used by another post");
  }
  *response = *stored;
  EmitLifecycle(*stored);
  log::Info("post scheduled", {{"post_id", stored->id()},
                               {"workspace_id", stored->workspace_id()},
                               {"targets", stored->targets_size()}});
  return grpc::Status::OK;
}

grpc::Status SchedulerService::DoGetPost(const v1::GetPostRequest& request, v1::Post* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!IsValidId(request.post_id())) errors.Add("post_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!errors.ok()) return errors.ToGrpc();
  auto post = store_.Get(request.post_id());
  if (!post.ok()) return ToGrpc(post.status());
  // Another workspace's post does not exist for this caller.
  if (post->workspace_id() != request.workspace_id()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "post " + request.post_id() + " not found");
  }
  *response = std::move(*post);
  return grpc::Status::OK;
}

grpc::Status SchedulerService::DoListPosts(const v1::ListPostsRequest& request, v1::ListPostsResponse* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (request.page_size() < 0 || request.page_size() > 1000) errors.Add("page_size", "must be 0..1000");
  if (!request.channel_id().empty() && !IsValidId(request.channel_id())) errors.Add("channel_id", "not a valid id");
  if (!errors.ok()) return errors.ToGrpc();
  size_t limit = request.page_size() == 0 ? 100 : static_cast<size_t>(request.page_size());
  std::string cursor = request.page_token();
  // Filters are applied after the index read: keep reading pages until full.
  for (int rounds = 0; rounds < 20 && static_cast<size_t>(response->posts_size()) < limit; ++rounds) {
    auto page = store_.List(request.workspace_id(), limit, cursor);
    if (!page.ok()) return ToGrpc(page.status());
    for (auto& p : *page) {
      cursor = std::to_string(ToMs(p.publish_at())) + ":" + p.id();
      bool match = request.state() == v1::POST_STATE_UNSPECIFIED || p.state() == request.state();
      if (match && !request.channel_id().empty()) {
        match = false;
        for (const auto& t : p.targets()) match |= t.channel_id() == request.channel_id();
      }
      if (match) *response->add_posts() = std::move(p);
      if (static_cast<size_t>(response->posts_size()) == limit) break;
    }
    if (page->size() < limit) {
      cursor.clear();
      break;
    }
  }
  response->set_next_page_token(cursor);
  return grpc::Status::OK;
}

void SchedulerService::EmitLifecycle(const v1::Post& post) {
  herald::events::v1::PostLifecycle event;
  event.set_post_id(post.id());
  event.set_state(v1::PostState_Name(post.state()));
  for (const auto& t : post.targets()) event.add_channel_ids(t.channel_id());
  *event.mutable_publish_at() = post.publish_at();
  event.set_campaign_id(post.campaign_id());
  *event.mutable_meta() = NewEventMeta(event, post.workspace_id(), clock_);
  // Informational: the post is stored and will fire whether or not this lands.
  producer_.Produce(topics::k_posts_lifecycle, post.id(), event.SerializeAsString(), EventHeaders(event.meta()),
                    [id = post.id()](const std::string& error) {
                      if (!error.empty()) log::Warn("lifecycle event lost", {{"post_id", id}, {"error", error}});
                    });
}

}  // namespace herald::scheduler
