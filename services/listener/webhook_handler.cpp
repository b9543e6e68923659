#include "listener/webhook_handler.h"

#include <nlohmann/json.hpp>

#include "common/events.h"
#include "common/hmac.h"
#include "common/ids.h"
#include "common/log.h"
#include "herald/topics.h"
#include "listener/mention_parser.h"
#include "listener/rules/rule_rules.h"

namespace herald::listener {
namespace {

WebhookReply Json(int status, nlohmann::json body) { return {status, body.dump(), {}}; }

}  // namespace

WebhookHandler::WebhookHandler(InboxStore& inbox, RuleStore& rules, KafkaProducer& producer, std::string secret,
                               const Clock& clock, prometheus::Registry& registry, SpikeWatch* spikes)
    : inbox_(inbox),
      rules_(rules),
      spikes_(spikes),
      producer_(producer),
      secret_(std::move(secret)),
      clock_(clock),
      probe_(registry) {}

WebhookReply WebhookHandler::Count(WebhookResult result, WebhookReply reply) {
  probe_.Handled(result);
  return reply;
}

WebhookReply WebhookHandler::HandleMastodon(const std::string& ws, const std::string& channel_id,
                                            const std::string& body, const std::string& signature_header) {
  if (!IsValidId(ws) || !IsValidId(channel_id)) {
    return Count(WebhookResult::kBadRequest, Json(400, {{"error", "path: workspace and channel must be 1-64 of [A-Za-z0-9_-]"}}));
  }
  const int64_t now_s = clock_.NowMs() / 1000;
  if (!VerifyInboundSignature(WorkspaceWebhookSecret(secret_, ws), ws, channel_id, body, signature_header, now_s)) {
    return Count(WebhookResult::kBadSignature,
                 Json(401, {{"error", "X-Herald-Signature: missing, not for this workspace and channel, or outside "
                                      "the 5-minute window"}}));
  }
  auto mention = ParseMastodonMention(body, ws, channel_id, clock_.NowMs());
  if (!mention.ok()) return Count(WebhookResult::kBadRequest, Json(400, {{"error", std::string(mention.status().message())}}));

  auto claim = inbox_.ClaimMention(ws, mention->mention_id());
  if (!claim.ok()) return Count(WebhookResult::kError, Json(503, {{"error", "storage unavailable"}}));
  if (*claim == InboxStore::Claim::kDone) {
    return Count(WebhookResult::kDuplicate, Json(200, {{"status", "duplicate"}, {"mention_id", mention->mention_id()}}));
  }
  if (*claim == InboxStore::Claim::kPending) {
    WebhookReply reply{409, nlohmann::json{{"error", "this mention is being processed; retry"}}.dump(),
                       {{"Retry-After", "5"}}};
    return Count(WebhookResult::kRetryLater, std::move(reply));
  }

  // The workspace's listening rules it matches (read per mention: a rule
  // applies from the next mention after it is created).
  auto rules = rules_.List(ws);
  if (!rules.ok()) {
    (void)inbox_.Release(ws, mention->mention_id());
    return Count(WebhookResult::kError, Json(503, {{"error", "storage unavailable"}}));
  }
  auto matched = RuleSet(*rules).Matching({mention->text(), mention->language(), "mastodon"});
  for (auto& id : matched.rule_ids) mention->add_rule_ids(std::move(id));
  for (auto& tag : matched.tags) mention->add_tags(std::move(tag));

  *mention->mutable_meta() = NewEventMeta(*mention, ws, clock_, "ev_" + mention->mention_id());
  auto produced = producer_.ProduceSync(topics::k_mentions, mention->conversation_id(), mention->SerializeAsString(),
                                        EventHeaders(mention->meta()));
  if (!produced.ok()) {
    (void)inbox_.Release(ws, mention->mention_id());
    log::Warn("mention not announced", {{"error", produced.ToString()}});
    return Count(WebhookResult::kError, Json(503, {{"error", "event bus unavailable; retry"}}));
  }
  if (auto s = inbox_.Complete(ws, ToInboxItem(*mention)); !s.ok()) {
    // On Kafka already: the pending claim expires and a redelivery would
    // announce it again, which consumers drop by event id.
    log::Warn("mention announced but not stored in the inbox", {{"error", s.ToString()}});
  }
  if (spikes_) {
    if (auto s = spikes_->Record(*mention); !s.ok()) {
      log::Warn("mention not counted for spike alerts", {{"error", s.ToString()}});
    }
  }
  log::Info("mention received", {{"mention_id", mention->mention_id()}, {"workspace_id", ws}});
  return Count(WebhookResult::kAccepted, Json(202, {{"status", "accepted"}, {"mention_id", mention->mention_id()}}));
}

}  // namespace herald::listener
