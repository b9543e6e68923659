// Mastodon: POST /api/v1/statuses with an Idempotency-Key header, so a request
// repeated after an unknown outcome returns the first status instead of
// posting a second one. Images go first to POST /api/v2/media (multipart
// "file"): 200 when ready, 202 while the server still processes the file, which
// GET /api/v1/media/:id then answers 206 until it is ready.
#include "publisher/connectors/http_outcome.h"
#include "publisher/connectors/inbound_sweep.h"
#include "publisher/connectors/media_upload.h"
#include "publisher/connectors/network_connectors.h"
#include "publisher/media/media_type.h"

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
    std::vector<std::string> media_ids;
    if (!post.media_urls.empty()) {
      FetchedMedia media = FetchMedia(post.media_urls, herald::common::v1::NETWORK_MASTODON, options_);
      if (!media.ok) return media.failure;
      for (const auto& file : media.files) {
        PublishAttempt up = Upload(ep, file, &media_ids);
        if (up.kind != PublishAttempt::Kind::kPublished) return Judge(up);
      }
    }
    HttpRequest req;
    req.method = "POST";
    req.url = ep.base_url + "/api/v1/statuses";
    req.timeout = options_.timeout;
    nlohmann::json body = {{"status", post.text}, {"visibility", "public"}};
    if (!post.in_reply_to_id.empty()) body["in_reply_to_id"] = post.in_reply_to_id;
    if (!media_ids.empty()) body["media_ids"] = media_ids;
    req.body = body.dump();
    req.headers = {{"Authorization", "Bearer " + ep.token}, {"Content-Type", "application/json"}};
    if (!post.idempotency_key.empty()) req.headers.emplace_back("Idempotency-Key", post.idempotency_key);
    auto res = SendHttp(req);
    PublishAttempt out = Judge(ClassifyHttp(res));
    if (out.kind != PublishAttempt::Kind::kPublished) return out;
    auto json = JsonBody(*res);
    if (!json.is_object() || !json.contains("id")) return MissingId(out, "a status id");
    out.remote_id = json.value("id", "");
    out.remote_url = json.value("url", "");
    return out;
  }

  // Mastodon says in its error text why it refused the token.
  static PublishAttempt Judge(PublishAttempt out) {
    if (out.kind != PublishAttempt::Kind::kAuthRejected) return out;
    using P = PublishAttempt::AuthProblem;
    auto says = [&](const char* what) { return out.error.find(what) != std::string::npos; };
    return AuthRefused(out, says("expired")                         ? P::kExpired
                            : says("revoked")                       ? P::kRevoked
                            : says("disabled") || says("suspended") ? P::kSuspended
                                                                    : P::kInvalid);
  }

  // One file to POST /api/v2/media; its id appended to `ids` once ready.
  PublishAttempt Upload(const Endpoint& ep, const MediaFile& file, std::vector<std::string>* ids) {
    Multipart form;
    form.File("file", "image." + MediaExtension(file.type), file.type, file.bytes);
    HttpRequest req;
    req.method = "POST";
    req.url = ep.base_url + "/api/v2/media";
    req.timeout = options_.timeout;
    req.headers = {{"Authorization", "Bearer " + ep.token}, {"Content-Type", form.ContentType()}};
    req.body = form.Finish();
    auto res = SendHttp(req);
    PublishAttempt out = UploadStep(ClassifyHttp(res), "media upload");
    if (out.kind != PublishAttempt::Kind::kPublished) return out;
    auto json = JsonBody(*res);
    std::string id = json.is_object() ? json.value("id", "") : "";
    if (id.empty()) return UploadStep(MissingId(out, "a media id"), "media upload");
    if (res->status == 202) {
      out = AwaitProcessing(options_, "Mastodon's media " + id, [&]() -> std::optional<PublishAttempt> {
        HttpRequest poll;
        poll.url = ep.base_url + "/api/v1/media/" + id;
        poll.timeout = options_.timeout;
        poll.headers = {{"Authorization", "Bearer " + ep.token}};
        auto got = SendHttp(poll);
        if (got.ok() && got->status == 206) return std::nullopt;
        return UploadStep(ClassifyHttp(got), "media processing");
      });
      if (out.kind != PublishAttempt::Kind::kPublished) return out;
    }
    ids->push_back(id);
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
        int media = s.contains("media_attachments") && s["media_attachments"].is_array()
                        ? static_cast<int>(s["media_attachments"].size())
                        : -1;
        out.push_back({s.value("id", ""), s.value("url", ""), s.value("content", ""),
                       ParseTimeMs(s.value("created_at", "")), media});
      }
    }
    return out;
  }

  // A status carries its favourites, boosts and replies; Mastodon counts no
  // impressions, quotes or saves (absent, not zero).
  bool ReadsMetrics() const override { return true; }
  MetricsRead ReadMetrics(const Endpoint& ep, const std::string& remote_id) override {
    MetricsRead read;
    auto body = ReadJson(BearerGet(ep.base_url + "/api/v1/statuses/" + UrlEncode(remote_id), ep.token, options_.timeout),
                         read);
    if (!body) return read;
    if (!body->is_object()) {
      read.status = absl::UnavailableError("Mastodon answered something other than a status");
      return read;
    }
    read.counts.likes = CountField(*body, "favourites_count");
    read.counts.reposts = CountField(*body, "reblogs_count");
    read.counts.replies = CountField(*body, "replies_count");
    return read;
  }

  bool ReadsFollowers() const override { return true; }
  AccountRead ReadAccount(const Endpoint& ep) override {
    AccountRead read;
    auto body = ReadJson(BearerGet(ep.base_url + "/api/v1/accounts/verify_credentials", ep.token, options_.timeout),
                         read);
    if (!body) return read;
    read.followers = CountField(*body, "followers_count");
    return read;
  }

  InboundRead ReadInbound(const Endpoint& ep, const InboundQuery& q) override {
    InboundRead read;
    SweepCursor cursor;
    if (!BeginRead(q, &cursor, &read)) return read;
    const std::string limit = std::to_string(std::clamp(q.limit, 1, 40));
    std::string page = cursor.page.empty() ? "" : "&max_id=" + UrlEncode(cursor.page);
    HttpRequest req;
    req.timeout = options_.timeout;
    req.headers = {{"Authorization", "Bearer " + ep.token}};
    std::vector<InboundPost> items;
    using S = InboundQuery::Stream;
    if (q.stream == S::kMentions) {
      req.url = ep.base_url + "/api/v1/notifications?types[]=mention&limit=" + limit + page;
      auto body = ReadJson(req, read);
      if (!body) return read;
      for (const auto& n : *body) {
        if (!n.is_object() || !n.contains("status") || !n["status"].is_object()) continue;
        InboundPost p = FromStatus(n["status"], ep.account_id);
        p.order_key = n.value("id", "");
        items.push_back(std::move(p));
      }
    } else if (q.stream == S::kSearch) {
      std::string terms;
      for (const auto& t : q.terms) terms += (terms.empty() ? "" : " OR ") + t;
      req.url = ep.base_url + "/api/v2/search?type=statuses&resolve=false&q=" + UrlEncode(terms) + "&limit=" + limit + page;
      auto body = ReadJson(req, read);
      if (!body) return read;
      if (body->contains("statuses") && (*body)["statuses"].is_array()) {
        for (const auto& st : (*body)["statuses"]) {
          if (st.is_object()) items.push_back(FromStatus(st, ep.account_id));
        }
      }
    } else {
      // A thread's whole context comes in one answer, oldest first.
      req.url = ep.base_url + "/api/v1/statuses/" + UrlEncode(q.post_id) + "/context";
      auto body = ReadJson(req, read);
      if (!body) return read;
      if (body->contains("descendants") && (*body)["descendants"].is_array()) {
        for (const auto& st : (*body)["descendants"]) {
          if (st.is_object()) items.push_back(FromStatus(st, ep.account_id));
        }
      }
      std::reverse(items.begin(), items.end());
      read.page = SweepPage(cursor, std::move(items), "");
      return read;
    }
    // A full page may have more behind it: max_id pages back from its oldest.
    std::string next = items.size() == static_cast<size_t>(std::stoi(limit)) ? items.back().order_key : "";
    read.page = SweepPage(cursor, std::move(items), next);
    return read;
  }

 private:
  static InboundPost FromStatus(const nlohmann::json& st, const std::string& own_account_id) {
    auto str = [](const nlohmann::json& j, const char* k) {
      return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string();
    };
    InboundPost p;
    p.remote_id = str(st, "id");
    p.order_key = p.remote_id;
    p.text = str(st, "content");
    p.url = str(st, "url");
    p.language = str(st, "language");
    p.parent_id = str(st, "in_reply_to_id");
    p.thread_id = p.parent_id.empty() ? p.remote_id : p.parent_id;
    p.created_ms = ParseTimeMs(str(st, "created_at"));
    if (st.contains("account") && st["account"].is_object()) {
      p.author_id = str(st["account"], "id");
      p.author_handle = str(st["account"], "acct");
    }
    using herald::common::v1::MentionKind;
    p.kind = str(st, "visibility") == "direct"                                        ? MentionKind::MENTION_KIND_DIRECT_MESSAGE
             : !p.parent_id.empty() && str(st, "in_reply_to_account_id") == own_account_id ? MentionKind::MENTION_KIND_REPLY
                                                                                      : MentionKind::MENTION_KIND_MENTION;
    return p;
  }

  ConnectorOptions options_;
};

}  // namespace

std::unique_ptr<Connector> MakeMastodonConnector(const ConnectorOptions& options) {
  return std::make_unique<MastodonConnector>(options);
}

}  // namespace herald::publisher
