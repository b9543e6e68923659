// Mastodon: POST /api/v1/statuses with an Idempotency-Key header, so a request
// repeated after an unknown outcome returns the first status instead of
// posting a second one.
#include "publisher/connectors/http_outcome.h"
#include "publisher/connectors/network_connectors.h"

namespace herald::publisher {
namespace {

class MastodonConnector : public Connector {
 public:
  explicit MastodonConnector(ConnectorOptions options) : options_(std::move(options)) {}

  absl::StatusOr<AccountInfo> VerifyCredentials(const Endpoint& ep) override {
    auto body = GetJson(ep.base_url + "/api/v1/accounts/verify_credentials", ep.token, options_.timeout);
    if (!body.ok()) return body.status();
    if (!body->is_object() || !body->contains("id")) return absl::UnavailableError("mastodon: malformed account");
    return AccountInfo{body->value("id", ""), body->value("acct", "")};
  }

  PublishAttempt Publish(const Endpoint& ep, const OutgoingPost& post) override {
    HttpRequest req;
    req.method = "POST";
    req.url = ep.base_url + "/api/v1/statuses";
    req.timeout = options_.timeout;
    nlohmann::json body = {{"status", post.text}, {"visibility", "public"}};
    if (!post.in_reply_to_id.empty()) body["in_reply_to_id"] = post.in_reply_to_id;
    req.body = body.dump();
    req.headers = {{"Authorization", "Bearer " + ep.token}, {"Content-Type", "application/json"}};
    if (!post.idempotency_key.empty()) req.headers.emplace_back("Idempotency-Key", post.idempotency_key);
    auto res = SendHttp(req);
    PublishAttempt out = ClassifyHttp(res);
    if (out.kind == PublishAttempt::Kind::kAuthRejected) {
      // Mastodon says which in its error text.
      using P = PublishAttempt::AuthProblem;
      auto says = [&](const char* what) { return out.error.find(what) != std::string::npos; };
      return AuthRefused(out, says("expired")                         ? P::kExpired
                              : says("revoked")                       ? P::kRevoked
                              : says("disabled") || says("suspended") ? P::kSuspended
                                                                      : P::kInvalid);
    }
    if (out.kind != PublishAttempt::Kind::kPublished) return out;
    auto json = JsonBody(*res);
    if (!json.is_object() || !json.contains("id")) return MissingId(out, "a status id");
    out.remote_id = json.value("id", "");
    out.remote_url = json.value("url", "");
    return out;
  }

  bool IdempotentRetries() const override { return true; }
  bool SupportsReplies() const override { return true; }

  absl::StatusOr<std::vector<RemotePost>> RecentPosts(const Endpoint& ep, int limit, int64_t) override {
    auto body = GetJson(ep.base_url + "/api/v1/accounts/" + ep.account_id + "/statuses?limit=" + std::to_string(limit),
                        ep.token, options_.timeout);
    if (!body.ok()) return body.status();
    std::vector<RemotePost> out;
    for (const auto& s : *body) {
      if (s.is_object()) {
        out.push_back({s.value("id", ""), s.value("url", ""), s.value("content", ""), ParseTimeMs(s.value("created_at", ""))});
      }
    }
    return out;
  }

 private:
  ConnectorOptions options_;
};

}  // namespace

std::unique_ptr<Connector> MakeMastodonConnector(const ConnectorOptions& options) {
  return std::make_unique<MastodonConnector>(options);
}

}  // namespace herald::publisher
