#pragma once
// gRPC API of the listener (herald.listener.v1.ListenerService).
#include <string>

#include "common/clock.h"
#include "common/executor.h"
#include "herald/listener/v1/listener.grpc.pb.h"
#include "listener/alerts/spike_watch.h"
#include "listener/inbox/inbox_desk.h"
#include "listener/inbox_store.h"
#include "listener/rule_store.h"

namespace herald::listener {

class ListenerService final : public v1::ListenerService::CallbackService {
 public:
  // `webhook_master_secret` derives each workspace's webhook secret.
  ListenerService(InboxStore& inbox, InboxDesk& desk, RuleStore& rules, SpikeWatch& spikes, Executor& executor,
                  std::string webhook_master_secret, const Clock& clock)
      : inbox_(inbox),
        spikes_(spikes),
        desk_(desk),
        rules_(rules),
        executor_(executor),
        webhook_master_(std::move(webhook_master_secret)),
        clock_(clock) {}

  grpc::ServerUnaryReactor* ListInbox(grpc::CallbackServerContext* ctx, const v1::ListInboxRequest* request,
                                      v1::ListInboxResponse* response) override;
  grpc::Status DoListInbox(const v1::ListInboxRequest& request, v1::ListInboxResponse* response);
  grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* ctx, const v1::ReplyRequest* request,
                                  v1::ReplyResponse* response) override;
  grpc::Status DoReply(const v1::ReplyRequest& request, v1::ReplyResponse* response);
  grpc::ServerUnaryReactor* GetWebhookSecret(grpc::CallbackServerContext* ctx, const v1::GetWebhookSecretRequest* request,
                                             v1::WebhookSecret* response) override;
  grpc::Status DoGetWebhookSecret(const v1::GetWebhookSecretRequest& request, v1::WebhookSecret* response);
  grpc::ServerUnaryReactor* CreateRule(grpc::CallbackServerContext* ctx, const v1::CreateRuleRequest* request,
                                       v1::ListeningRule* response) override;
  grpc::Status DoCreateRule(const v1::CreateRuleRequest& request, v1::ListeningRule* response);
  grpc::ServerUnaryReactor* ListRules(grpc::CallbackServerContext* ctx, const v1::ListRulesRequest* request,
                                      v1::ListRulesResponse* response) override;
  grpc::Status DoListRules(const v1::ListRulesRequest& request, v1::ListRulesResponse* response);
  grpc::ServerUnaryReactor* DeleteRule(grpc::CallbackServerContext* ctx, const v1::DeleteRuleRequest* request,
                                       v1::DeleteRuleResponse* response) override;
  grpc::Status DoDeleteRule(const v1::DeleteRuleRequest& request, v1::DeleteRuleResponse* response);
  grpc::ServerUnaryReactor* ListAlerts(grpc::CallbackServerContext* ctx, const v1::ListAlertsRequest* request,
                                       v1::ListAlertsResponse* response) override;
  grpc::Status DoListAlerts(const v1::ListAlertsRequest& request, v1::ListAlertsResponse* response);

 private:
  InboxStore& inbox_;
  SpikeWatch& spikes_;
  InboxDesk& desk_;
  RuleStore& rules_;
  Executor& executor_;
  std::string webhook_master_;
  const Clock& clock_;
};

}  // namespace herald::listener
