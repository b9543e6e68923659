#pragma once
// gRPC API of the listener (herald.listener.v1.ListenerService).
#include "common/executor.h"
#include "herald/listener/v1/listener.grpc.pb.h"
#include "listener/inbox_store.h"
#include "listener/reply_sender.h"

namespace herald::listener {

class ListenerService final : public v1::ListenerService::CallbackService {
 public:
  ListenerService(InboxStore& inbox, ReplySender& replies, Executor& executor)
      : inbox_(inbox), replies_(replies), executor_(executor) {}

  grpc::ServerUnaryReactor* ListInbox(grpc::CallbackServerContext* ctx, const v1::ListInboxRequest* request,
                                      v1::ListInboxResponse* response) override;
  grpc::Status DoListInbox(const v1::ListInboxRequest& request, v1::ListInboxResponse* response);
  grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* ctx, const v1::ReplyRequest* request,
                                  v1::ReplyResponse* response) override;
  grpc::Status DoReply(const v1::ReplyRequest& request, v1::ReplyResponse* response);

 private:
  InboxStore& inbox_;
  ReplySender& replies_;
  Executor& executor_;
};

}  // namespace herald::listener
