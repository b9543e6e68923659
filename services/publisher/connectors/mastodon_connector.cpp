// Mastodon: POST /api/v1/statuses with an Idempotency-Key header, so a retried
// request after an unknown outcome returns the first status instead of a
// second one.
#include <nlohmann/json.hpp>

#include "common/http_client.h"
#include "publisher/connectors/connector.h"

namespace herald::publisher {
namespace {

int64_t ParseRfc3339Ms(const std::string& s) {
  std::tm tm{};
  if (!strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

class MastodonConnector : public Connector {
 public:
  absl::StatusOr<AccountInfo> VerifyCredentials(const std::string& base_url, const std::string& token) override {
    HttpRequest req;
    req.url = base_url + "/api/v1/accounts/verify_credentials";
    req.headers = {{"Authorization", "Bearer " + token}};
    auto res = SendHttp(req);
    if (!res.ok()) return absl::UnavailableError("mastodon: " + std::string(res.status().message()));
    if (res->status == 401 || res->status == 403) return absl::PermissionDeniedError("token rejected by the server");
    if (res->status != 200) return absl::UnavailableError("mastodon verify_credentials: HTTP " + std::to_string(res->status));
    auto body = nlohmann::json::parse(res->body, nullptr, false);
    if (!body.is_object() || !body.contains("id")) return absl::UnavailableError("mastodon: malformed account");
    return AccountInfo{body.value("id", ""), body.value("acct", "")};
  }

  PublishAttempt Publish(const std::string& base_url, const std::string& token, const OutgoingPost& post) override {
    HttpRequest req;
    req.method = "POST";
    req.url = base_url + "/api/v1/statuses";
    nlohmann::json body = {{"status", post.text}, {"visibility", "public"}};
    if (!post.in_reply_to_id.empty()) body["in_reply_to_id"] = post.in_reply_to_id;
    req.body = body.dump();
    req.headers = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
    if (!post.idempotency_key.empty()) req.headers.emplace_back("Idempotency-Key", post.idempotency_key);
    auto res = SendHttp(req);

    PublishAttempt out;
    if (!res.ok()) {
      out.kind = absl::IsUnavailable(res.status()) ? PublishAttempt::Kind::kTransient
                                                   : PublishAttempt::Kind::kUnknownOutcome;
      out.error = std::string(res.status().message());
      return out;
    }
    if (auto r = res->Header("x-ratelimit-remaining"); !r.empty()) out.limit_remaining = std::atoll(r.c_str());
    if (auto r = res->Header("x-ratelimit-reset"); !r.empty()) out.limit_reset_ms = ParseRfc3339Ms(r);
    auto json = nlohmann::json::parse(res->body, nullptr, false);
    std::string error = json.is_object() ? json.value("error", "") : "";
    if (res->status >= 200 && res->status < 300) {
      if (!json.is_object() || !json.contains("id")) {
        out.kind = PublishAttempt::Kind::kUnknownOutcome;
        out.error = "2xx without a status id";
        return out;
      }
      out.kind = PublishAttempt::Kind::kPublished;
      out.remote_id = json.value("id", "");
      out.remote_url = json.value("url", "");
    } else if (res->status == 429) {
      out.kind = PublishAttempt::Kind::kRateLimited;
      out.retry_after_ms = std::atoll(res->Header("retry-after").c_str()) * 1000;
      out.error = "rate limited by the server";
    } else if (res->status == 401 || res->status == 403) {
      out.kind = PublishAttempt::Kind::kAuthRejected;
      out.error = error.empty() ? "token rejected" : error;
    } else if (res->status >= 500) {
      out.kind = PublishAttempt::Kind::kTransient;
      out.error = "HTTP " + std::to_string(res->status);
    } else {
      out.kind = PublishAttempt::Kind::kContentRejected;
      out.error = error.empty() ? "HTTP " + std::to_string(res->status) : error;
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Connector> MakeMastodonConnector() { return std::make_unique<MastodonConnector>(); }

}  // namespace herald::publisher
