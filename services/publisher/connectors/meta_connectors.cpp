// Meta's Graph API: a Facebook Page's feed (POST /{page-id}/feed) and an
// Instagram professional account (POST /{ig-user-id}/media creates a container,
// POST /{ig-user-id}/media_publish publishes it). Neither has an idempotency
// key, so unknown outcomes are read back from the account's recent posts.
// Both fetch images from their URLs themselves: one Facebook photo is a post
// of its own (/{page-id}/photos); several are uploaded unpublished and
// attached to one feed post. Several Instagram images are a carousel: a
// container per image, then a carousel container naming them.
//
// Listening: what is said to a Page or an Instagram account is comments on
// its posts. A post's comments come from GET /{post}/comments (newest first,
// paged with cursors.after); "mentions" are the comments on the account's
// five most recent posts. Graph has no public search.
//
// Metrics: a Page post's reaction, comment and share summaries; an Instagram
// media's lifetime insights.
#include <algorithm>

#include "publisher/connectors/http_outcome.h"
#include "publisher/connectors/inbound_sweep.h"
#include "publisher/connectors/media_upload.h"
#include "publisher/connectors/network_connectors.h"

namespace herald::publisher {
namespace {

// {"error": {"code": N, ...}} → N, else 0.
int GraphErrorCode(const HttpResponse& res) {
  auto body = JsonBody(res);
  if (!body.is_object() || !body.contains("error") || !body["error"].is_object()) return 0;
  return body["error"].value("code", 0);
}

// ClassifyHttp, then what Graph says with error codes instead of statuses:
// throttling and refused tokens come as 400/403.
PublishAttempt ClassifyGraph(const absl::StatusOr<HttpResponse>& res) {
  PublishAttempt out = ClassifyHttp(res);
  if (res.ok() && res->status >= 400 && res->status < 500) {
    // The Graph API reports throttling and bad tokens as 400/403 with an error code.
    int code = GraphErrorCode(*res);
    if (code == 190 || code == 102) {
      // The subcode says why the token no longer works.
      auto body = JsonBody(*res);
      int sub = body.is_object() && body.contains("error") && body["error"].is_object()
                    ? body["error"].value("error_subcode", 0)
                    : 0;
      using P = PublishAttempt::AuthProblem;
      out = AuthRefused(out, sub == 463 || sub == 467       ? P::kExpired
                             : sub == 458 || sub == 460     ? P::kRevoked
                             : sub == 459 || sub == 464     ? P::kSuspended
                                                            : P::kInvalid);
    }
    if (code == 4 || code == 17 || code == 32 || code == 613 || code == 80001) {
      out.kind = PublishAttempt::Kind::kRateLimited;
      out.retry_after_ms = 60000;
      auto usage = nlohmann::json::parse(res->Header("x-business-use-case-usage"), nullptr, false);
      if (usage.is_object()) {
        for (const auto& [id, entries] : usage.items()) {
          for (const auto& e : entries) {
            int64_t minutes = e.is_object() ? e.value("estimated_time_to_regain_access", 0) : 0;
            if (minutes > 0) out.retry_after_ms = minutes * 60000;
          }
        }
      }
    }
  }
  return out;
}

PublishAttempt PostGraph(const Endpoint& ep, const std::string& version, const std::string& path, const nlohmann::json& body,
                         std::chrono::milliseconds timeout, nlohmann::json* reply) {
  HttpRequest req;
  req.method = "POST";
  req.url = ep.base_url + "/" + version + path;
  req.timeout = timeout;
  req.body = body.dump();
  req.headers = {{"Authorization", "Bearer " + ep.token}, {"Content-Type", "application/json"}};
  auto res = SendHttp(req);
  PublishAttempt out = ClassifyGraph(res);
  if (out.kind == PublishAttempt::Kind::kPublished) *reply = JsonBody(*res);
  return out;
}

// A Graph read: throttling and token codes judged as for posts; an object
// that "does not exist" (code 100, subcode 33) is NOT_FOUND.
std::optional<nlohmann::json> GraphReadJson(const HttpRequest& req, NetworkRead& read) {
  ++read.calls;
  auto res = SendHttp(req);
  auto body = ReadAnswer(res, ClassifyGraph(res), read);
  if (!body && res.ok() && GraphErrorCode(*res) == 100) {
    auto error = JsonBody(*res)["error"];
    if (error.is_object() && error.value("error_subcode", 0) == 33) {
      read.status = absl::NotFoundError(error.value("message", "Graph has no such object"));
    }
  }
  return body;
}

// A Page's or an Instagram account's followers_count.
AccountRead GraphFollowers(const Endpoint& ep, const std::string& version, std::chrono::milliseconds timeout) {
  AccountRead read;
  auto body = GraphReadJson(
      BearerGet(ep.base_url + "/" + version + "/" + UrlEncode(ep.account_id) + "?fields=followers_count", ep.token,
                timeout),
      read);
  if (body) read.followers = CountField(*body, "followers_count");
  return read;
}

absl::StatusOr<AccountInfo> GraphMe(const Endpoint& ep, const std::string& version, const char* name_field, std::chrono::milliseconds timeout) {
  HttpRequest req;
  req.url = ep.base_url + "/" + version + "/me?fields=id," + name_field;
  req.timeout = timeout;
  req.headers = {{"Authorization", "Bearer " + ep.token}};
  auto res = SendHttp(req);
  if (res.ok() && (res->status == 401 || GraphErrorCode(*res) == 190)) {
    return absl::PermissionDeniedError("token rejected by the network");
  }
  if (!res.ok() || res->status != 200) return absl::UnavailableError("graph /me failed");
  auto body = absl::StatusOr<nlohmann::json>(JsonBody(*res));
  if (!body->is_object() || !body->contains("id")) return absl::UnavailableError("graph: malformed /me");
  return AccountInfo{body->value("id", ""), body->value(name_field, "")};
}

// Names of the text, link and creation-time fields of an edge's items.
struct GraphFields {
  const char* text;
  const char* link;
  const char* created;
};

// GET /{account}/{edge}: the newest items created since since_ms.
absl::StatusOr<std::vector<RemotePost>> GraphRecent(const Endpoint& ep, const std::string& version,
                                                    const std::string& edge, GraphFields f,
                                                    int limit, int64_t since_ms, std::chrono::milliseconds timeout) {
  auto body = GetJson(ep.base_url + "/" + version + "/" + ep.account_id + "/" + edge + "?fields=id," + f.text + "," +
                          f.link + "," + f.created + "&limit=" + std::to_string(limit) +
                          "&since=" + std::to_string(since_ms / 1000),
                      ep.token, timeout);
  if (!body.ok()) return body.status();
  std::vector<RemotePost> out;
  if (body->contains("data") && (*body)["data"].is_array()) {
    for (const auto& p : (*body)["data"]) {
      out.push_back({p.value("id", ""), p.value(f.link, ""), p.value(f.text, ""), ParseTimeMs(p.value(f.created, ""))});
    }
  }
  return out;
}

// A reply is a comment on the post (or comment) replied to: POST
// /{object-id}/comments; the comment's id comes back.
PublishAttempt Comment(const Endpoint& ep, const std::string& version, const OutgoingPost& post,
                       std::chrono::milliseconds timeout, const std::string& site) {
  nlohmann::json reply;
  PublishAttempt out = PostGraph(ep, version, "/" + post.in_reply_to_id + "/comments", {{"message", post.text}},
                                 timeout, &reply);
  if (out.kind != PublishAttempt::Kind::kPublished) return out;
  if (!reply.is_object() || !reply.contains("id")) return MissingId(out, "comment id");
  out.remote_id = reply.value("id", "");
  out.remote_url = site + out.remote_id;
  return out;
}

// GET /{object-id}/<edge>, newest first: where a reply we made shows up. A
// Page's comments carry message and created_time; Instagram's comments and
// replies carry text and timestamp.
absl::StatusOr<std::vector<RemotePost>> Comments(const Endpoint& ep, const std::string& version,
                                                 const std::string& parent_id, int limit, int64_t since_ms,
                                                 std::chrono::milliseconds timeout, const std::string& edge = "comments",
                                                 GraphFields f = {"message", "", "created_time"}) {
  auto body = GetJson(ep.base_url + "/" + version + "/" + parent_id + "/" + edge + "?fields=id," + f.text + "," +
                          f.created + "&order=reverse_chronological&limit=" + std::to_string(limit),
                      ep.token, timeout);
  if (!body.ok()) return body.status();
  std::vector<RemotePost> out;
  if (body->contains("data") && (*body)["data"].is_array()) {
    for (const auto& c : (*body)["data"]) {
      int64_t created = ParseTimeMs(c.value(f.created, ""));
      if (created && created < since_ms) continue;
      out.push_back({c.value("id", ""), "", c.value(f.text, ""), created});
    }
  }
  return out;
}

// Names of what Graph calls the parts of a comment, per network.
struct GraphComment {
  const char* posts_edge;  // the account's posts: "feed" or "media"
  const char* text;        // "message" or "text"
  const char* created;     // "created_time" or "timestamp"
};

// One page of comments under `post_id`, newest first; `after` pages on.
std::vector<InboundPost> GraphComments(const Endpoint& ep, const std::string& version, const std::string& post_id,
                                       const GraphComment& f, int limit, const std::string& after,
                                       std::chrono::milliseconds timeout, InboundRead& read, std::string* next) {
  HttpRequest req;
  req.url = ep.base_url + "/" + version + "/" + UrlEncode(post_id) + "/comments?fields=id," + f.text + "," + f.created +
            ",from,username,parent&order=reverse_chronological&limit=" + std::to_string(limit) +
            (after.empty() ? "" : "&after=" + UrlEncode(after));
  req.timeout = timeout;
  req.headers = {{"Authorization", "Bearer " + ep.token}};
  std::vector<InboundPost> out;
  auto body = GraphReadJson(req, read);
  if (!body) return out;
  if (body->contains("data") && (*body)["data"].is_array()) {
    for (const auto& c : (*body)["data"]) {
      if (!c.is_object()) continue;
      InboundPost p;
      p.kind = herald::common::v1::MENTION_KIND_COMMENT;
      p.remote_id = c.value("id", "");
      p.text = c.value(f.text, "");
      p.created_ms = ParseTimeMs(c.value(f.created, ""));
      // Graph orders comments by time, which two may share.
      p.order_key = std::to_string(p.created_ms);
      if (c.contains("from") && c["from"].is_object()) {
        p.author_id = c["from"].value("id", "");
        p.author_handle = c["from"].value("username", c["from"].value("name", ""));
      }
      if (p.author_handle.empty()) p.author_handle = c.value("username", "");
      p.parent_id = c.contains("parent") && c["parent"].is_object() ? c["parent"].value("id", post_id) : post_id;
      p.thread_id = post_id;
      out.push_back(std::move(p));
    }
  }
  if (next && body->contains("paging") && (*body)["paging"].is_object() && (*body)["paging"].contains("next") &&
      (*body)["paging"].contains("cursors") && (*body)["paging"]["cursors"].is_object()) {
    *next = (*body)["paging"]["cursors"].value("after", "");
  }
  return out;
}

// Mentions read the recent posts and then each one's comments.
constexpr int kMentionPosts = 5;
int GraphReadCalls(const InboundQuery& q) { return q.stream == InboundQuery::Stream::kMentions ? 1 + kMentionPosts : 1; }

InboundRead GraphInbound(const Endpoint& ep, const std::string& version, const GraphComment& f, const InboundQuery& q,
                         std::chrono::milliseconds timeout) {
  InboundRead read;
  SweepCursor cursor;
  if (!BeginRead(q, &cursor, &read)) return read;
  const int limit = std::clamp(q.limit, 1, 100);
  using S = InboundQuery::Stream;
  if (q.stream == S::kSearch) {
    read.status = absl::InvalidArgumentError("Graph has no public search; listen to comments instead");
    return read;
  }
  if (q.stream == S::kReplies) {
    std::string next;
    auto items = GraphComments(ep, version, q.post_id, f, limit, cursor.page, timeout, read, &next);
    if (read.status.ok()) read.page = SweepPage(cursor, std::move(items), next);
    return read;
  }
  // Mentions: the comments on the account's most recent posts, merged.
  HttpRequest req;
  req.url = ep.base_url + "/" + version + "/" + UrlEncode(ep.account_id) + "/" + f.posts_edge + "?fields=id&limit=" + std::to_string(kMentionPosts);
  req.timeout = timeout;
  req.headers = {{"Authorization", "Bearer " + ep.token}};
  auto posts = GraphReadJson(req, read);
  if (!posts) return read;
  std::vector<InboundPost> items;
  if (posts->contains("data") && (*posts)["data"].is_array()) {
    for (const auto& post : (*posts)["data"]) {
      if (!post.is_object()) continue;
      // Each post's newest 100 (Graph's largest page): more new comments
      // than that on one post between two polls would be missed.
      auto some = GraphComments(ep, version, post.value("id", ""), f, 100, "", timeout, read, nullptr);
      if (!read.status.ok()) return read;
      for (auto& c : some) items.push_back(std::move(c));
    }
  }
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return KeyAfter(a.order_key, b.order_key); });
  read.page = SweepPage(cursor, std::move(items), "");
  return read;
}

