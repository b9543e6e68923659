// Bluesky (AT Protocol): a session from com.atproto.server.createSession (handle
// + app password), then com.atproto.repo.createRecord of an app.bsky.feed.post.
// The record key is a TID derived from the delivery, so a repeated request can
// never create a second post: the PDS refuses the existing key, and the
// outcome is read back (com.atproto.repo.listRecords). Images are uploaded
// first (com.atproto.repo.uploadBlob, the raw bytes) and the post embeds the
// blobs the PDS returned (app.bsky.embed.images).
//
// Listening: app.bsky.notification.listNotifications (reasons mention, reply
// and quote; ordered by indexedAt, paged back with its cursor) and
// app.bsky.feed.searchPosts (sort=latest); a post's replies from
// app.bsky.feed.getPostThread.
#include <algorithm>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "common/ids.h"
#include "common/time_util.h"
#include "publisher/connectors/http_outcome.h"
#include "publisher/connectors/inbound_sweep.h"
#include "publisher/connectors/media_upload.h"
#include "publisher/connectors/network_connectors.h"

namespace herald::publisher {
namespace {

// A TID: 64 bits (0, 53-bit microseconds, 10-bit clock id) in sortable base32.
std::string DeliveryTid(int64_t occurrence_ms, const std::string& idempotency_key) {
  static constexpr char kAlphabet[] = "234567abcdefghijklmnopqrstuvwxyz";
  uint64_t h = StableHash(idempotency_key);
  uint64_t micros = static_cast<uint64_t>(occurrence_ms) * 1000 + h % 1000;
  uint64_t v = ((micros & ((1ULL << 53) - 1)) << 10) | ((h >> 20) & 0x3FF);
  std::string out(13, '2');
  for (int i = 12; i >= 0; --i, v >>= 5) out[static_cast<size_t>(i)] = kAlphabet[v & 31];
  return out;
}

std::string PostUrl(const std::string& uri) {
  // at://<did>/app.bsky.feed.post/<rkey> → https://bsky.app/profile/<did>/post/<rkey>
  const std::string prefix = "at://";
  if (uri.rfind(prefix, 0) != 0) return "";
  auto slash = uri.find('/', prefix.size());
  auto last = uri.rfind('/');
  if (slash == std::string::npos || last <= slash) return "";
  return "https://bsky.app/profile/" + uri.substr(prefix.size(), slash - prefix.size()) + "/post/" + uri.substr(last + 1);
}

class BlueskyConnector : public Connector {
 public:
  explicit BlueskyConnector(ConnectorOptions options) : options_(std::move(options)) {}

  absl::StatusOr<AccountInfo> VerifyCredentials(const Endpoint& ep) override {
    auto session = CreateSession(ep);
    if (!session.ok()) return session.status();
    return AccountInfo{session->did, session->handle};
  }

