#include "publisher/webhooks/webhook_event.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "common/consumer_groups.h"
#include "common/time_util.h"
#include "herald/events/v1/events.pb.h"
#include "herald/topics.h"
#include "publisher/network_catalog.h"

namespace herald::publisher {
namespace {

using nlohmann::json;
namespace ev = herald::events::v1;

// "ERROR_CLASS_AUTH" → "auth": enum names as the envelope's lowercase words.
std::string EnumWord(const std::string& name, std::string_view prefix) {
  std::string word = name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
  std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) { return std::tolower(c); });
  return word;
}

std::optional<WebhookEvent> Envelope(const herald::common::v1::EventMeta& meta, const std::string& type, json data) {
  if (meta.workspace_id().empty() || meta.event_id().empty()) return std::nullopt;
  json body = {{"id", meta.event_id()},
               {"type", type},
               {"workspace_id", meta.workspace_id()},
               {"created_at", FormatRfc3339(ToMs(meta.occurred_at()))},
               {"data", std::move(data)}};
  return WebhookEvent{meta.workspace_id(), type, meta.event_id(), body.dump()};
}

std::optional<WebhookEvent> FromResult(const std::string& value) {
  ev::PublishResult r;
  if (!r.ParseFromString(value)) return std::nullopt;
  json data = {{"post_id", r.post_id()},
               {"channel_id", r.channel_id()},
               {"network", NetworkName(r.network())},
               {"occurrence_time", FormatRfc3339(r.occurrence_ms())}};
  if (!r.campaign_id().empty()) data["campaign_id"] = r.campaign_id();
  if (r.outcome() == ev::PUBLISH_OUTCOME_PUBLISHED) {
    data["remote_id"] = r.remote_id();
    data["remote_url"] = r.remote_url();
    if (r.has_published_at()) data["published_at"] = FormatRfc3339(ToMs(r.published_at()));
    return Envelope(r.meta(), "post.published", std::move(data));
  }
  if (r.outcome() == ev::PUBLISH_OUTCOME_FAILED) {
    data["error_class"] = EnumWord(ev::ErrorClass_Name(r.error_class()), "ERROR_CLASS_");
    data["error_message"] = r.error_message();
    return Envelope(r.meta(), "post.failed", std::move(data));
  }
  return std::nullopt;  // retries and deferrals are not events anyone subscribes to
}

std::optional<WebhookEvent> FromMention(const std::string& value) {
  ev::MentionReceived m;
  if (!m.ParseFromString(value)) return std::nullopt;
  return Envelope(m.meta(), "mention.received",
                  {{"mention_id", m.mention_id()},
                   {"network", NetworkName(m.network())},
                   {"channel_id", m.channel_id()},
                   {"conversation_id", m.conversation_id()},
                   {"remote_id", m.remote_id()},
                   {"author_handle", m.author_handle()},
                   {"text", m.text()},
                   {"url", m.url()},
                   {"created_at", FormatRfc3339(ToMs(m.created_at()))}});
}

std::optional<WebhookEvent> FromChannelStatus(const std::string& value) {
  ev::ChannelStatusChanged c;
  if (!c.ParseFromString(value)) return std::nullopt;
  return Envelope(c.meta(), "channel.status_changed",
                  {{"channel_id", c.channel_id()},
                   {"network", NetworkName(c.network())},
                   {"status", EnumWord(c.status(), "CHANNEL_STATUS_")},
                   {"reason", c.reason()}});
}

std::optional<WebhookEvent> FromSpike(const std::string& value) {
  ev::ListeningSpike s;
  if (!s.ParseFromString(value)) return std::nullopt;
  return Envelope(s.meta(), "listening.spike",
                  {{"series_kind", s.series_kind()},
                   {"series_id", s.series_id()},
                   {"bucket_start", FormatRfc3339(ToMs(s.bucket_start()))},
                   {"count", s.count()},
                   {"baseline", s.baseline()},
                   {"z", s.z()}});
}

