#include "publisher/webhooks/webhook_service.h"

#include <sodium.h>

#include <set>

#include "common/egress.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/time_util.h"
#include "common/unary.h"

namespace herald::publisher {
namespace {


// 32 random bytes, hex: the HMAC key receivers verify signatures with.
std::string NewSecret() {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  return "whsec_" + ToHex(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
}

}  // namespace

FieldErrors ValidateCreateWebhook(const v1::CreateWebhookRequest& r) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  const std::string& url = r.url();
  bool scheme = url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
  if (url.empty()) {
    errors.Add("url", "required");
  } else if (!scheme || url.size() > 2048 || url.find_first_of(" \t\r\n") != std::string::npos) {
    errors.Add("url", "must be an http(s) URL");
  } else if (auto st = CheckOutboundUrl(url); !st.ok()) {
    errors.Add("url", std::string(st.message()));
  }
  if (r.event_types().empty()) errors.Add("event_types", "at least one event type");
  std::set<std::string> seen;
  for (int i = 0; i < r.event_types_size(); ++i) {
    const std::string& t = r.event_types(i);
    std::string field = "event_types[" + std::to_string(i) + "]";
    if (!IsWebhookEventType(t)) {
      std::string known;
      for (const auto& k : WebhookEventTypes()) known += (known.empty() ? "" : ", ") + k;
      errors.Add(field, "unknown event type \"" + t + "\" (one of " + known + ")");
    } else if (!seen.insert(t).second) {
      errors.Add(field, "listed twice");
    }
  }
  return errors;
}

grpc::ServerUnaryReactor* WebhookService::CreateWebhook(grpc::CallbackServerContext* ctx,
                                                        const v1::CreateWebhookRequest* request,
                                                        v1::Webhook* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoCreate(*request, response); });
}

grpc::ServerUnaryReactor* WebhookService::ListWebhooks(grpc::CallbackServerContext* ctx,
                                                       const v1::ListWebhooksRequest* request,
                                                       v1::ListWebhooksResponse* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoList(*request, response); });
}

grpc::ServerUnaryReactor* WebhookService::DeleteWebhook(grpc::CallbackServerContext* ctx,
                                                        const v1::DeleteWebhookRequest* request,
                                                        v1::Webhook* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoDelete(*request, response); });
}

grpc::ServerUnaryReactor* WebhookService::ListWebhookAttempts(grpc::CallbackServerContext* ctx,
                                                              const v1::ListWebhookAttemptsRequest* request,
                                                              v1::ListWebhookAttemptsResponse* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoListAttempts(*request, response); });
}

grpc::Status WebhookService::DoCreate(const v1::CreateWebhookRequest& request, v1::Webhook* response) {
  FieldErrors errors = ValidateCreateWebhook(request);
  if (!errors.ok()) return errors.ToGrpc();
  auto existing = store_.List(request.workspace_id());
  if (!existing.ok()) return ToGrpc(existing.status());
  if (static_cast<int>(existing->size()) >= kMaxWebhooks) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        "a workspace has at most " + std::to_string(kMaxWebhooks) + " webhooks");
  }
  v1::Webhook hook;
  hook.set_id(NewId("wh"));
  hook.set_workspace_id(request.workspace_id());
  hook.set_url(request.url());
  *hook.mutable_event_types() = request.event_types();
  *hook.mutable_create_time() = FromMs(clock_.NowMs());
  std::string secret = NewSecret();
  if (auto s = store_.Put(hook, secret); !s.ok()) return ToGrpc(s);
  log::Info("webhook created", {{"webhook_id", hook.id()}, {"workspace_id", hook.workspace_id()}});
  *response = hook;
  response->set_secret(secret);  // shown this once
  return grpc::Status::OK;
}

grpc::Status WebhookService::DoList(const v1::ListWebhooksRequest& request, v1::ListWebhooksResponse* response) {
  if (!IsValidId(request.workspace_id())) return InvalidArgument("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  auto hooks = store_.List(request.workspace_id());
  if (!hooks.ok()) return ToGrpc(hooks.status());
  for (auto& h : *hooks) *response->add_webhooks() = std::move(h);
  return grpc::Status::OK;
}

grpc::Status WebhookService::DoDelete(const v1::DeleteWebhookRequest& request, v1::Webhook* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!IsValidId(request.webhook_id())) errors.Add("webhook_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!errors.ok()) return errors.ToGrpc();
  auto hook = store_.Get(request.workspace_id(), request.webhook_id());
  if (!hook.ok()) return ToGrpc(hook.status());
  if (auto s = store_.Delete(request.workspace_id(), request.webhook_id()); !s.ok()) return ToGrpc(s);
  log::Info("webhook deleted", {{"webhook_id", request.webhook_id()}, {"workspace_id", request.workspace_id()}});
  *response = hook->webhook;
  return grpc::Status::OK;
}

grpc::Status WebhookService::DoListAttempts(const v1::ListWebhookAttemptsRequest& request,
                                            v1::ListWebhookAttemptsResponse* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!IsValidId(request.webhook_id())) errors.Add("webhook_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (request.page_size() < 0 || request.page_size() > 1000) errors.Add("page_size", "between 0 and 1000");
  if (!request.event_id().empty() && !IsValidEventId(request.event_id())) {
    errors.Add("event_id", "1-256 of [A-Za-z0-9_.:-]");
  }
  if (!errors.ok()) return errors.ToGrpc();
  auto hook = store_.Get(request.workspace_id(), request.webhook_id());
  if (!hook.ok()) return ToGrpc(hook.status());
  auto attempts = store_.Attempts(request.workspace_id(), request.webhook_id(),
                                  request.page_size() == 0 ? 100 : request.page_size(), request.event_id());
  if (!attempts.ok()) return ToGrpc(attempts.status());
  for (auto& a : *attempts) *response->add_attempts() = std::move(a);
  return grpc::Status::OK;
}

}  // namespace herald::publisher
