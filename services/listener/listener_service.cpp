#include "listener/listener_service.h"

#include <algorithm>

#include "common/auth/server_auth.h"
#include "common/hmac.h"
#include "common/ids.h"
#include "common/time_util.h"
#include "listener/rules/rule_rules.h"
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
  // Recorded in the item's conversation (its clocks stop, automation stands
  // down). The same request id (or, without one, the same text to the same
  // item) names the same reply: a retried call does not reply twice.
  const auth::Caller* caller = auth::CurrentCaller();
  InboxDesk::ReplyOptions options;
  options.item_id = item->id();
  auto reply = desk_.Reply(request.workspace_id(), item->conversation_id(), request.text(), request.request_id(),
                           caller ? caller->user().id : "", options);
  if (!reply.ok()) return ToGrpc(reply.status());
  response->set_post_id(reply->post_id());
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

grpc::ServerUnaryReactor* ListenerService::CreateRule(grpc::CallbackServerContext* ctx, const v1::CreateRuleRequest* request,
                                                      v1::ListeningRule* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoCreateRule(*request, response); });
}

grpc::Status ListenerService::DoCreateRule(const v1::CreateRuleRequest& request, v1::ListeningRule* response) {
  if (auto errors = ValidateCreateRule(request); !errors.ok()) return errors.ToGrpc();
  v1::ListeningRule rule;
  rule.set_id(CreatedId("rule_", request.workspace_id(), request.request_id()));
  rule.set_workspace_id(request.workspace_id());
  rule.set_name(request.name());
  rule.set_query(request.query());
  for (const auto& t : request.tags()) {
    if (std::find(rule.tags().begin(), rule.tags().end(), t) == rule.tags().end()) rule.add_tags(t);
  }
  *rule.mutable_create_time() = FromMs(clock_.NowMs());
  auto stored = rules_.Create(rule);
  if (!stored.ok()) return ToGrpc(stored.status());
  *response = *std::move(stored);
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* ListenerService::ListRules(grpc::CallbackServerContext* ctx, const v1::ListRulesRequest* request,
                                                     v1::ListRulesResponse* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoListRules(*request, response); });
}

grpc::Status ListenerService::DoListRules(const v1::ListRulesRequest& request, v1::ListRulesResponse* response) {
  if (!IsValidId(request.workspace_id())) return InvalidArgument("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  auto rules = rules_.List(request.workspace_id());
  if (!rules.ok()) return ToGrpc(rules.status());
  for (auto& r : *rules) *response->add_rules() = std::move(r);
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* ListenerService::DeleteRule(grpc::CallbackServerContext* ctx, const v1::DeleteRuleRequest* request,
                                                      v1::DeleteRuleResponse* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoDeleteRule(*request, response); });
}

grpc::Status ListenerService::DoDeleteRule(const v1::DeleteRuleRequest& request, v1::DeleteRuleResponse* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!IsValidId(request.rule_id())) errors.Add("rule_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!errors.ok()) return errors.ToGrpc();
  auto deleted = rules_.Delete(request.workspace_id(), request.rule_id());
  if (!deleted.ok()) return ToGrpc(deleted.status());
  response->set_deleted(*deleted);
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* ListenerService::ListAlerts(grpc::CallbackServerContext* ctx,
                                                      const v1::ListAlertsRequest* request,
                                                      v1::ListAlertsResponse* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoListAlerts(*request, response); });
}

grpc::Status ListenerService::DoListAlerts(const v1::ListAlertsRequest& request, v1::ListAlertsResponse* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (request.page_size() < 0 || request.page_size() > SpikeWatch::kRecentKept) errors.Add("page_size", "must be 0..200");
  if (!errors.ok()) return errors.ToGrpc();
  auto spikes = spikes_.RecentSpikes(request.workspace_id(), request.page_size() == 0 ? 50 : request.page_size());
  if (!spikes.ok()) return ToGrpc(spikes.status());
  for (const auto& s : *spikes) {
    auto* a = response->add_alerts();
    a->set_series_kind(s.series_kind());
    a->set_series_id(s.series_id());
    *a->mutable_bucket_start() = s.bucket_start();
    a->set_count(s.count());
    a->set_baseline(s.baseline());
    a->set_z(s.z());
  }
  return grpc::Status::OK;
}

}  // namespace herald::listener
