#pragma once
// gRPC API of outbound event webhooks (herald.publisher.v1.WebhookService).
#include "common/clock.h"
#include "common/executor.h"
#include "common/status.h"
#include "herald/publisher/v1/webhooks.grpc.pb.h"
#include "publisher/webhooks/webhook_store.h"

namespace herald::publisher {

class WebhookService final : public herald::publisher::v1::WebhookService::CallbackService {
 public:
  WebhookService(WebhookStore& store, Executor& executor, const Clock& clock)
      : store_(store), executor_(executor), clock_(clock) {}

  grpc::ServerUnaryReactor* CreateWebhook(grpc::CallbackServerContext* ctx,
                                          const herald::publisher::v1::CreateWebhookRequest* request,
                                          herald::publisher::v1::Webhook* response) override;
  grpc::ServerUnaryReactor* ListWebhooks(grpc::CallbackServerContext* ctx,
                                         const herald::publisher::v1::ListWebhooksRequest* request,
                                         herald::publisher::v1::ListWebhooksResponse* response) override;
  grpc::ServerUnaryReactor* DeleteWebhook(grpc::CallbackServerContext* ctx,
                                          const herald::publisher::v1::DeleteWebhookRequest* request,
                                          herald::publisher::v1::Webhook* response) override;
  grpc::ServerUnaryReactor* ListWebhookAttempts(grpc::CallbackServerContext* ctx,
                                                const herald::publisher::v1::ListWebhookAttemptsRequest* request,
                                                herald::publisher::v1::ListWebhookAttemptsResponse* response) override;

  grpc::Status DoCreate(const herald::publisher::v1::CreateWebhookRequest& request,
                        herald::publisher::v1::Webhook* response);
  grpc::Status DoList(const herald::publisher::v1::ListWebhooksRequest& request,
                      herald::publisher::v1::ListWebhooksResponse* response);
  grpc::Status DoDelete(const herald::publisher::v1::DeleteWebhookRequest& request,
                        herald::publisher::v1::Webhook* response);
  grpc::Status DoListAttempts(const herald::publisher::v1::ListWebhookAttemptsRequest& request,
                              herald::publisher::v1::ListWebhookAttemptsResponse* response);

  // A workspace keeps at most this many webhooks.
  static constexpr int kMaxWebhooks = 50;

 private:
  WebhookStore& store_;
  Executor& executor_;
  const Clock& clock_;
};

// Field checks (no I/O).
FieldErrors ValidateCreateWebhook(const herald::publisher::v1::CreateWebhookRequest& request);

}  // namespace herald::publisher