  PublishAttempt Publish(const Endpoint& ep, const OutgoingPost& post) override {
    PublishAttempt out;
    FetchedMedia media;
    if (!post.media_urls.empty()) {
      media = FetchMedia(post.media_urls, herald::common::v1::NETWORK_BLUESKY, options_);
      if (!media.ok) return media.failure;
    }
    for (int round = 0; round < 2; ++round) {
      auto jwt = AccessJwt(ep, round > 0);
      if (!jwt.ok()) {
        out.kind = PublishAttempt::Kind::kTransient;
        out.error = "createSession: " + std::string(jwt.status().message());
        if (!absl::IsPermissionDenied(jwt.status())) return out;
        bool suspended = out.error.find("suspended") != std::string::npos;
        return AuthRefused(out, suspended ? PublishAttempt::AuthProblem::kSuspended
                                          : PublishAttempt::AuthProblem::kRevoked);
      }
      HttpRequest req;
      req.method = "POST";
      req.url = ep.base_url + "/xrpc/com.atproto.repo.createRecord";
      req.timeout = options_.timeout;
      const std::string rkey = DeliveryTid(post.occurrence_ms, post.idempotency_key);
      nlohmann::json record = {{"$type", "app.bsky.feed.post"},
                               {"text", post.text},
                               {"createdAt", FormatRfc3339(post.occurrence_ms)}};
      if (!post.in_reply_to_id.empty()) {
        // A reply names its parent and its thread's root, each by uri and cid.
        auto reply = ReplyRef(ep, *jwt, post.in_reply_to_id);
        if (!reply.ok()) {
          out.kind = absl::IsNotFound(reply.status()) ? PublishAttempt::Kind::kContentRejected
                                                      : PublishAttempt::Kind::kTransient;
          out.error = "in reply to " + post.in_reply_to_id + ": " + std::string(reply.status().message());
          return out;
        }
        record["reply"] = *reply;
      }
      if (!media.files.empty()) {
        nlohmann::json images = nlohmann::json::array();
        bool expired = false;
        out = UploadBlobs(ep, *jwt, media.files, &images, &expired);
        if (expired && round == 0) continue;
        if (out.kind != PublishAttempt::Kind::kPublished) return out;
        record["embed"] = {{"$type", "app.bsky.embed.images"}, {"images", images}};
      }
      req.body = nlohmann::json{{"repo", ep.account_id},
                                {"collection", "app.bsky.feed.post"},
                                {"rkey", rkey},
                                {"record", record}}
                     .dump();
      req.headers = {{"Authorization", "Bearer " + *jwt}, {"Content-Type", "application/json"}};
      auto res = SendHttp(req);
      out = ClassifyHttp(res);
      auto json = res.ok() ? JsonBody(*res) : nlohmann::json();
      std::string error = json.is_object() ? json.value("error", "") : "";
      if (res.ok() && (error == "ExpiredToken" || res->status == 401) && round == 0) {
        continue;  // the access token expired: refresh the session (or start a new one), once
      }
      bool key_taken = out.kind == PublishAttempt::Kind::kContentRejected && json.is_object() &&
                       json.value("message", "").find("already exists") != std::string::npos;
      if (key_taken || out.kind == PublishAttempt::Kind::kUnknownOutcome) {
        // A PDS answers a repeated record key with an error (often a 500),
        // and a 5xx does not say whether the record was written: our key
        // names the record, so read it and settle the attempt now.
        return Settle(ep, *jwt, rkey, out);
      }
      if (out.kind != PublishAttempt::Kind::kPublished) return out;
      if (!json.is_object() || !json.contains("uri")) return MissingId(out, "uri");
      out.remote_id = json.value("uri", "");
      out.remote_url = PostUrl(out.remote_id);
      return out;
    }
    return out;
  }

  // Each file to uploadBlob; `images` gets the embed entries. `expired`: the
  // access token ran out on the way (the caller refreshes and starts over).
  PublishAttempt UploadBlobs(const Endpoint& ep, const std::string& jwt, const std::vector<MediaFile>& files,
                             nlohmann::json* images, bool* expired) {
    PublishAttempt out;
    for (const auto& file : files) {
      HttpRequest req;
      req.method = "POST";
      req.url = ep.base_url + "/xrpc/com.atproto.repo.uploadBlob";
      req.timeout = options_.timeout;
      req.headers = {{"Authorization", "Bearer " + jwt}, {"Content-Type", file.type}};
      req.body = file.bytes;
      auto res = SendHttp(req);
      out = UploadStep(ClassifyHttp(res), "uploadBlob");
      auto json = res.ok() ? JsonBody(*res) : nlohmann::json();
      if (res.ok() && (res->status == 401 || (json.is_object() && json.value("error", "") == "ExpiredToken"))) {
        *expired = true;
        return out;
      }
      if (out.kind != PublishAttempt::Kind::kPublished) return out;
      if (!json.is_object() || !json.contains("blob") || !json["blob"].is_object()) {
        return UploadStep(MissingId(out, "blob"), "uploadBlob");
      }
      images->push_back({{"alt", ""}, {"image", json["blob"]}});
    }
    return out;
  }

  bool IdempotentRetries() const override { return false; }
  bool SupportsReplies() const override { return true; }

