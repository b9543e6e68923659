// X API v2: POST /2/tweets with the user's OAuth 2.0 token. X has no
// idempotency key, so an unknown outcome is reconciled by reading the user's
// recent posts back (GET /2/users/{id}/tweets) before any retry.
#include <algorithm>

#include "common/time_util.h"
#include "publisher/connectors/http_outcome.h"
#include "publisher/connectors/network_connectors.h"

namespace herald::publisher {
namespace {

// X answers 403 for several unrelated things; the problem body tells them
// apart. Only a token or app problem needs the channel re-authorised.
PublishAttempt JudgeForbidden(const nlohmann::json& body, PublishAttempt out) {
  std::string detail = body.is_object() && body.contains("detail") && body["detail"].is_string()
                           ? body["detail"].get<std::string>()
                           : "";
  std::string type = body.is_object() && body.contains("type") && body["type"].is_string()
                         ? body["type"].get<std::string>()
                         : "";
  auto says = [&](const char* what) { return detail.find(what) != std::string::npos; };
  if (says("duplicate content")) {
    out.kind = PublishAttempt::Kind::kContentRejected;
    out.error = "X refuses a post identical to a recent one (duplicate content)";
  } else if (says("suspended")) {
    out.error = detail;
    out = AuthRefused(out, PublishAttempt::AuthProblem::kSuspended);
  } else if (type.find("client-forbidden") != std::string::npos) {
    out.kind = PublishAttempt::Kind::kAuthRejected;
    out.error = "X refuses the app (client-forbidden): check its project and access level: " + detail;
  } else if (says("not permitted") || says("not allowed")) {
    out.kind = PublishAttempt::Kind::kContentRejected;
    out.error = "X refused the post: " + detail;
  }
  return out;
}

class XConnector : public Connector {
 public:
  explicit XConnector(ConnectorOptions options) : options_(std::move(options)) {}

  absl::StatusOr<AccountInfo> VerifyCredentials(const Endpoint& ep) override {
    auto body = GetJson(ep.base_url + "/2/users/me", ep.token, options_.timeout);
    if (!body.ok()) return body.status();
    if (!body->contains("data") || !(*body)["data"].is_object()) return absl::UnavailableError("x: malformed user");
    const auto& d = (*body)["data"];
    return AccountInfo{d.value("id", ""), d.value("username", "")};
  }

  PublishAttempt Publish(const Endpoint& ep, const OutgoingPost& post) override {
    HttpRequest req;
    req.method = "POST";
    req.url = ep.base_url + "/2/tweets";
    req.timeout = options_.timeout;
    nlohmann::json body = {{"text", post.text}};
    if (!post.in_reply_to_id.empty()) body["reply"] = {{"in_reply_to_tweet_id", post.in_reply_to_id}};
    req.body = body.dump();
    req.headers = {{"Authorization", "Bearer " + ep.token}, {"Content-Type", "application/json"}};
    auto res = SendHttp(req);
    PublishAttempt out = ClassifyHttp(res);
    if (res.ok() && res->status == 403) out = JudgeForbidden(JsonBody(*res), out);
    if (out.kind != PublishAttempt::Kind::kPublished) return out;
    auto json = JsonBody(*res);
    if (!json.is_object() || !json.contains("data") || !json["data"].is_object() || !json["data"].contains("id")) {
      return MissingId(out, "data.id");
    }
    out.remote_id = json["data"].value("id", "");
    out.remote_url = "https://x.com/i/web/status/" + out.remote_id;
    return out;
  }

  bool IdempotentRetries() const override { return false; }
  bool SupportsReplies() const override { return true; }

  absl::StatusOr<std::vector<RemotePost>> RecentPosts(const Endpoint& ep, int limit, int64_t since_ms) override {
    auto body = GetJson(ep.base_url + "/2/users/" + ep.account_id + "/tweets?tweet.fields=created_at&max_results=" + std::to_string(std::clamp(limit, 5, 100)) +
                            "&start_time=" + FormatRfc3339(since_ms),
                        ep.token, options_.timeout);
    if (!body.ok()) return body.status();
    std::vector<RemotePost> out;
    if (body->contains("data") && (*body)["data"].is_array()) {
      for (const auto& t : (*body)["data"]) {
        std::string id = t.value("id", "");
        out.push_back({id, "https://x.com/i/web/status/" + id, t.value("text", ""), ParseTimeMs(t.value("created_at", ""))});
      }
    }
    return out;
  }

 private:
  ConnectorOptions options_;
};

}  // namespace

std::unique_ptr<Connector> MakeXConnector(const ConnectorOptions& options) {
  return std::make_unique<XConnector>(options);
}

}  // namespace herald::publisher