std::optional<WebhookEvent> FromSlaAlert(const std::string& value) {
  ev::InboxSlaAlert a;
  if (!a.ParseFromString(value)) return std::nullopt;
  if (a.kind() != "warning" && a.kind() != "breached") return std::nullopt;
  return Envelope(a.meta(), a.kind() == "warning" ? "inbox.sla_warning" : "inbox.sla_breached",
                  {{"conversation_id", a.conversation_id()},
                   {"target", a.target()},
                   {"due_at", FormatRfc3339(ToMs(a.due_at()))},
                   {"assignee_id", a.assignee_id()},
                   {"channel_id", a.channel_id()},
                   {"network", NetworkName(a.network())}});
}

// campaign.lifecycle carries the two campaign events anyone subscribes to.
std::optional<WebhookEvent> FromCampaign(const std::string& value) {
  ev::CampaignEvent e;
  if (!e.ParseFromString(value)) return std::nullopt;
  if (e.kind() == ev::CAMPAIGN_EVENT_KIND_BUDGET_ALERT && e.has_budget_alert()) {
    const auto& a = e.budget_alert();
    return Envelope(e.meta(), "budget.alert",
                    {{"campaign_id", e.campaign_id()},
                     {"campaign_name", e.name()},
                     {"day", a.day()},
                     {"reason", a.reason()},
                     {"currency", a.currency()},
                     {"day_spend_micros", a.day_spend_micros()},
                     {"planned_micros", a.planned_micros()},
                     {"daily_budget_micros", a.daily_budget_micros()},
                     {"total_spend_micros", a.total_spend_micros()},
                     {"total_budget_micros", a.total_budget_micros()}});
  }
  if (e.kind() == ev::CAMPAIGN_EVENT_KIND_EXPERIMENT_CONCLUDED && e.has_experiment()) {
    const auto& x = e.experiment();
    json variants = json::array();
    for (const auto& v : x.variants()) {
      variants.push_back({{"variant", v.variant()},
                          {"exposures", v.exposures()},
                          {"successes", v.successes()},
                          {"rate", v.rate()},
                          {"lift", v.lift()},
                          {"ci_low", v.ci_low()},
                          {"ci_high", v.ci_high()},
                          {"p_value", v.p_value()},
                          {"significant", v.significant()}});
    }
    return Envelope(e.meta(), "experiment.concluded",
                    {{"campaign_id", e.campaign_id()},
                     {"experiment_id", x.experiment_id()},
                     {"name", x.name()},
                     {"metric", x.metric()},
                     {"outcome", x.outcome()},
                     {"winner", x.winner()},
                     {"variants", std::move(variants)},
                     {"cancelled_post_ids", x.cancelled_post_ids()}});
  }
  return std::nullopt;  // created, updated, status changes: not webhook events
}

}  // namespace

const std::vector<std::string>& WebhookEventTypes() {
  static const std::vector<std::string> types = {"post.published",         "post.failed",          "mention.received",
                                                 "channel.status_changed", "listening.spike",      "experiment.concluded",
                                                 "budget.alert",           "inbox.sla_warning",    "inbox.sla_breached"};
  return types;
}

bool IsWebhookEventType(std::string_view type) {
  const auto& types = WebhookEventTypes();
  return std::find(types.begin(), types.end(), type) != types.end();
}

std::vector<std::string> WebhookSourceTopics() { return HeraldConsumerGroup("herald-publisher-webhooks").topics; }

std::optional<WebhookEvent> WebhookEventFrom(std::string_view topic, const std::string& value) {
  if (topic == topics::k_publish_results) return FromResult(value);
  if (topic == topics::k_mentions) return FromMention(value);
  if (topic == topics::k_channels_lifecycle) return FromChannelStatus(value);
  if (topic == topics::k_listening_alerts) return FromSpike(value);
  if (topic == topics::k_inbox_sla) return FromSlaAlert(value);
  if (topic == topics::k_campaign_lifecycle) return FromCampaign(value);
  return std::nullopt;
}

}  // namespace herald::publisher