  absl::StatusOr<std::vector<RemotePost>> RecentPosts(const Endpoint& ep, int limit, int64_t) override {
    auto body = GetJson(ep.base_url + "/xrpc/com.atproto.repo.listRecords?repo=" + ep.account_id +
                            "&collection=app.bsky.feed.post&limit=" + std::to_string(limit),
                        "", options_.timeout);
    if (!body.ok()) return body.status();
    std::vector<RemotePost> out;
    if (body->contains("records") && (*body)["records"].is_array()) {
      for (const auto& r : (*body)["records"]) {
        std::string uri = r.value("uri", "");
        bool has_value = r.contains("value") && r["value"].is_object();
        std::string text = has_value ? r["value"].value("text", "") : "";
        int64_t created = has_value ? ParseTimeMs(r["value"].value("createdAt", "")) : 0;
        int media = 0;
        if (has_value && r["value"].contains("embed") && r["value"]["embed"].is_object()) {
          const auto& embed = r["value"]["embed"];
          media = embed.contains("images") && embed["images"].is_array() ? static_cast<int>(embed["images"].size()) : -1;
        }
        out.push_back({uri, PostUrl(uri), text, created, media});
      }
    }
    return out;
  }

  InboundRead ReadInbound(const Endpoint& ep, const InboundQuery& q) override {
    InboundRead read;
    SweepCursor cursor;
    if (!BeginRead(q, &cursor, &read)) return read;
    const std::string limit = std::to_string(std::clamp(q.limit, 1, 100));
    const std::string page = cursor.page.empty() ? "" : "&cursor=" + UrlEncode(cursor.page);
    using S = InboundQuery::Stream;
    std::string url;
    if (q.stream == S::kMentions) {
      url = ep.base_url + "/xrpc/app.bsky.notification.listNotifications?limit=" + limit + page;
    } else if (q.stream == S::kSearch) {
      std::string terms;
      for (const auto& t : q.terms) terms += (terms.empty() ? "" : " OR ") + t;
      url = ep.base_url + "/xrpc/app.bsky.feed.searchPosts?sort=latest&q=" + UrlEncode(terms) + "&limit=" + limit + page;
    } else {
      url = ep.base_url + "/xrpc/app.bsky.feed.getPostThread?depth=10&parentHeight=0&uri=" + UrlEncode(q.post_id);
    }
    auto body = ReadInSession(ep, url, read);
    if (!body) return read;
    std::vector<InboundPost> items;
    if (q.stream == S::kMentions) {
      for (const auto& n : Array(*body, "notifications")) {
        std::string reason = n.value("reason", "");
        if (reason != "mention" && reason != "reply" && reason != "quote") continue;
        InboundPost p = FromPost(n, n.contains("record") ? n["record"] : nlohmann::json());
        p.kind = reason == "reply" ? herald::common::v1::MENTION_KIND_REPLY : herald::common::v1::MENTION_KIND_MENTION;
        items.push_back(std::move(p));
      }
    } else if (q.stream == S::kSearch) {
      for (const auto& post : Array(*body, "posts")) items.push_back(FromPost(post, post.contains("record") ? post["record"] : nlohmann::json()));
    } else {
      // The thread's replies, nested: flattened, then newest first.
      std::vector<const nlohmann::json*> todo;
      if (body->contains("thread") && (*body)["thread"].is_object()) todo.push_back(&(*body)["thread"]);
      while (!todo.empty() && items.size() < 1000) {
        const nlohmann::json* node = todo.back();
        todo.pop_back();
        for (const auto& r : Array(*node, "replies")) {
          if (!r.contains("post") || !r["post"].is_object()) continue;
          const auto& post = r["post"];
          InboundPost p = FromPost(post, post.contains("record") ? post["record"] : nlohmann::json());
          p.kind = herald::common::v1::MENTION_KIND_REPLY;
          items.push_back(std::move(p));
          todo.push_back(&r);
        }
      }
      std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return KeyAfter(a.order_key, b.order_key); });
      read.page = SweepPage(cursor, std::move(items), "");
      return read;
    }
    read.page = SweepPage(cursor, std::move(items), body->value("cursor", ""));
    return read;
  }