class FacebookConnector : public Connector {
 public:
  explicit FacebookConnector(ConnectorOptions options) : options_(std::move(options)) {}

  absl::StatusOr<AccountInfo> VerifyCredentials(const Endpoint& ep) override {
    return GraphMe(ep, options_.api_version, "name", options_.timeout);
  }

  PublishAttempt Publish(const Endpoint& ep, const OutgoingPost& post) override {
    if (!post.in_reply_to_id.empty()) return Comment(ep, options_.api_version, post, options_.timeout, "https://www.facebook.com/");
    nlohmann::json reply;
    if (post.media_urls.size() == 1) {
      // A photo with its message is one post; its feed id is post_id.
      PublishAttempt out = PostGraph(ep, options_.api_version, "/" + ep.account_id + "/photos",
                                     {{"url", post.media_urls[0]}, {"message", post.text}}, options_.timeout, &reply);
      if (out.kind != PublishAttempt::Kind::kPublished) return out;
      if (!reply.is_object() || !reply.contains("post_id")) return MissingId(out, "post_id");
      out.remote_id = reply.value("post_id", "");
      out.remote_url = "https://www.facebook.com/" + out.remote_id;
      return out;
    }
    nlohmann::json body = {{"message", post.text}};
    if (!post.media_urls.empty()) {
      nlohmann::json attached = nlohmann::json::array();
      for (const auto& url : post.media_urls) {
        nlohmann::json photo;
        PublishAttempt up = UploadStep(PostGraph(ep, options_.api_version, "/" + ep.account_id + "/photos",
                                                 {{"url", url}, {"published", false}}, options_.timeout, &photo),
                                       "unpublished photo");
        if (up.kind != PublishAttempt::Kind::kPublished) return up;
        if (!photo.is_object() || !photo.contains("id")) return UploadStep(MissingId(up, "photo id"), "unpublished photo");
        attached.push_back({{"media_fbid", photo.value("id", "")}});
      }
      body["attached_media"] = attached;
    }
    PublishAttempt out = PostGraph(ep, options_.api_version, "/" + ep.account_id + "/feed", body, options_.timeout, &reply);
    if (out.kind != PublishAttempt::Kind::kPublished) return out;
    if (!reply.is_object() || !reply.contains("id")) return MissingId(out, "id");
    out.remote_id = reply.value("id", "");
    out.remote_url = "https://www.facebook.com/" + out.remote_id;
    return out;
  }

