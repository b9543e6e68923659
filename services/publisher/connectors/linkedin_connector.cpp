// LinkedIn Posts API: POST /rest/posts (versioned with LinkedIn-Version) as the
// member urn:li:person:<sub>; the new post's URN comes back in x-restli-id.
// No idempotency key: unknown outcomes are read back (GET /rest/posts?q=author).
// Images: POST /rest/images?action=initializeUpload names an upload URL and
// the image's URN; the bytes go there by PUT, and the post's content names
// the URN (one image) or every URN (multiImage). Metrics: the post's
// socialActions summary (likes, comments).
#include "publisher/connectors/http_outcome.h"
#include "publisher/connectors/media_upload.h"
#include "publisher/connectors/network_connectors.h"

namespace herald::publisher {
namespace {

// LinkedIn names the credential problem in `code`.
PublishAttempt JudgeAuth(const absl::StatusOr<HttpResponse>& res, PublishAttempt out) {
  if (out.kind != PublishAttempt::Kind::kAuthRejected || !res.ok()) return out;
  auto body = JsonBody(*res);
  std::string code = body.is_object() && body.contains("code") && body["code"].is_string() ? body["code"].get<std::string>() : "";
  using P = PublishAttempt::AuthProblem;
  if (code == "EXPIRED_ACCESS_TOKEN") return AuthRefused(out, P::kExpired);
  if (code == "REVOKED_ACCESS_TOKEN") return AuthRefused(out, P::kRevoked);
  if (res->status == 403 && out.error.find("restricted") != std::string::npos) return AuthRefused(out, P::kSuspended);
  return AuthRefused(out, P::kInvalid);
}

class LinkedInConnector : public Connector {
 public:
  explicit LinkedInConnector(ConnectorOptions options) : options_(std::move(options)) {}

  absl::StatusOr<AccountInfo> VerifyCredentials(const Endpoint& ep) override {
    auto body = GetJson(ep.base_url + "/v2/userinfo", ep.token, options_.timeout);
    if (!body.ok()) return body.status();
    if (!body->is_object() || !body->contains("sub")) return absl::UnavailableError("linkedin: malformed userinfo");
    return AccountInfo{body->value("sub", ""), body->value("name", "")};
  }

  PublishAttempt Publish(const Endpoint& ep, const OutgoingPost& post) override {
    if (!post.in_reply_to_id.empty()) return Comment(ep, post);
    nlohmann::json images = nlohmann::json::array();
    if (!post.media_urls.empty()) {
      FetchedMedia media = FetchMedia(post.media_urls, herald::common::v1::NETWORK_LINKEDIN, options_);
      if (!media.ok) return media.failure;
      for (const auto& file : media.files) {
        std::string urn;
        PublishAttempt up = UploadImage(ep, file, &urn);
        if (up.kind != PublishAttempt::Kind::kPublished) return up;
        images.push_back({{"id", urn}, {"altText", ""}});
      }
    }
    nlohmann::json body = {{"author", "urn:li:person:" + ep.account_id},
                           {"commentary", post.text},
                           {"visibility", "PUBLIC"},
                           {"distribution",
                            {{"feedDistribution", "MAIN_FEED"},
                             {"targetEntities", nlohmann::json::array()},
                             {"thirdPartyDistributionChannels", nlohmann::json::array()}}},
                           {"lifecycleState", "PUBLISHED"},
                           {"isReshareDisabledByAuthor", false}};
    if (images.size() == 1) body["content"] = {{"media", images[0]}};
    if (images.size() > 1) body["content"] = {{"multiImage", {{"images", images}}}};
    auto res = Send("POST", ep.base_url + "/rest/posts", ep, body.dump());
    PublishAttempt out = Judge(res);
    if (out.kind != PublishAttempt::Kind::kPublished) return out;
    out.remote_id = res->Header("x-restli-id");
    if (out.remote_id.empty()) return MissingId(out, "x-restli-id");
    out.remote_url = "https://www.linkedin.com/feed/update/" + out.remote_id;
    return out;
  }

  absl::StatusOr<HttpResponse> Send(const std::string& method, const std::string& url, const Endpoint& ep,
                                    std::string body) {
    HttpRequest req;
    req.method = method;
    req.url = url;
    req.timeout = options_.timeout;
    req.body = std::move(body);
    req.headers = Headers();
    req.headers.emplace_back("Authorization", "Bearer " + ep.token);
    req.headers.emplace_back("Content-Type", "application/json");
    return SendHttp(req);
  }

  PublishAttempt Judge(const absl::StatusOr<HttpResponse>& res) {
    PublishAttempt out = JudgeAuth(res, ClassifyHttp(res));
    if (res.ok() && res->status == 426) {
      out.error = "LinkedIn no longer serves API version " + options_.api_version +
                  ": set networks.linkedin.api.version in the networks file to an active version (LinkedIn said: " +
                  out.error + ")";
    }
    return out;
  }

  // initializeUpload, then the bytes PUT to the upload URL LinkedIn named.
  PublishAttempt UploadImage(const Endpoint& ep, const MediaFile& file, std::string* urn) {
    nlohmann::json init = {{"initializeUploadRequest", {{"owner", "urn:li:person:" + ep.account_id}}}};
    auto res = Send("POST", ep.base_url + "/rest/images?action=initializeUpload", ep, init.dump());
    PublishAttempt out = UploadStep(Judge(res), "image initializeUpload");
    if (out.kind != PublishAttempt::Kind::kPublished) return out;
    auto json = JsonBody(*res);
    const nlohmann::json* value = json.is_object() && json.contains("value") && json["value"].is_object() ? &json["value"] : nullptr;
    std::string upload_url = value ? value->value("uploadUrl", "") : "";
    *urn = value ? value->value("image", "") : "";
    if (upload_url.empty() || urn->empty()) return UploadStep(MissingId(out, "value.uploadUrl and value.image"), "image initializeUpload");
    HttpRequest put;
    put.method = "PUT";
    put.url = upload_url;
    put.timeout = options_.timeout;
    put.headers = {{"Authorization", "Bearer " + ep.token}, {"Content-Type", "application/octet-stream"}};
    put.body = file.bytes;
    auto sent = SendHttp(put);
    return UploadStep(JudgeAuth(sent, ClassifyHttp(sent)), "image upload");
  }