  // A post's counts from the AppView's hydrated view (app.bsky.feed.getPosts):
  // likes, reposts, replies, quotes and bookmarks; Bluesky counts no
  // impressions. A post it leaves out of the answer is gone.
  bool ReadsMetrics() const override { return true; }
  MetricsRead ReadMetrics(const Endpoint& ep, const std::string& remote_id) override {
    MetricsRead read;
    auto body = ReadInSession(ep, ep.base_url + "/xrpc/app.bsky.feed.getPosts?uris=" + UrlEncode(remote_id), read);
    if (!body) return read;
    const auto& posts = Array(*body, "posts");
    auto it = std::find_if(posts.begin(), posts.end(),
                           [&](const nlohmann::json& p) { return p.is_object() && p.value("uri", "") == remote_id; });
    if (it == posts.end()) {
      read.status = absl::NotFoundError("Bluesky has no such post (deleted?)");
      return read;
    }
    read.counts.likes = CountField(*it, "likeCount");
    read.counts.reposts = CountField(*it, "repostCount");
    read.counts.replies = CountField(*it, "replyCount");
    read.counts.quotes = CountField(*it, "quoteCount");
    read.counts.saves = CountField(*it, "bookmarkCount");
    return read;
  }

  bool ReadsFollowers() const override { return true; }
  AccountRead ReadAccount(const Endpoint& ep) override {
    AccountRead read;
    std::string actor = ep.account_id.empty() ? ep.identifier : ep.account_id;
    auto body = ReadInSession(ep, ep.base_url + "/xrpc/app.bsky.actor.getProfile?actor=" + UrlEncode(actor), read);
    if (!body) return read;
    read.followers = CountField(*body, "followersCount");
    return read;
  }

 private:
  // GET `url` with the session's access token; an expired session is renewed
  // once. nullopt with the failure in `read.status`.
  std::optional<nlohmann::json> ReadInSession(const Endpoint& ep, const std::string& url, NetworkRead& read) {
    for (int round = 0; round < 2; ++round) {
      auto jwt = AccessJwt(ep, round > 0);
      if (!jwt.ok()) {
        read.status = absl::IsPermissionDenied(jwt.status()) ? jwt.status() : absl::UnavailableError(jwt.status().message());
        return std::nullopt;
      }
      HttpRequest req;
      req.url = url;
      req.timeout = options_.timeout;
      req.headers = {{"Authorization", "Bearer " + *jwt}};
      read.status = absl::OkStatus();
      auto body = ReadJson(req, read);
      if (body) return body;
      bool expired = read.status.message().find("ExpiredToken") != std::string_view::npos ||
                     absl::IsPermissionDenied(read.status);
      if (!expired) return std::nullopt;
    }
    return std::nullopt;
  }

  static const nlohmann::json& Array(const nlohmann::json& j, const char* key) {
    static const nlohmann::json kEmpty = nlohmann::json::array();
    return j.is_object() && j.contains(key) && j[key].is_array() ? j[key] : kEmpty;
  }

  // A notification or post view and its app.bsky.feed.post record. Listings
  // are ordered by indexedAt, which two items may share (an inclusive floor).
  static InboundPost FromPost(const nlohmann::json& view, const nlohmann::json& record) {
    InboundPost p;
    p.remote_id = view.value("uri", "");
    p.order_key = view.value("indexedAt", "");
    p.url = PostUrl(p.remote_id);
    if (view.contains("author") && view["author"].is_object()) {
      p.author_id = view["author"].value("did", "");
      p.author_handle = view["author"].value("handle", "");
    }
    if (record.is_object()) {
      p.text = record.value("text", "");
      p.created_ms = ParseTimeMs(record.value("createdAt", ""));
      if (record.contains("langs") && record["langs"].is_array() && !record["langs"].empty() &&
          record["langs"][0].is_string()) {
        p.language = record["langs"][0].get<std::string>();
      }
      if (record.contains("reply") && record["reply"].is_object()) {
        const auto& reply = record["reply"];
        if (reply.contains("parent") && reply["parent"].is_object()) p.parent_id = reply["parent"].value("uri", "");
        if (reply.contains("root") && reply["root"].is_object()) p.thread_id = reply["root"].value("uri", "");
      }
    }
    if (p.thread_id.empty()) p.thread_id = p.remote_id;
    return p;
  }