  bool IdempotentRetries() const override { return false; }
  bool SupportsReplies() const override { return true; }
  absl::StatusOr<std::vector<RemotePost>> RecentReplies(const Endpoint& ep, const std::string& parent_id, int limit,
                                                        int64_t since_ms) override {
    return Comments(ep, options_.api_version, parent_id, limit, since_ms, options_.timeout);
  }

  absl::StatusOr<std::vector<RemotePost>> RecentPosts(const Endpoint& ep, int limit, int64_t since_ms) override {
    return GraphRecent(ep, options_.api_version, "feed", {"message", "permalink_url", "created_time"}, limit, since_ms, options_.timeout);
  }

  InboundRead ReadInbound(const Endpoint& ep, const InboundQuery& q) override {
    return GraphInbound(ep, options_.api_version, {"feed", "message", "created_time"}, q, options_.timeout);
  }
  int ReadCalls(const InboundQuery& q) const override { return GraphReadCalls(q); }
  bool ReadsFollowers() const override { return true; }
  AccountRead ReadAccount(const Endpoint& ep) override {
    return GraphFollowers(ep, options_.api_version, options_.timeout);
  }

  // A Page post's reactions, comments and shares: summaries on the post
  // itself (one call). Meta retired the post impression insights in 2025, so
  // impressions stay absent.
  bool ReadsMetrics() const override { return true; }
  MetricsRead ReadMetrics(const Endpoint& ep, const std::string& remote_id) override {
    MetricsRead read;
    auto body = GraphReadJson(
        BearerGet(ep.base_url + "/" + options_.api_version + "/" + UrlEncode(remote_id) +
                      "?fields=shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)",
                  ep.token, options_.timeout),
        read);
    if (!body) return read;
    auto summary = [&](const char* edge) -> std::optional<int64_t> {
      if (!body->is_object() || !body->contains(edge) || !(*body)[edge].is_object()) return std::nullopt;
      const auto& e = (*body)[edge];
      return e.contains("summary") ? CountField(e["summary"], "total_count") : std::nullopt;
    };
    read.counts.likes = summary("reactions");
    read.counts.replies = summary("comments");
    // Graph leaves "shares" out of a post nobody shared.
    if (body->is_object()) {
      read.counts.reposts = body->contains("shares") ? CountField((*body)["shares"], "count") : int64_t{0};
    }
    return read;
  }

