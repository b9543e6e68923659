// A generic signed webhook: POST the post as JSON to the channel's URL, signed
// "X-Herald-Signature: t=<unix s>,v1=<HMAC-SHA256(secret, "<t>.<body>")>" with
// the channel's secret (its token). Receivers dedupe on Idempotency-Key, which
// is stable per delivery — that is the contract that makes retries safe.
#include "common/clock.h"
#include "common/hmac.h"
#include "publisher/connectors/http_outcome.h"
#include "publisher/connectors/network_connectors.h"

namespace herald::publisher {
namespace {

class WebhookConnector : public Connector {
 public:
  explicit WebhookConnector(ConnectorOptions options) : options_(std::move(options)) {}

  absl::StatusOr<AccountInfo> VerifyCredentials(const Endpoint& ep) override {
    // Nothing to ask a plain URL; the first delivery proves it.
    if (ep.token.size() < 16) return absl::PermissionDeniedError("webhook secret shorter than 16 characters");
    return AccountInfo{"webhook", ep.base_url};
  }

  PublishAttempt Publish(const Endpoint& ep, const OutgoingPost& post) override {
    HttpRequest req;
    req.method = "POST";
    req.url = ep.base_url;
    req.timeout = options_.timeout;
    nlohmann::json body = {{"id", post.idempotency_key},
                           {"text", post.text},
                           {"media_urls", post.media_urls},
                           {"occurrence_ms", post.occurrence_ms}};
    if (!post.in_reply_to_id.empty()) body["in_reply_to_id"] = post.in_reply_to_id;
    req.body = body.dump();
    int64_t now_s = SystemClock::Instance().NowMs() / 1000;
    std::string secret = ep.token.empty() ? options_.webhook_secret : ep.token;
    req.headers = {{"Content-Type", "application/json"},
                   {"Idempotency-Key", post.idempotency_key},
                   {"X-Herald-Signature", TimestampedSignature(secret, now_s, req.body)}};
    auto res = SendHttp(req);
    PublishAttempt out = ClassifyHttp(res);
    if (out.kind != PublishAttempt::Kind::kPublished) return out;
    auto json = JsonBody(*res);
    out.remote_id = json.is_object() && json.contains("id") && json["id"].is_string() ? json["id"].get<std::string>()
                                                                                       : post.idempotency_key;
    return out;
  }

  bool IdempotentRetries() const override { return true; }
  bool SupportsReplies() const override { return true; }

  absl::StatusOr<std::vector<RemotePost>> RecentPosts(const Endpoint&, int, int64_t) override {
    return absl::UnimplementedError("a webhook cannot be read back");
  }

 private:
  ConnectorOptions options_;
};

}  // namespace

std::unique_ptr<Connector> MakeWebhookConnector(const ConnectorOptions& options) {
  return std::make_unique<WebhookConnector>(options);
}

}  // namespace herald::publisher