  // {root, parent} for a reply to the post at `parent_uri`
  // (at://<did>/app.bsky.feed.post/<rkey>): the parent's cid, and its own
  // root when it is a reply itself. NOT_FOUND when the parent is gone.
  absl::StatusOr<nlohmann::json> ReplyRef(const Endpoint& ep, const std::string& jwt, const std::string& parent_uri) {
    const std::string prefix = "at://";
    auto did_end = parent_uri.find('/', prefix.size());
    auto rkey_at = parent_uri.rfind('/');
    if (parent_uri.rfind(prefix, 0) != 0 || did_end == std::string::npos || rkey_at <= did_end) {
      return absl::NotFoundError("not an at:// uri of a post");
    }
    std::string repo = parent_uri.substr(prefix.size(), did_end - prefix.size());
    std::string collection = parent_uri.substr(did_end + 1, rkey_at - did_end - 1);
    HttpRequest req;
    req.url = ep.base_url + "/xrpc/com.atproto.repo.getRecord?repo=" + UrlEncode(repo) +
              "&collection=" + UrlEncode(collection) + "&rkey=" + UrlEncode(parent_uri.substr(rkey_at + 1));
    req.timeout = options_.timeout;
    req.headers = {{"Authorization", "Bearer " + jwt}};
    auto res = SendHttp(req);
    if (!res.ok()) return absl::UnavailableError(std::string(res.status().message()));
    auto json = JsonBody(*res);
    if (res->status == 400) {  // RecordNotFound, or a repo the PDS cannot find
      return absl::NotFoundError("the post replied to does not exist: " +
                                 (json.is_object() ? json.value("message", "") : std::string()));
    }
    if (res->status != 200 || !json.is_object() || !json.contains("cid")) {
      return absl::UnavailableError("getRecord: HTTP " + std::to_string(res->status));
    }
    nlohmann::json parent = {{"uri", json.value("uri", parent_uri)}, {"cid", json.value("cid", "")}};
    nlohmann::json root = parent;
    const auto& value = json.contains("value") ? json["value"] : nlohmann::json();
    if (value.is_object() && value.contains("reply") && value["reply"].is_object() &&
        value["reply"].contains("root") && value["reply"]["root"].is_object()) {
      root = value["reply"]["root"];
    }
    return nlohmann::json{{"root", root}, {"parent", parent}};
  }

  // com.atproto.repo.getRecord of our own record key: found means published
  // (with its uri and cid); RecordNotFound means nothing was written.
  PublishAttempt Settle(const Endpoint& ep, const std::string& jwt, const std::string& rkey, PublishAttempt out) {
    HttpRequest req;
    req.url = ep.base_url + "/xrpc/com.atproto.repo.getRecord?repo=" + UrlEncode(ep.account_id) +
              "&collection=app.bsky.feed.post&rkey=" + rkey;
    req.timeout = options_.timeout;
    req.headers = {{"Authorization", "Bearer " + jwt}};
    auto res = SendHttp(req);
    if (!res.ok() || res->status >= 500) {
      out.kind = PublishAttempt::Kind::kUnknownOutcome;  // the next attempt reads back
      return out;
    }
    auto json = JsonBody(*res);
    if (res->status == 200 && json.is_object() && json.contains("uri")) {
      PublishAttempt found = out;
      found.kind = PublishAttempt::Kind::kPublished;
      found.error.clear();
      found.remote_id = json.value("uri", "");
      found.remote_url = PostUrl(found.remote_id);
      return found;
    }
    if (json.is_object() && json.value("error", "") == "RecordNotFound") {
      // Not written: a 5xx before the write is safe to send again.
      if (out.kind == PublishAttempt::Kind::kUnknownOutcome) out.kind = PublishAttempt::Kind::kTransient;
      return out;
    }
    out.kind = PublishAttempt::Kind::kUnknownOutcome;
    return out;
  }

