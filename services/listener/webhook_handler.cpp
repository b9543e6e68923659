#include "listener/webhook_handler.h"

#include <nlohmann/json.hpp>

#include "common/hmac.h"
#include "common/ids.h"
#include "listener/mention_parser.h"
#include "listener/webhook_challenges.h"

namespace herald::listener {
namespace {

WebhookReply Json(int status, nlohmann::json body) { return {status, body.dump(), {}}; }

}  // namespace

WebhookHandler::WebhookHandler(MentionIngest& ingest, std::string secret, const Clock& clock,
                               prometheus::Registry& registry, PollStore* accounts, NetworkWebhookSecrets secrets)
    : ingest_(ingest),
      accounts_(accounts),
      secrets_(std::move(secrets)),
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

  const std::string id = mention->mention_id();
  switch (ingest_.Ingest(ws, *std::move(mention))) {
    case IngestResult::kAccepted:
      return Count(WebhookResult::kAccepted, Json(202, {{"status", "accepted"}, {"mention_id", id}}));
    case IngestResult::kDuplicate:
      return Count(WebhookResult::kDuplicate, Json(200, {{"status", "duplicate"}, {"mention_id", id}}));
    case IngestResult::kPending: {
      WebhookReply reply{409, nlohmann::json{{"error", "this mention is being processed; retry"}}.dump(),
                         {{"Retry-After", "5"}}};
      return Count(WebhookResult::kRetryLater, std::move(reply));
    }
    default:
      return Count(WebhookResult::kError, Json(503, {{"error", "storage or event bus unavailable; retry"}}));
  }
}

WebhookReply WebhookHandler::MetaChallenge(const std::string& mode, const std::string& token,
                                          const std::string& challenge) {
  if (secrets_.meta_verify_token.empty()) return Json(404, {{"error", "Meta webhooks are not configured"}});
  auto answer = AnswerMetaChallenge(mode, token, challenge, secrets_.meta_verify_token);
  if (!answer) return Count(WebhookResult::kBadSignature, Json(403, {{"error", "hub.verify_token: not this subscription's"}}));
  return {200, *answer, {}};
}

WebhookReply WebhookHandler::XCrc(const std::string& crc_token) {
  if (secrets_.x_consumer_secret.empty()) return Json(404, {{"error", "X webhooks are not configured"}});
  auto answer = AnswerXCrc(secrets_.x_consumer_secret, crc_token);
  if (!answer) return Count(WebhookResult::kBadRequest, Json(400, {{"error", "crc_token: required, at most 256 bytes"}}));
  return {200, *answer, {}};
}

WebhookReply WebhookHandler::HandleMeta(const std::string& body, const std::string& signature) {
  if (secrets_.meta_app_secret.empty()) return Json(404, {{"error", "Meta webhooks are not configured"}});
  if (!VerifySignatureHeader(secrets_.meta_app_secret, body, signature)) {
    return Count(WebhookResult::kBadSignature, Json(401, {{"error", "X-Hub-Signature-256: missing or wrong"}}));
  }
  auto items = ParseMetaWebhook(body);
  if (!items.ok()) return Count(WebhookResult::kBadRequest, Json(400, {{"error", std::string(items.status().message())}}));
  return IngestRouted(*items);
}

WebhookReply WebhookHandler::HandleX(const std::string& body, const std::string& signature) {
  if (secrets_.x_consumer_secret.empty()) return Json(404, {{"error", "X webhooks are not configured"}});
  if (!VerifyBase64SignatureHeader(secrets_.x_consumer_secret, body, signature)) {
    return Count(WebhookResult::kBadSignature, Json(401, {{"error", "x-twitter-webhooks-signature: missing or wrong"}}));
  }
  auto items = ParseXWebhook(body);
  if (!items.ok()) return Count(WebhookResult::kBadRequest, Json(400, {{"error", std::string(items.status().message())}}));
  return IngestRouted(*items);
}

WebhookReply WebhookHandler::IngestRouted(const std::vector<RoutedItem>& items) {
  int accepted = 0, duplicates = 0, unrouted = 0, refused = 0;
  bool retry = false;
  for (const auto& r : items) {
    auto channel = accounts_ ? accounts_->ChannelOfAccount(r.network, r.account_id)
                             : absl::StatusOr<std::optional<PollTarget>>(std::nullopt);
    if (!channel.ok()) {
      retry = true;
      continue;
    }
    if (!channel->has_value()) {
      ++unrouted;  // an account no workspace listens to
      continue;
    }
    const PollTarget& t = **channel;
    auto mention = MentionFromInbound(r.item, t.workspace_id, t.channel_id, r.network, clock_.NowMs(), "webhook");
    if (!mention.ok()) {
      ++refused;
      continue;
    }
    switch (ingest_.Ingest(t.workspace_id, *std::move(mention))) {
      case IngestResult::kAccepted: ++accepted; break;
      case IngestResult::kDuplicate: ++duplicates; break;
      default: retry = true;
    }
  }
  nlohmann::json summary = {{"accepted", accepted}, {"duplicates", duplicates}, {"unrouted", unrouted}, {"refused", refused}};
  if (retry) {
    // The network delivers again; what is in already counts as a duplicate then.
    summary["error"] = "some items could not be taken in now; retry";
    return Count(WebhookResult::kRetryLater, Json(503, summary));
  }
  return Count(accepted > 0 ? WebhookResult::kAccepted : WebhookResult::kDuplicate, Json(200, summary));
}

}  // namespace herald::listener
