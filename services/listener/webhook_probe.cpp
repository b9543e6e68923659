#include "listener/webhook_probe.h"

namespace herald::listener {
namespace {

const char* Name(WebhookResult result) {
  switch (result) {
    case WebhookResult::kAccepted: return "accepted";
    case WebhookResult::kDuplicate: return "duplicate";
    case WebhookResult::kBadSignature: return "bad_signature";
    case WebhookResult::kBadRequest: return "bad_request";
    case WebhookResult::kRetryLater: return "retry_later";
    case WebhookResult::kError: return "error";
  }
  return "error";
}

}  // namespace

WebhookProbe::WebhookProbe(prometheus::Registry& registry)
    : family_(prometheus::BuildCounter()
                  .Name("herald_listener_webhooks_total")
                  .Help("Webhook deliveries by result.")
                  .Register(registry)) {
  for (int i = 0; i < kWebhookResults; ++i) {
    counters_[i] = &family_.Add({{"result", Name(static_cast<WebhookResult>(i))}});
  }
}

}  // namespace herald::listener
