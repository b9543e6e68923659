#include "listener/listener_service.h"

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

}  // namespace herald::listener