 private:
  ConnectorOptions options_;
};

class InstagramConnector : public Connector {
 public:
  explicit InstagramConnector(ConnectorOptions options) : options_(std::move(options)) {}

  absl::StatusOr<AccountInfo> VerifyCredentials(const Endpoint& ep) override {
    return GraphMe(ep, options_.api_version, "username", options_.timeout);
  }

  PublishAttempt Publish(const Endpoint& ep, const OutgoingPost& post) override {
    if (!post.in_reply_to_id.empty()) return Answer(ep, post);
    if (post.media_urls.empty()) {
      PublishAttempt out;
      out.kind = PublishAttempt::Kind::kContentRejected;
      out.error = "instagram needs an image or video";
      return out;
    }
    // 1. a container (publishes nothing; an orphan container expires after 24 h),
    //    for a carousel one per image and then the carousel's own
    std::string container;
    if (post.media_urls.size() == 1) {
      PublishAttempt made = MakeContainer(ep, {{"image_url", post.media_urls.front()}, {"caption", post.text}}, &container);
      if (made.kind != PublishAttempt::Kind::kPublished) return made;
    } else {
      std::vector<std::string> items;
      std::string children;
      for (const auto& url : post.media_urls) {
        std::string child;
        PublishAttempt made = MakeContainer(ep, {{"image_url", url}, {"is_carousel_item", true}}, &child);
        if (made.kind != PublishAttempt::Kind::kPublished) return made;
        items.push_back(child);
        children += (children.empty() ? "" : ",") + child;
      }
      // 2. every item processed (they process side by side) before the carousel may name them
      if (auto waited = AwaitContainers(ep, items); waited.kind != PublishAttempt::Kind::kPublished) return waited;
      PublishAttempt made =
          MakeContainer(ep, {{"media_type", "CAROUSEL"}, {"children", children}, {"caption", post.text}}, &container);
      if (made.kind != PublishAttempt::Kind::kPublished) return made;
    }
    // 2. wait until Instagram has processed it (publishing earlier is refused)
    if (auto waited = AwaitContainers(ep, {container}); waited.kind != PublishAttempt::Kind::kPublished) {
      return waited;
    }
    // 3. publish it
    nlohmann::json media;
    PublishAttempt out = PostGraph(ep, options_.api_version, "/" + ep.account_id + "/media_publish",
                                   {{"creation_id", container}}, options_.timeout, &media);
    if (out.kind != PublishAttempt::Kind::kPublished) return out;
    if (!media.is_object() || !media.contains("id")) return MissingId(out, "media id");
    out.remote_id = media.value("id", "");
    out.remote_url = "https://www.instagram.com/p/" + out.remote_id;
    return out;
  }

