#pragma once
// Which Kafka events become outbound webhook events, and the JSON envelope
// each is delivered as. No I/O: the dispatcher feeds it messages.
//   publish.results     PUBLISHED → post.published, FAILED → post.failed
//   mentions            → mention.received
//   channels.lifecycle  → channel.status_changed
//   listening.alerts    → listening.spike
//   inbox.sla           → inbox.sla_warning, inbox.sla_breached
//   campaign.lifecycle  BUDGET_ALERT → budget.alert,
//                       EXPERIMENT_CONCLUDED → experiment.concluded
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::publisher {

struct WebhookEvent {
  std::string workspace_id;
  std::string type;  // "post.published", ...
  // The event's id: the same when Kafka delivers the event again.
  std::string id;
  // {"id", "type", "workspace_id", "created_at", "data": {...}}
  std::string body;
};

// Every type a webhook may subscribe to.
const std::vector<std::string>& WebhookEventTypes();
bool IsWebhookEventType(std::string_view type);
// The topics whose messages can become webhook events.
std::vector<std::string> WebhookSourceTopics();

// The webhook event in one message of `topic`; nullopt when it carries none
// (another outcome, unparseable, no workspace).
std::optional<WebhookEvent> WebhookEventFrom(std::string_view topic, const std::string& value);

}  // namespace herald::publisher
