#include "listener/listener_service.h"

#include "common/hmac.h"
#include "common/ids.h"
#include "common/status.h"
#include "common/unary.h"

namespace herald::listener {

grpc::ServerUnaryReactor* ListenerService::ListInbox(grpc::CallbackServerContext* ctx,
                                                     const v1::ListInboxRequest* request,
                                                     v1::ListInboxResponse* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoListInbox(*request, response); });
}

grpc::Status ListenerService::DoListInbox(const v1::ListInboxRequest& request, v1::ListInboxResponse* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (request.page_size() < 0 || request.page_size() > 500) errors.Add("page_size", "must be 0..500");
  if (!errors.ok()) return errors.ToGrpc();
  auto items = inbox_.List(request.workspace_id(), request.page_size() == 0 ? 50 : request.page_size());
  if (!items.ok()) return ToGrpc(items.status());
  for (auto& item : *items) *response->add_items() = std::move(item);
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* ListenerService::Reply(grpc::CallbackServerContext* ctx, const v1::ReplyRequest* request,
                                                 v1::ReplyResponse* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoReply(*request, response); });
}

grpc::Status ListenerService::DoReply(const v1::ReplyRequest& request, v1::ReplyResponse* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!IsValidId(request.item_id())) errors.Add("item_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (request.text().find_first_not_of(" \t\r\n") == std::string::npos) errors.Add("text", "must not be empty");
  if (!request.request_id().empty() && !IsValidId(request.request_id())) {
    errors.Add("request_id", "at most 64 of [A-Za-z0-9_-]");
  }
  if (!errors.ok()) return errors.ToGrpc();
  auto item = inbox_.Find(request.workspace_id(), request.item_id());
  if (!item.ok()) return ToGrpc(item.status());
  if (item->remote_id().empty() || item->channel_id().empty()) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "the item has no network id to reply to");
  }
  // The same request id (or, without one, the same text to the same item)
  // names the same post: a retried call does not reply twice.
  std::string key = request.request_id().empty() ? request.item_id() + "|" + request.text() : request.request_id();
  uint64_t h = StableHash(request.workspace_id() + "|" + key);
  std::string request_id = "reply-" + ToHex(std::string_view(reinterpret_cast<const char*>(&h), sizeof h));
  auto post = replies_.Send(request.workspace_id(), *item, request.text(), request_id);
  if (!post.ok()) return ToGrpc(post.status());
  response->set_post_id(*post);
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* ListenerService::GetWebhookSecret(grpc::CallbackServerContext* ctx,
                                                            const v1::GetWebhookSecretRequest* request,
                                                            v1::WebhookSecret* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoGetWebhookSecret(*request, response); });
}

grpc::Status ListenerService::DoGetWebhookSecret(const v1::GetWebhookSecretRequest& request,
                                                 v1::WebhookSecret* response) {
  if (!IsValidId(request.workspace_id())) return InvalidArgument("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  response->set_secret(WorkspaceWebhookSecret(webhook_master_, request.workspace_id()));
  response->set_path_template("/v1/webhooks/mastodon/" + request.workspace_id() + "/{channel_id}");
  response->set_signature_header("X-Herald-Signature");
  return grpc::Status::OK;
}

}  // namespace herald::listener