  bool IdempotentRetries() const override { return false; }
  bool SupportsReplies() const override { return true; }
  absl::StatusOr<std::vector<RemotePost>> RecentReplies(const Endpoint& ep, const std::string& parent_id, int limit,
                                                        int64_t since_ms) override {
    auto media = IsMedia(ep, parent_id);
    if (!media.ok()) return media.status();
    return Comments(ep, options_.api_version, parent_id, limit, since_ms, options_.timeout,
                    *media ? "comments" : "replies", {"text", "", "timestamp"});
  }

  // Whether an id is a media (answered with comments) or a comment (answered
  // with replies): Instagram takes the two at different edges.
  // NOT_FOUND when there is no such object, PERMISSION_DENIED when the token
  // is refused, UNAVAILABLE when Graph cannot say now.
  absl::StatusOr<bool> IsMedia(const Endpoint& ep, const std::string& id) {
    HttpRequest req;
    req.url = ep.base_url + "/" + options_.api_version + "/" + id + "?fields=id,media_type";
    req.timeout = options_.timeout;
    req.headers = {{"Authorization", "Bearer " + ep.token}};
    auto res = SendHttp(req);
    if (!res.ok()) return absl::UnavailableError(std::string(res.status().message()));
    if (res->status == 200) {
      auto object = JsonBody(*res);
      return object.is_object() && object.contains("media_type");
    }
    int code = GraphErrorCode(*res);
    if (res->status == 401 || code == 190 || code == 102) return absl::PermissionDeniedError("token rejected by the network");
    if (code == 100) return absl::NotFoundError("no such media or comment");
    return absl::UnavailableError("HTTP " + std::to_string(res->status));
  }

