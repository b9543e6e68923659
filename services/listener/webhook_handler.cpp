#include "listener/webhook_handler.h"

#include <nlohmann/json.hpp>

#include "common/hmac.h"
#include "common/ids.h"
#include "listener/mention_parser.h"

namespace herald::listener {
namespace {

WebhookReply Json(int status, nlohmann::json body) { return {status, body.dump(), {}}; }

}  // namespace

WebhookHandler::WebhookHandler(MentionIngest& ingest, std::string secret, const Clock& clock,
                               prometheus::Registry& registry)
    : ingest_(ingest), secret_(std::move(secret)), clock_(clock), probe_(registry) {}

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

}  // namespace herald::listener