  struct Session {
    std::string access_jwt, refresh_jwt, did, handle;
  };

  static absl::StatusOr<Session> ParseSession(const HttpResponse& res) {
    auto json = JsonBody(res);
    if (!json.is_object() || !json.contains("accessJwt")) return absl::UnavailableError("malformed session");
    return Session{json.value("accessJwt", ""), json.value("refreshJwt", ""), json.value("did", ""),
                   json.value("handle", "")};
  }

  // com.atproto.server.refreshSession with the refresh JWT: how a client
  // renews an expired access token (createSession is limited to 30 calls in
  // 5 minutes and 300 a day per account).
  absl::StatusOr<Session> RefreshSession(const Endpoint& ep, const std::string& refresh_jwt) {
    HttpRequest req;
    req.method = "POST";
    req.url = ep.base_url + "/xrpc/com.atproto.server.refreshSession";
    req.timeout = options_.timeout;
    req.headers = {{"Authorization", "Bearer " + refresh_jwt}};
    auto res = SendHttp(req);
    if (!res.ok()) return absl::UnavailableError(std::string(res.status().message()));
    if (res->status != 200) return absl::PermissionDeniedError("refreshSession: HTTP " + std::to_string(res->status));
    return ParseSession(*res);
  }

  absl::StatusOr<Session> CreateSession(const Endpoint& ep) {
    HttpRequest req;
    req.method = "POST";
    req.url = ep.base_url + "/xrpc/com.atproto.server.createSession";
    req.timeout = options_.timeout;
    req.body = nlohmann::json{{"identifier", ep.identifier}, {"password", ep.token}}.dump();
    req.headers = {{"Content-Type", "application/json"}};
    auto res = SendHttp(req);
    if (!res.ok()) return absl::UnavailableError(std::string(res.status().message()));
    if (res->status == 401 || res->status == 403) {
      return absl::PermissionDeniedError("the app password was rejected (revoked or changed)");
    }
    if (res->status == 400 && JsonBody(*res).value("error", "") == "AccountTakedown") {
      return absl::PermissionDeniedError("the account was taken down (suspended)");
    }
    if (res->status != 200) return absl::UnavailableError("HTTP " + std::to_string(res->status));
    return ParseSession(*res);
  }

  // Sessions are reused; an expired one (`renew`) is refreshed with its
  // refresh JWT, and only when that fails is a new one created.
  absl::StatusOr<std::string> AccessJwt(const Endpoint& ep, bool renew) {
    std::string key = SessionKey(ep);
    std::string refresh_jwt;
    {
      std::lock_guard lock(mu_);
      auto it = sessions_.find(key);
      if (it != sessions_.end()) {
        if (!renew) return it->second.access_jwt;
        refresh_jwt = it->second.refresh_jwt;
      }
    }
    absl::StatusOr<Session> session = absl::NotFoundError("no session");
    if (!refresh_jwt.empty()) session = RefreshSession(ep, refresh_jwt);
    if (!session.ok()) session = CreateSession(ep);
    if (!session.ok()) return session.status();
    std::lock_guard lock(mu_);
    sessions_[key] = *session;
    return session->access_jwt;
  }

  // A changed app password (a reconnected channel) must not reuse the old session.
  static std::string SessionKey(const Endpoint& ep) {
    return ep.base_url + "|" + ep.identifier + "|" + std::to_string(StableHash(ep.token));
  }

  ConnectorOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, Session> sessions_;
};

}  // namespace

std::unique_ptr<Connector> MakeBlueskyConnector(const ConnectorOptions& options) {
  return std::make_unique<BlueskyConnector>(options);
}

}  // namespace herald::publisher
