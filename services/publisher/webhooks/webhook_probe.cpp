#include "publisher/webhooks/webhook_probe.h"

namespace herald::publisher {

WebhookProbe::WebhookProbe(prometheus::Registry& registry)
    : attempts_(prometheus::BuildCounter()
                    .Name("herald_webhook_attempts_total")
                    .Help("Outbound webhook delivery attempts by outcome (delivered, retrying, gave_up).")
                    .Register(registry)),
      queued_(prometheus::BuildCounter()
                  .Name("herald_webhook_events_total")
                  .Help("Webhook deliveries queued (one per subscribed webhook and event).")
                  .Register(registry)
                  .Add({})),
      backlog_(prometheus::BuildGauge()
                   .Name("herald_webhook_backlog")
                   .Help("Webhook deliveries waiting to be sent or retried.")
                   .Register(registry)
                   .Add({})) {
  attempt_counters_[v1::WEBHOOK_ATTEMPT_OUTCOME_DELIVERED] = &attempts_.Add({{"outcome", "delivered"}});
  attempt_counters_[v1::WEBHOOK_ATTEMPT_OUTCOME_RETRYING] = &attempts_.Add({{"outcome", "retrying"}});
  attempt_counters_[v1::WEBHOOK_ATTEMPT_OUTCOME_GAVE_UP] = &attempts_.Add({{"outcome", "gave_up"}});
}

void WebhookProbe::Attempted(v1::WebhookAttemptOutcome outcome) {
  auto i = static_cast<size_t>(outcome);
  if (i < attempt_counters_.size() && attempt_counters_[i]) attempt_counters_[i]->Increment();
}

}  // namespace herald::publisher
