#pragma once
// gRPC API of the listener (herald.listener.v1.ListenerService).
#include "common/executor.h"
#include "herald/listener/v1/listener.grpc.pb.h"
#include "listener/inbox_store.h"

namespace herald::listener {

class ListenerService final : public v1::ListenerService::CallbackService {
 public:
  ListenerService(InboxStore& inbox, Executor& executor) : inbox_(inbox), executor_(executor) {}

  grpc::ServerUnaryReactor* ListInbox(grpc::CallbackServerContext* ctx, const v1::ListInboxRequest* request,
                                      v1::ListInboxResponse* response) override;
  grpc::Status DoListInbox(const v1::ListInboxRequest& request, v1::ListInboxResponse* response);

 private:
  InboxStore& inbox_;
  Executor& executor_;
};

}  // namespace herald::listener
