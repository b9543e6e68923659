#pragma once
// gRPC API of the listener (herald.listener.v1.ListenerService).
#include <string>

#include "common/executor.h"
#include "herald/listener/v1/listener.grpc.pb.h"
#include "listener/inbox_store.h"
#include "listener/reply_sender.h"

namespace herald::listener {

class ListenerService final : public v1::ListenerService::CallbackService {
 public:
  // `webhook_master_secret` derives each workspace's webhook secret.
  ListenerService(InboxStore& inbox, ReplySender& replies, Executor& executor, std::string webhook_master_secret)
      : inbox_(inbox), replies_(replies), executor_(executor), webhook_master_(std::move(webhook_master_secret)) {}

  grpc::ServerUnaryReactor* ListInbox(grpc::CallbackServerContext* ctx, const v1::ListInboxRequest* request,
                                      v1::ListInboxResponse* response) override;
  grpc::Status DoListInbox(const v1::ListInboxRequest& request, v1::ListInboxResponse* response);
  grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* ctx, const v1::ReplyRequest* request,
                                  v1::ReplyResponse* response) override;
  grpc::Status DoReply(const v1::ReplyRequest& request, v1::ReplyResponse* response);
  grpc::ServerUnaryReactor* GetWebhookSecret(grpc::CallbackServerContext* ctx, const v1::GetWebhookSecretRequest* request,
                                             v1::WebhookSecret* response) override;
  grpc::Status DoGetWebhookSecret(const v1::GetWebhookSecretRequest& request, v1::WebhookSecret* response);

 private:
  InboxStore& inbox_;
  ReplySender& replies_;
  Executor& executor_;
  std::string webhook_master_;
};

}  // namespace herald::listener