  // A reply: a comment on a media, or a reply to a comment.
  PublishAttempt Answer(const Endpoint& ep, const OutgoingPost& post) {
    auto media = IsMedia(ep, post.in_reply_to_id);
    if (!media.ok()) {
      PublishAttempt out;
      out.kind = absl::IsPermissionDenied(media.status()) ? PublishAttempt::Kind::kAuthRejected
                 : absl::IsNotFound(media.status())       ? PublishAttempt::Kind::kContentRejected
                                                          : PublishAttempt::Kind::kTransient;
      out.error = "in reply to " + post.in_reply_to_id + ": " + std::string(media.status().message());
      return out;
    }
    if (*media) return Comment(ep, options_.api_version, post, options_.timeout, "https://www.instagram.com/");
    nlohmann::json reply;
    PublishAttempt out = PostGraph(ep, options_.api_version, "/" + post.in_reply_to_id + "/replies",
                                   {{"message", post.text}}, options_.timeout, &reply);
    if (out.kind != PublishAttempt::Kind::kPublished) return out;
    if (!reply.is_object() || !reply.contains("id")) return MissingId(out, "reply id");
    out.remote_id = reply.value("id", "");
    return out;
  }

  // POST /{ig-user-id}/media; the container's id into `id`.
  PublishAttempt MakeContainer(const Endpoint& ep, const nlohmann::json& fields, std::string* id) {
    nlohmann::json reply;
    PublishAttempt out = UploadStep(
        PostGraph(ep, options_.api_version, "/" + ep.account_id + "/media", fields, options_.timeout, &reply),
        "media container");
    if (out.kind != PublishAttempt::Kind::kPublished) return out;
    *id = reply.is_object() ? reply.value("id", "") : "";
    if (id->empty()) return UploadStep(MissingId(out, "container id"), "media container");
    return out;
  }