  bool IdempotentRetries() const override { return false; }
  bool SupportsReplies() const override { return true; }

  // Comments on the post (or comment) replied to, newest first.
  absl::StatusOr<std::vector<RemotePost>> RecentReplies(const Endpoint& ep, const std::string& parent_id, int limit,
                                                        int64_t since_ms) override {
    auto body = GetJson(ep.base_url + "/rest/socialActions/" + UrlEncode(parent_id) + "/comments?count=" +
                            std::to_string(limit),
                        ep.token, options_.timeout, Headers());
    if (!body.ok()) return body.status();
    std::vector<RemotePost> out;
    if (body->contains("elements") && (*body)["elements"].is_array()) {
      for (const auto& e : (*body)["elements"]) {
        int64_t created = e.contains("created") && e["created"].is_object() ? e["created"].value("time", int64_t{0}) : 0;
        if (created && created < since_ms) continue;
        std::string text = e.contains("message") && e["message"].is_object() ? e["message"].value("text", "") : "";
        out.push_back({e.value("id", ""), "", text, created});
      }
    }
    return out;
  }

  absl::StatusOr<std::vector<RemotePost>> RecentPosts(const Endpoint& ep, int limit, int64_t) override {
    auto body = GetJson(ep.base_url + "/rest/posts?q=author&author=" + UrlEncode("urn:li:person:" + ep.account_id) +
                            "&count=" + std::to_string(limit),
                        ep.token, options_.timeout, {{"LinkedIn-Version", options_.api_version}, {"X-Restli-Protocol-Version", "2.0.0"}});
    if (!body.ok()) return body.status();
    std::vector<RemotePost> out;
    if (body->contains("elements") && (*body)["elements"].is_array()) {
      for (const auto& e : (*body)["elements"]) {
        std::string id = e.value("id", "");
        int media = 0;  // no content: a text post
        if (e.contains("content") && e["content"].is_object()) {
          const auto& content = e["content"];
          media = content.contains("media")                                         ? 1
                  : content.contains("multiImage") && content["multiImage"].is_object() &&
                          content["multiImage"].contains("images") && content["multiImage"]["images"].is_array()
                      ? static_cast<int>(content["multiImage"]["images"].size())
                      : -1;  // an article, a poll...: not ours to count
        }
        out.push_back({id, "https://www.linkedin.com/feed/update/" + id, e.value("commentary", ""),
                       e.value("createdAt", int64_t{0}), media});
      }
    }
    return out;
  }

  // A post's social actions summary: likes (all reactions) and comments.
  // Impressions and reshares are organization-page statistics LinkedIn does
  // not give a member's posts; they stay absent.
  bool ReadsMetrics() const override { return true; }
  MetricsRead ReadMetrics(const Endpoint& ep, const std::string& remote_id) override {
    MetricsRead read;
    HttpRequest req = BearerGet(ep.base_url + "/rest/socialActions/" + UrlEncode(remote_id), ep.token, options_.timeout);
    for (auto& h : Headers()) req.headers.push_back(std::move(h));
    auto body = ReadJson(req, read);
    if (!body) return read;
    if (!body->is_object()) {
      read.status = absl::UnavailableError("LinkedIn answered something other than social actions");
      return read;
    }
    if (body->contains("likesSummary")) read.counts.likes = CountField((*body)["likesSummary"], "totalLikes");
    if (body->contains("commentsSummary")) {
      read.counts.replies = CountField((*body)["commentsSummary"], "aggregatedTotalComments");
    }
    return read;
  }

 private:
  std::vector<std::pair<std::string, std::string>> Headers() const {
    return {{"LinkedIn-Version", options_.api_version}, {"X-Restli-Protocol-Version", "2.0.0"}};
  }

  // A reply is a comment: POST /rest/socialActions/{parent urn}/comments as
  // the member; the comment's URN comes back in x-restli-id.
  PublishAttempt Comment(const Endpoint& ep, const OutgoingPost& post) {
    HttpRequest req;
    req.method = "POST";
    req.url = ep.base_url + "/rest/socialActions/" + UrlEncode(post.in_reply_to_id) + "/comments";
    req.timeout = options_.timeout;
    req.body = nlohmann::json{{"actor", "urn:li:person:" + ep.account_id},
                              {"object", post.in_reply_to_id},
                              {"message", {{"text", post.text}}}}
                   .dump();
    req.headers = Headers();
    req.headers.emplace_back("Authorization", "Bearer " + ep.token);
    req.headers.emplace_back("Content-Type", "application/json");
    auto res = SendHttp(req);
    PublishAttempt out = JudgeAuth(res, ClassifyHttp(res));
    if (out.kind != PublishAttempt::Kind::kPublished) return out;
    out.remote_id = res->Header("x-restli-id");
    if (out.remote_id.empty()) return MissingId(out, "x-restli-id");
    out.remote_url = "https://www.linkedin.com/feed/update/" + post.in_reply_to_id;
    return out;
  }

  ConnectorOptions options_;
};

}  // namespace

std::unique_ptr<Connector> MakeLinkedInConnector(const ConnectorOptions& options) {
  return std::make_unique<LinkedInConnector>(options);
}

}  // namespace herald::publisher
