// X API v2: POST /2/tweets with the user's OAuth 2.0 token. X has no
// idempotency key, so an unknown outcome is reconciled by reading the user's
// recent posts back (GET /2/users/{id}/tweets) before any retry. Images go
// through v2's chunked media upload (initialize, append, finalize, and
// STATUS while X still processes them); the post names their media ids.
//
// Listening: GET /2/users/:id/mentions and GET /2/tweets/search/recent (a
// post's replies are the search conversation_id:<id>), newest first, paged
// back with pagination_token; authors come in includes.users.
#include <algorithm>
#include <map>

#include "common/time_util.h"
#include "publisher/connectors/http_outcome.h"
#include "publisher/connectors/inbound_sweep.h"
#include "publisher/connectors/media_upload.h"
#include "publisher/connectors/network_connectors.h"
#include "publisher/media/media_type.h"

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
    std::vector<std::string> media_ids;
    if (!post.media_urls.empty()) {
      FetchedMedia media = FetchMedia(post.media_urls, herald::common::v1::NETWORK_X, options_);
      if (!media.ok) return media.failure;
      for (const auto& file : media.files) {
        PublishAttempt up = Upload(ep, file, &media_ids);
        if (up.kind != PublishAttempt::Kind::kPublished) return up;
      }
    }
    HttpRequest req;
    req.method = "POST";
    req.url = ep.base_url + "/2/tweets";
    req.timeout = options_.timeout;
    nlohmann::json body = {{"text", post.text}};
    if (!post.in_reply_to_id.empty()) body["reply"] = {{"in_reply_to_tweet_id", post.in_reply_to_id}};
    if (!media_ids.empty()) body["media"] = {{"media_ids", media_ids}};
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

  // One call of the upload: JSON or a multipart form; `reply` gets the body.
  PublishAttempt Call(const Endpoint& ep, const std::string& path, const std::string& type, std::string body,
                      nlohmann::json* reply) {
    HttpRequest req;
    req.method = "POST";
    req.url = ep.base_url + path;
    req.timeout = options_.timeout;
    req.headers = {{"Authorization", "Bearer " + ep.token}, {"Content-Type", type}};
    req.body = std::move(body);
    auto res = SendHttp(req);
    PublishAttempt out = ClassifyHttp(res);
    if (res.ok() && res->status == 403) out = JudgeForbidden(JsonBody(*res), out);
    if (out.kind == PublishAttempt::Kind::kPublished) *reply = JsonBody(*res);
    return UploadStep(out, "media upload " + path.substr(path.rfind('/') + 1));
  }

  PublishAttempt Upload(const Endpoint& ep, const MediaFile& file, std::vector<std::string>* ids) {
    constexpr size_t kChunk = 1 << 20;
    nlohmann::json reply;
    nlohmann::json init = {{"media_type", file.type},
                           {"total_bytes", file.bytes.size()},
                           {"media_category", file.type == "image/gif" ? "tweet_gif" : "tweet_image"}};
    PublishAttempt out = Call(ep, "/2/media/upload/initialize", "application/json", init.dump(), &reply);
    if (out.kind != PublishAttempt::Kind::kPublished) return out;
    std::string id = reply.is_object() && reply.contains("data") && reply["data"].is_object()
                         ? reply["data"].value("id", "")
                         : "";
    if (id.empty()) return UploadStep(MissingId(out, "data.id"), "media upload initialize");
    for (size_t at = 0, segment = 0; at < file.bytes.size(); at += kChunk, ++segment) {
      Multipart form;
      form.Field("segment_index", std::to_string(segment));
      form.File("media", "blob", "application/octet-stream", file.bytes.substr(at, kChunk));
      std::string type = form.ContentType();
      out = Call(ep, "/2/media/upload/" + id + "/append", type, form.Finish(), &reply);
      if (out.kind != PublishAttempt::Kind::kPublished) return out;
    }
    out = Call(ep, "/2/media/upload/" + id + "/finalize", "application/json", "{}", &reply);
    if (out.kind != PublishAttempt::Kind::kPublished) return out;
    auto processing = [](const nlohmann::json& j) -> std::string {
      if (!j.is_object() || !j.contains("data") || !j["data"].is_object()) return "";
      const auto& d = j["data"];
      if (!d.contains("processing_info") || !d["processing_info"].is_object()) return "";
      return d["processing_info"].value("state", "");
    };
    if (std::string state = processing(reply); !state.empty() && state != "succeeded") {
      out = AwaitProcessing(options_, "X's media " + id, [&]() -> std::optional<PublishAttempt> {
        auto status = GetJson(ep.base_url + "/2/media/upload?command=STATUS&media_id=" + id, ep.token, options_.timeout);
        PublishAttempt step;
        if (!status.ok()) {
          step.kind = PublishAttempt::Kind::kTransient;
          step.error = "media status: " + std::string(status.status().message());
          return step;
        }
        std::string now = processing(*status);
        if (now == "pending" || now == "in_progress") return std::nullopt;
        step.kind = now == "failed" ? PublishAttempt::Kind::kContentRejected : PublishAttempt::Kind::kPublished;
        if (now == "failed") step.error = "X could not process media " + id;
        return step;
      });
      if (out.kind != PublishAttempt::Kind::kPublished) return out;
    }
    ids->push_back(id);
    return out;
  }

  bool IdempotentRetries() const override { return false; }
  bool SupportsReplies() const override { return true; }

  absl::StatusOr<std::vector<RemotePost>> RecentPosts(const Endpoint& ep, int limit, int64_t since_ms) override {
    auto body = GetJson(ep.base_url + "/2/users/" + ep.account_id + "/tweets?tweet.fields=created_at,attachments&max_results=" + std::to_string(std::clamp(limit, 5, 100)) +
                            "&start_time=" + FormatRfc3339(since_ms),
                        ep.token, options_.timeout);
    if (!body.ok()) return body.status();
    std::vector<RemotePost> out;
    if (body->contains("data") && (*body)["data"].is_array()) {
      for (const auto& t : (*body)["data"]) {
        std::string id = t.value("id", "");
        // attachments is left out of a post without media.
        int media = t.contains("attachments") && t["attachments"].is_object() && t["attachments"].contains("media_keys") &&
                            t["attachments"]["media_keys"].is_array()
                        ? static_cast<int>(t["attachments"]["media_keys"].size())
                        : 0;
        out.push_back({id, "https://x.com/i/web/status/" + id, t.value("text", ""), ParseTimeMs(t.value("created_at", "")),
                       media});
      }
    }
    return out;
  }

  // public_metrics is what any app token sees; impressions are in it since
  // 2022. Link clicks and video views need the owner's user context
  // (non_public_metrics) and are left absent.
  bool ReadsMetrics() const override { return true; }
  MetricsRead ReadMetrics(const Endpoint& ep, const std::string& remote_id) override {
    MetricsRead read;
    auto body = ReadJson(
        BearerGet(ep.base_url + "/2/tweets/" + UrlEncode(remote_id) + "?tweet.fields=public_metrics", ep.token,
                  options_.timeout),
        read);
    if (!body) return read;
    if (!body->contains("data") || !(*body)["data"].is_object() || !(*body)["data"].contains("public_metrics")) {
      // X answers a deleted or hidden post with 200 and an "errors" list.
      bool gone = body->contains("errors") && (*body)["errors"].is_array() &&
                  body->dump().find("resource-not-found") != std::string::npos;
      read.status = gone ? absl::NotFoundError("X has no such post (deleted?)")
                         : absl::UnavailableError("X answered without the post's public_metrics");
      return read;
    }
    const auto& m = (*body)["data"]["public_metrics"];
    read.counts.impressions = CountField(m, "impression_count");
    read.counts.likes = CountField(m, "like_count");
    read.counts.replies = CountField(m, "reply_count");
    read.counts.reposts = CountField(m, "retweet_count");
    read.counts.quotes = CountField(m, "quote_count");
    read.counts.saves = CountField(m, "bookmark_count");
    return read;
  }

  bool ReadsFollowers() const override { return true; }
  AccountRead ReadAccount(const Endpoint& ep) override {
    AccountRead read;
    auto body = ReadJson(BearerGet(ep.base_url + "/2/users/me?user.fields=public_metrics", ep.token, options_.timeout),
                         read);
    if (!body) return read;
    if (!body->contains("data") || !(*body)["data"].is_object() || !(*body)["data"].contains("public_metrics")) {
      read.status = absl::UnavailableError("X answered without the user's public_metrics");
      return read;
    }
    read.followers = CountField((*body)["data"]["public_metrics"], "followers_count");
    return read;
  }

  InboundRead ReadInbound(const Endpoint& ep, const InboundQuery& q) override {
    InboundRead read;
    SweepCursor cursor;
    if (!BeginRead(q, &cursor, &read)) return read;
    std::string url;
    using S = InboundQuery::Stream;
    if (q.stream == S::kMentions) {
      url = ep.base_url + "/2/users/" + UrlEncode(ep.account_id) + "/mentions?";
    } else {
      std::string query;
      if (q.stream == S::kSearch) {
        for (const auto& t : q.terms) query += (query.empty() ? "" : " OR ") + t;
        query = "(" + query + ") -is:retweet";
      } else {
        query = "conversation_id:" + q.post_id;
      }
      url = ep.base_url + "/2/tweets/search/recent?query=" + UrlEncode(query) + "&";
    }
    url += "max_results=" + std::to_string(std::clamp(q.limit, 10, 100)) +
           "&tweet.fields=created_at,conversation_id,in_reply_to_user_id,lang,referenced_tweets,author_id"
           "&expansions=author_id&user.fields=username";
    if (!cursor.page.empty()) url += "&pagination_token=" + UrlEncode(cursor.page);
    HttpRequest req;
    req.url = url;
    req.timeout = options_.timeout;
    req.headers = {{"Authorization", "Bearer " + ep.token}};
    auto body = ReadJson(req, read);
    if (!body) return read;
    std::map<std::string, std::string> handles;  // author id → username
    if (body->contains("includes") && (*body)["includes"].is_object() && (*body)["includes"].contains("users") &&
        (*body)["includes"]["users"].is_array()) {
      for (const auto& u : (*body)["includes"]["users"]) {
        if (u.is_object()) handles[u.value("id", "")] = u.value("username", "");
      }
    }
    std::vector<InboundPost> items;
    if (body->contains("data") && (*body)["data"].is_array()) {
      for (const auto& t : (*body)["data"]) {
        if (!t.is_object()) continue;
        InboundPost p;
        p.remote_id = t.value("id", "");
        p.order_key = p.remote_id;
        p.text = t.value("text", "");
        p.author_id = t.value("author_id", "");
        p.author_handle = handles[p.author_id];
        p.url = "https://x.com/" + (p.author_handle.empty() ? "i/web" : p.author_handle) + "/status/" + p.remote_id;
        p.language = t.value("lang", "");
        p.created_ms = ParseTimeMs(t.value("created_at", ""));
        p.thread_id = t.value("conversation_id", p.remote_id);
        if (t.contains("referenced_tweets") && t["referenced_tweets"].is_array()) {
          for (const auto& r : t["referenced_tweets"]) {
            if (r.is_object() && r.value("type", "") == "replied_to") p.parent_id = r.value("id", "");
          }
        }
        p.kind = !p.parent_id.empty() && t.value("in_reply_to_user_id", "") == ep.account_id
                     ? herald::common::v1::MENTION_KIND_REPLY
                     : herald::common::v1::MENTION_KIND_MENTION;
        items.push_back(std::move(p));
      }
    }
    std::string next;
    if (body->contains("meta") && (*body)["meta"].is_object()) next = (*body)["meta"].value("next_token", "");
    read.page = SweepPage(cursor, std::move(items), next);
    return read;
  }

 private:
  ConnectorOptions options_;
};

}  // namespace

std::unique_ptr<Connector> MakeXConnector(const ConnectorOptions& options) {
  return std::make_unique<XConnector>(options);
}

}  // namespace herald::publisher