  // Polls GET /{container}?fields=status_code until every container is
  // FINISHED. kPublished: ready. ERROR/EXPIRED: the media cannot be used
  // (content). Still processing: transient (a retry makes new containers; an
  // orphan one expires after 24 hours, published nowhere).
  PublishAttempt AwaitContainers(const Endpoint& ep, std::vector<std::string> waiting) {
    return AwaitProcessing(options_, "Instagram's media container", [&]() -> std::optional<PublishAttempt> {
      PublishAttempt out;
      while (!waiting.empty()) {
        auto status = GetJson(ep.base_url + "/" + options_.api_version + "/" + waiting.back() + "?fields=status_code",
                              ep.token, options_.timeout);
        if (!status.ok()) {
          out.kind = PublishAttempt::Kind::kTransient;
          out.error = "container status: " + std::string(status.status().message());
          return out;
        }
        std::string code = status->is_object() ? status->value("status_code", "") : "";
        if (code == "ERROR" || code == "EXPIRED") {
          out.kind = PublishAttempt::Kind::kContentRejected;
          out.error = "Instagram could not process the media (container " + code + ")";
          return out;
        }
        if (code != "FINISHED") return std::nullopt;
        waiting.pop_back();
      }
      out.kind = PublishAttempt::Kind::kPublished;
      return out;
    });
  }

  absl::StatusOr<std::vector<RemotePost>> RecentPosts(const Endpoint& ep, int limit, int64_t since_ms) override {
    return GraphRecent(ep, options_.api_version, "media", {"caption", "permalink", "timestamp"}, limit, since_ms, options_.timeout);
  }

  InboundRead ReadInbound(const Endpoint& ep, const InboundQuery& q) override {
    return GraphInbound(ep, options_.api_version, {"media", "text", "timestamp"}, q, options_.timeout);
  }
  int ReadCalls(const InboundQuery& q) const override { return GraphReadCalls(q); }
  bool ReadsFollowers() const override { return true; }
  AccountRead ReadAccount(const Endpoint& ep) override {
    return GraphFollowers(ep, options_.api_version, options_.timeout);
  }

  // A media's lifetime insights. "views" replaced impressions for media made
  // since July 2024; it is what Herald counts as impressions. A metric Graph
  // has no data for is left out of its answer and stays absent here.
  bool ReadsMetrics() const override { return true; }
  MetricsRead ReadMetrics(const Endpoint& ep, const std::string& remote_id) override {
    MetricsRead read;
    auto body = GraphReadJson(BearerGet(ep.base_url + "/" + options_.api_version + "/" + UrlEncode(remote_id) +
                                            "/insights?metric=views,likes,comments,shares,saved",
                                        ep.token, options_.timeout),
                              read);
    if (!body) return read;
    if (!body->is_object() || !body->contains("data") || !(*body)["data"].is_array()) {
      read.status = absl::UnavailableError("Instagram answered insights without data");
      return read;
    }
    for (const auto& m : (*body)["data"]) {
      if (!m.is_object() || !m.contains("values") || !m["values"].is_array() || m["values"].empty()) continue;
      std::optional<int64_t> v = CountField(m["values"][0], "value");
      std::string name = m.value("name", "");
      if (name == "views") read.counts.impressions = v;
      if (name == "likes") read.counts.likes = v;
      if (name == "comments") read.counts.replies = v;
      if (name == "shares") read.counts.reposts = v;
      if (name == "saved") read.counts.saves = v;
    }
    return read;
  }

 private:
  ConnectorOptions options_;
};

}  // namespace

std::unique_ptr<Connector> MakeFacebookConnector(const ConnectorOptions& options) {
  return std::make_unique<FacebookConnector>(options);
}
std::unique_ptr<Connector> MakeInstagramConnector(const ConnectorOptions& options) {
  return std::make_unique<InstagramConnector>(options);
}

}  // namespace herald::publisher
