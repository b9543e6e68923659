// Bluesky (AT Protocol XRPC) as a PDS answers: handles are domain names,
// DIDs are did:plc with 24 base32 characters, sessions are JWTs that expire
// (ExpiredToken) and refresh (refreshSession), record keys are TIDs, every
// record has a real CID (CIDv1, dag-cbor, sha-256), and a repeated record key
// is answered with a 500 — after which only getRecord tells whether the
// record exists. Errors are {"error": Name, "message": ...}. Images are
// uploaded as blobs (com.atproto.repo.uploadBlob: raw bytes, a raw-codec CID
// back) and a post embeds up to 4 of the repo's blobs (app.bsky.embed.images,
// each at most networks.json's size). Listening: listNotifications,
// searchPosts and getPostThread; a post's counts: getPosts.
#include <openssl/sha.h>

#include <functional>
#include <mutex>

#include "common/auth/jwt_verifier.h"
#include "common/hmac.h"
#include "common/ids.h"
#include "common/time_util.h"
#include "simulator/route_kit.h"
#include "simulator/text_rules.h"

namespace herald::sim {
namespace {

using nlohmann::json;

constexpr char kTidAlphabet[] = "234567abcdefghijklmnopqrstuvwxyz";
constexpr int64_t kAccessLifetimeMs = 2 * 3600 * 1000;
constexpr int64_t kRefreshLifetimeMs = 90LL * 24 * 3600 * 1000;

std::string Base32Lower(const unsigned char* data, size_t n) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    buffer = (buffer << 8) | data[i];
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

// CIDv1 (dag-cbor 0x71 for records, raw 0x55 for blobs; sha2-256) of the
// bytes, base32 multibase: "bafyrei…" / "bafkrei…".
std::string Cid(const std::string& bytes, unsigned char codec = 0x71) {
  unsigned char buf[4 + SHA256_DIGEST_LENGTH] = {0x01, codec, 0x12, 0x20};
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), buf + 4);
  return "b" + Base32Lower(buf, sizeof buf);
}

std::string Did(const Account& a) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  std::string seed = "did:" + a.id;
  SHA256(reinterpret_cast<const unsigned char*>(seed.data()), seed.size(), digest);
  return "did:plc:" + Base32Lower(digest, 15).substr(0, 24);
}

// A handle is a domain name: "herald_demo" → "herald-demo.bsky.social".
std::string Handle(const Account& a) {
  std::string h;
  for (char c : a.username) h.push_back(c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return h + ".bsky.social";
}

bool IsTid(const std::string& s) {
  if (s.size() != 13 || std::string("234567abcdefghij").find(s[0]) == std::string::npos) return false;
  for (char c : s) {
    if (std::string(kTidAlphabet).find(c) == std::string::npos) return false;
  }
  return true;
}

class Pds {
 public:
  explicit Pds(RouteKit& kit) : kit_(kit) {}

  std::optional<Account> ByIdentifier(const std::string& identifier) const {
    for (const auto& a : kit_.core.accounts()) {
      if (Handle(a) == identifier || Did(a) == identifier) return a;
    }
    return std::nullopt;
  }

  // A JWT whose payload names the account; signed with the account's app
  // password, so a revoked password ends its sessions too.
  std::string Jwt(const Account& a, const std::string& scope, int64_t lifetime_ms) {
    int64_t now = kit_.core.clock().NowMs();
    std::string header = auth::Base64UrlEncode(json{{"typ", scope == "com.atproto.access" ? "at+jwt" : "refresh+jwt"},
                                        {"alg", "HS256"}}.dump());
    std::string payload = auth::Base64UrlEncode(json{{"scope", scope}, {"sub", Did(a)}, {"aud", "did:web:pds.sim"},
                                         {"iat", now / 1000}, {"exp", (now + lifetime_ms) / 1000},
                                         {"jti", std::to_string(++jti_)}}.dump());
    return header + "." + payload + "." + auth::Base64UrlEncode(HmacSha256Hex(a.token, header + "." + payload));
  }

  // The account a session token is for, or an XRPC error written to `res`.
  std::optional<Account> Session(const httplib::Request& req, httplib::Response& res, const std::string& scope) {
    std::string jwt = Bearer(req);
    auto fail = [&](int status, const char* error, const char* message) {
      Reply(res, status, {{"error", error}, {"message", message}});
      return std::nullopt;
    };
    size_t a = jwt.find('.'), b = jwt.rfind('.');
    if (jwt.empty() || a == std::string::npos || a == b) return fail(401, "AuthenticationRequired", "Authentication Required");
    std::string decoded;
    (void)auth::Base64UrlDecode(jwt.substr(a + 1, b - a - 1), &decoded);
    json payload = json::parse(decoded, nullptr, false);
    auto account = ByIdentifier(Str(payload, "sub"));
    if (!account || !kit_.core.Authenticate(account->token) ||
        jwt.substr(b + 1) != auth::Base64UrlEncode(HmacSha256Hex(account->token, jwt.substr(0, b)))) {
      return fail(401, "InvalidToken", "Token could not be verified");
    }
    if (Str(payload, "scope") != scope) return fail(400, "InvalidToken", "Bad token scope");
    bool expired_early = scope == "com.atproto.access" &&
                         std::strtoull(Str(payload, "jti").c_str(), nullptr, 10) <= access_expired_through_;
    if (expired_early || payload.value("exp", int64_t{0}) * 1000 <= kit_.core.clock().NowMs()) {
      return fail(400, "ExpiredToken", "Token has expired");
    }
    return account;
  }

  json SessionBody(const Account& a) {
    return {{"accessJwt", Jwt(a, "com.atproto.access", kAccessLifetimeMs)},
            {"refreshJwt", Jwt(a, "com.atproto.refresh", kRefreshLifetimeMs)},
            {"handle", Handle(a)},
            {"did", Did(a)},
            {"email", a.username + "@example.com"},
            {"emailConfirmed", true},
            {"active", true}};
  }

  // A new TID from the clock (microseconds) and a counter for the clock id.
  std::string NewTid() {
    uint64_t micros = static_cast<uint64_t>(kit_.core.clock().NowMs()) * 1000 + (++tid_counter_ % 1000);
    uint64_t v = ((micros & ((1ULL << 53) - 1)) << 10) | (tid_counter_ & 0x3FF);
    std::string out(13, '2');
    for (int i = 12; i >= 0; --i, v >>= 5) out[static_cast<size_t>(i)] = kTidAlphabet[v & 31];
    return out;
  }

  std::string Uri(const Account& a, const SimPost& p) const { return "at://" + Did(a) + "/app.bsky.feed.post/" + p.key; }
  std::string CidOf(const SimPost& p) const { return Cid(p.id + "|" + p.text); }
  json Record(const Account& a, const SimPost& p) const {
    json value = {{"$type", "app.bsky.feed.post"}, {"text", p.text}, {"createdAt", FormatRfc3339(p.created_ms)}};
    if (!p.in_reply_to_id.empty()) {
      // The parent, and the root of the thread (followed up the parents).
      auto parent = kit_.core.Find(Net::kBluesky, p.in_reply_to_id);
      auto root = parent;
      for (int hops = 0; root && !root->in_reply_to_id.empty() && hops < 1000; ++hops) {
        root = kit_.core.Find(Net::kBluesky, root->in_reply_to_id);
      }
      if (parent && root) value["reply"] = {{"root", Ref(*root)}, {"parent", Ref(*parent)}};
    }
    if (!p.media.empty()) {
      json images = json::array();
      for (const auto& m : p.media) images.push_back({{"alt", ""}, {"image", BlobJson(m.id, m.type, m.bytes)}});
      value["embed"] = {{"$type", "app.bsky.embed.images"}, {"images", images}};
    }
    return {{"uri", Uri(a, p)}, {"cid", CidOf(p)}, {"value", value}};
  }
  static json BlobJson(const std::string& cid, const std::string& type, int64_t size) {
    return {{"$type", "blob"}, {"ref", {{"$link", cid}}}, {"mimeType", type}, {"size", size}};
  }
  json Ref(const SimPost& p) const { return {{"uri", UriOf(p)}, {"cid", CidOf(p)}}; }

  // Any post's uri: an account's own, or an outsider's.
  std::string UriOf(const SimPost& p) const {
    if (p.account_id.rfind("ext:", 0) == 0) return "at://" + OutsiderDid(p.author_handle) + "/app.bsky.feed.post/" + p.key;
    auto owner = kit_.core.ById(p.account_id);
    return owner ? Uri(*owner, p) : "";
  }
  static std::string OutsiderDid(const std::string& handle) {
    return "did:plc:ext" + std::to_string(StableHash(handle) % 1000000000000ULL);
  }

  // A post view as the AppView shows one (search results, threads,
  // notifications add their reason).
  json PostView(const SimPost& p) const {
    bool outsider = p.account_id.rfind("ext:", 0) == 0;
    auto owner = outsider ? std::nullopt : kit_.core.ById(p.account_id);
    json author = outsider ? json{{"did", OutsiderDid(p.author_handle)}, {"handle", p.author_handle + ".bsky.social"}}
                           : json{{"did", owner ? Did(*owner) : ""}, {"handle", owner ? Handle(*owner) : ""}};
    json record = owner ? Record(*owner, p)["value"] : json{{"$type", "app.bsky.feed.post"}, {"text", p.text},
                                                            {"createdAt", FormatRfc3339(p.created_ms)}};
    if (outsider) {
      record["langs"] = json::array({p.language.empty() ? "en" : p.language});
      if (!p.in_reply_to_id.empty()) {
        auto parent = kit_.core.Find(Net::kBluesky, p.in_reply_to_id);
        auto root = parent;
        for (int hops = 0; root && !root->in_reply_to_id.empty() && hops < 1000; ++hops) {
          root = kit_.core.Find(Net::kBluesky, root->in_reply_to_id);
        }
        if (parent && root) record["reply"] = {{"root", Ref(*root)}, {"parent", Ref(*parent)}};
      }
    }
    // The AppView's counts (app.bsky.feed.defs#postView); Bluesky counts no
    // impressions.
    auto e = kit_.core.EngagementOf(p);
    return {{"uri", UriOf(p)}, {"cid", CidOf(p)}, {"author", author}, {"record", record},
            {"indexedAt", FormatRfc3339(p.created_ms)}, {"likeCount", e.likes}, {"repostCount", e.reposts},
            {"replyCount", e.replies}, {"quoteCount", 0}, {"bookmarkCount", e.likes / 4}};
  }

  // The simulator's post behind an at:// uri (its record key is the last part).
  std::optional<SimPost> FindUri(const std::string& uri) const {
    auto slash = uri.rfind('/');
    if (uri.rfind("at://", 0) != 0 || slash == std::string::npos) return std::nullopt;
    return kit_.core.FindByRecordKey(Net::kBluesky, uri.substr(slash + 1));
  }

  // Every access token issued so far expires now (a test's way to reach
  // ExpiredToken without waiting two hours).
  void ExpireAccessTokens() { access_expired_through_ = jti_.load(); }

  RouteKit& kit_;
  std::atomic<uint64_t> sessions_created_{0}, sessions_refreshed_{0};

 private:
  std::atomic<uint64_t> jti_{0}, tid_counter_{0}, access_expired_through_{0};
};

}  // namespace

void AddBlueskyRoutes(RouteKit& kit) {
  auto pds = std::make_shared<Pds>(kit);
  kit.server.Post("/xrpc/com.atproto.server.createSession", [pds](const httplib::Request& req, httplib::Response& res) {
    json body = Body(req);
    auto a = pds->ByIdentifier(Str(body, "identifier"));
    if (a && Str(body, "password") == a->token && pds->kit_.core.WhyRefused(a->token) == "suspended") {
      return Reply(res, 400, {{"error", "AccountTakedown"}, {"message", "Account has been taken down"}});
    }
    if (!a || Str(body, "password") != a->token || !pds->kit_.core.Authenticate(a->token)) {
      return Reply(res, 401, {{"error", "AuthenticationRequired"}, {"message", "Invalid identifier or password"}});
    }
    ++pds->sessions_created_;
    Reply(res, 200, pds->SessionBody(*a));
  });
  kit.server.Post("/xrpc/com.atproto.server.refreshSession", [pds](const httplib::Request& req, httplib::Response& res) {
    if (auto a = pds->Session(req, res, "com.atproto.refresh")) {
      ++pds->sessions_refreshed_;
      Reply(res, 200, pds->SessionBody(*a));
    }
  });
  // Test controls: expire every access token now; count sessions.
  kit.server.Post("/_sim/bluesky/expire-access-tokens", [pds](const httplib::Request&, httplib::Response& res) {
    pds->ExpireAccessTokens();
    Reply(res, 200, {{"expired", true}});
  });
  kit.server.Get("/_sim/bluesky/sessions", [pds](const httplib::Request&, httplib::Response& res) {
    Reply(res, 200, {{"created", pds->sessions_created_.load()}, {"refreshed", pds->sessions_refreshed_.load()}});
  });
  kit.server.Get("/xrpc/com.atproto.server.getSession", [pds](const httplib::Request& req, httplib::Response& res) {
    if (auto a = pds->Session(req, res, "com.atproto.access")) {
      Reply(res, 200, {{"handle", Handle(*a)}, {"did", Did(*a)}, {"email", a->username + "@example.com"},
                       {"emailConfirmed", true}, {"active", true}});
    }
  });
  kit.server.Post("/xrpc/com.atproto.repo.createRecord", [pds](const httplib::Request& req, httplib::Response& res) {
    auto a = pds->Session(req, res, "com.atproto.access");
    if (!a) return;
    json body = Body(req);
    auto invalid = [&](const std::string& message) {
      Reply(res, 400, {{"error", "InvalidRequest"}, {"message", message}});
    };
    if (!body.is_object()) return invalid("Request body must be a JSON object");
    auto repo = pds->ByIdentifier(Str(body, "repo"));
    if (!repo) return invalid("Could not find repo: " + Str(body, "repo"));
    if (repo->id != a->id) return Reply(res, 403, {{"error", "AuthRequiredError"}, {"message", "Profile not found"}});
    if (Str(body, "collection") != "app.bsky.feed.post") return invalid("Input/collection must be app.bsky.feed.post");
    if (!body.contains("record") || !body["record"].is_object()) return invalid("Input must have the property \"record\"");
    const json& record = body["record"];
    if (!record.contains("text") || !record["text"].is_string()) {
      return invalid("Invalid app.bsky.feed.post record: Record must have the property \"text\"");
    }
    if (Str(record, "createdAt").empty()) {
      return invalid("Invalid app.bsky.feed.post record: Record must have the property \"createdAt\"");
    }
    std::string text = record["text"].get<std::string>();
    if (CountedLength(Net::kBluesky, text) > MaxLength(Net::kBluesky)) {
      return invalid("Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes");
    }
    std::string reply_to;
    if (record.contains("reply")) {
      const json& reply = record["reply"];
      const json parent = reply.is_object() && reply.contains("parent") ? reply["parent"] : json();
      std::string uri = Str(parent, "uri"), cid = Str(parent, "cid");
      auto slash = uri.rfind('/');
      auto parent_post = slash == std::string::npos
                             ? std::nullopt
                             : pds->kit_.core.PeekByKey(Net::kBluesky, a->id, uri.substr(slash + 1));
      if (!reply.is_object() || !reply.contains("root") || !parent_post || pds->CidOf(*parent_post) != cid) {
        return invalid("Invalid app.bsky.feed.post record: reply must reference an existing post by uri and cid");
      }
      reply_to = parent_post->id;
    }
    std::vector<SimAttachment> media;
    if (record.contains("embed")) {
      const json& embed = record["embed"];
      if (!embed.is_object() || Str(embed, "$type") != "app.bsky.embed.images" || !embed.contains("images") ||
          !embed["images"].is_array()) {
        return invalid("Invalid app.bsky.feed.post record: Record/embed must be an app.bsky.embed.images with images");
      }
      if (embed["images"].size() > static_cast<size_t>(MaxMedia(Net::kBluesky))) {
        return invalid("Invalid app.bsky.feed.post record: Record/embed/images must not have more than " +
                       std::to_string(MaxMedia(Net::kBluesky)) + " elements");
      }
      for (size_t i = 0; i < embed["images"].size(); ++i) {
        const json& image = embed["images"][i];
        std::string at = "Record/embed/images/" + std::to_string(i);
        const json blob = image.is_object() && image.contains("image") ? image["image"] : json();
        std::string cid = blob.is_object() && blob.contains("ref") ? Str(blob["ref"], "$link") : "";
        if (!image.is_object() || !image.contains("alt") || !image["alt"].is_string()) {
          return invalid("Invalid app.bsky.feed.post record: " + at + " must have the property \"alt\"");
        }
        auto stored = pds->kit_.media->Find(Net::kBluesky, cid);
        if (!stored || stored->account_id != a->id) {
          return invalid("Invalid app.bsky.feed.post record: " + at + "/image: could not find blob " + cid);
        }
        if (Str(blob, "mimeType") != stored->type) {
          return invalid("Invalid app.bsky.feed.post record: " + at + "/image mimeType does not match the blob");
        }
        if (stored->bytes > MaxImageBytes(Net::kBluesky)) {
          return Reply(res, 400, {{"error", "BlobTooLarge"},
                                  {"message", at + "/image is too big (" + std::to_string(MaxImageBytes(Net::kBluesky)) +
                                                  " bytes max)"}});
        }
        media.push_back({cid, stored->type, stored->bytes});
      }
    }
    std::string rkey = Str(body, "rkey");
    if (!rkey.empty() && !IsTid(rkey)) return invalid("Invalid record key: must be a TID");
    pds->kit_.Posting(req, res, [&] {
      if (!rkey.empty() && pds->kit_.core.PeekByKey(Net::kBluesky, a->id, rkey)) {
        (void)pds->kit_.core.FindByKey(Net::kBluesky, a->id, rkey);  // counted as a repeat the key absorbed
        // What a PDS answers when the record key exists (a unique index
        // violation inside): the caller cannot tell it from an outage.
        return Reply(res, 500, {{"error", "InternalServerError"}, {"message", "Internal Server Error"}});
      }
      auto adm = pds->kit_.core.Charge(Net::kBluesky, a->id, 3);  // a create costs 3 points
      Headers h{{"ratelimit-limit", std::to_string(adm.limit)},
                {"ratelimit-remaining", std::to_string(adm.remaining)},
                {"ratelimit-reset", EpochSeconds(adm.reset_ms)},
                {"ratelimit-policy",
                 std::to_string(adm.limit) + ";w=" + std::to_string(pds->kit_.core.limit().window_ms / 1000)}};
      if (!adm.ok) return Reply(res, 429, {{"error", "RateLimitExceeded"}, {"message", "Rate Limit Exceeded"}}, h);
      auto p = pds->kit_.core.Accept(Net::kBluesky, a->id, text, reply_to, rkey.empty() ? pds->NewTid() : rkey, media);
      for (const auto& m : media) pds->kit_.media->Update(Net::kBluesky, m.id, [](SimMedia& u) { u.attached = true; });
      Reply(res, 200, {{"uri", pds->Uri(*a, p)}, {"cid", pds->CidOf(p)},
                       {"commit", {{"cid", Cid("commit|" + p.id)}, {"rev", pds->NewTid()}}},
                       {"validationStatus", "valid"}}, h);
    });
  });
  kit.server.Post("/xrpc/com.atproto.repo.uploadBlob", [pds](const httplib::Request& req, httplib::Response& res) {
    auto a = pds->Session(req, res, "com.atproto.access");
    if (!a) return;
    constexpr size_t kPdsBlobLimit = 50u << 20;  // the PDS's own upload limit (records limit images further)
    if (req.body.empty()) return Reply(res, 400, {{"error", "InvalidRequest"}, {"message", "Request body is empty"}});
    if (req.body.size() > kPdsBlobLimit) {
      return Reply(res, 413, {{"error", "PayloadTooLarge"}, {"message", "request entity too large"}});
    }
    std::string type;
    (void)CheckUpload(Net::kBluesky, req.body, static_cast<int64_t>(req.body.size()), &type);
    if (type.empty()) type = req.get_header_value("Content-Type");  // stored as sent when not sniffable
    std::string cid = Cid(req.body, 0x55);
    if (!pds->kit_.media->Find(Net::kBluesky, cid)) {
      pds->kit_.media->Add({cid, Net::kBluesky, a->id, type, static_cast<int64_t>(req.body.size()), 0,
                            req.body.substr(0, 16), true, 0, false});
    }
    Reply(res, 200, {{"blob", Pds::BlobJson(cid, type, static_cast<int64_t>(req.body.size()))}});
  });
  kit.server.Get("/xrpc/com.atproto.repo.getRecord", [pds](const httplib::Request& req, httplib::Response& res) {
    auto a = pds->ByIdentifier(req.get_param_value("repo"));
    if (!a) return Reply(res, 400, {{"error", "InvalidRequest"}, {"message", "Could not find repo: " + req.get_param_value("repo")}});
    std::string rkey = req.get_param_value("rkey");
    auto p = pds->kit_.core.PeekByKey(Net::kBluesky, a->id, rkey);
    if (!p || req.get_param_value("collection") != "app.bsky.feed.post") {
      return Reply(res, 400, {{"error", "RecordNotFound"},
                              {"message", "Could not locate record: at://" + Did(*a) + "/" +
                                              req.get_param_value("collection") + "/" + rkey}});
    }
    Reply(res, 200, pds->Record(*a, *p));
  });
  // Listening (AppView): notifications, search, threads; newest first, the
  // cursor the last id seen.
  auto limit_of = [](const httplib::Request& req, httplib::Response& res, size_t fallback) -> size_t {
    if (!req.has_param("limit")) return fallback;
    long n = std::strtol(req.get_param_value("limit").c_str(), nullptr, 10);
    if (n < 1 || n > 100) {
      Reply(res, 400, {{"error", "InvalidRequest"}, {"message", "limit must be between 1 and 100"}});
      return 0;
    }
    return static_cast<size_t>(n);
  };
  kit.server.Get("/xrpc/app.bsky.notification.listNotifications", [pds, limit_of](const httplib::Request& req,
                                                                                  httplib::Response& res) {
    auto a = pds->Session(req, res, "com.atproto.access");
    if (!a) return;
    size_t limit = limit_of(req, res, 50);
    if (limit == 0) return;
    json out = json::array();
    std::string last;
    for (const auto& p : pds->kit_.core.InboundFor(Net::kBluesky, a->id, req.get_param_value("cursor"), limit)) {
      if (p.kind == "dm") continue;  // Bluesky's chat is another service
      json n = pds->PostView(p);
      n["reason"] = p.kind == "reply" ? "reply" : "mention";
      n["isRead"] = false;
      out.push_back(n);
      last = p.id;
    }
    json body = {{"notifications", out}};
    if (out.size() == limit) body["cursor"] = last;
    Reply(res, 200, body);
  });
  kit.server.Get("/xrpc/app.bsky.feed.searchPosts", [pds, limit_of](const httplib::Request& req, httplib::Response& res) {
    if (!pds->Session(req, res, "com.atproto.access")) return;
    size_t limit = limit_of(req, res, 25);
    if (limit == 0) return;
    std::string q = req.get_param_value("q");
    if (q.empty()) return Reply(res, 400, {{"error", "InvalidRequest"}, {"message", "Error: Params must have the property \"q\""}});
    std::vector<std::string> terms = SplitOr(q);
    json posts = json::array();
    std::string last;
    for (const auto& p : pds->kit_.core.Search(Net::kBluesky, terms, req.get_param_value("cursor"), limit)) {
      posts.push_back(pds->PostView(p));
      last = p.id;
    }
    json body = {{"posts", posts}};
    if (posts.size() == limit) body["cursor"] = last;
    Reply(res, 200, body);
  });
  kit.server.Get("/xrpc/app.bsky.feed.getPostThread", [pds](const httplib::Request& req, httplib::Response& res) {
    if (!pds->Session(req, res, "com.atproto.access")) return;
    auto root = pds->FindUri(req.get_param_value("uri"));
    if (!root) return Reply(res, 400, {{"error", "NotFound"}, {"message", "Post not found: " + req.get_param_value("uri")}});
    std::function<json(const SimPost&, int)> view = [&](const SimPost& p, int depth) {
      json replies = json::array();
      if (depth < 10) {
        for (const auto& r : pds->kit_.core.Replies(Net::kBluesky, p.id, 1000)) replies.push_back(view(r, depth + 1));
      }
      return json{{"$type", "app.bsky.feed.defs#threadViewPost"}, {"post", pds->PostView(p)}, {"replies", replies}};
    };
    Reply(res, 200, {{"thread", view(*root, 0)}});
  });
  // A profile by handle or DID, with the AppView's counts.
  kit.server.Get("/xrpc/app.bsky.actor.getProfile", [pds](const httplib::Request& req, httplib::Response& res) {
    if (!pds->Session(req, res, "com.atproto.access")) return;
    auto a = pds->ByIdentifier(req.get_param_value("actor"));
    if (!a) return Reply(res, 400, {{"error", "InvalidRequest"}, {"message", "Profile not found"}});
    Reply(res, 200, {{"did", Did(*a)}, {"handle", Handle(*a)}, {"displayName", a->username},
                     {"followersCount", pds->kit_.core.FollowersOf(a->id)}, {"followsCount", 12},
                     {"postsCount", 0}});
  });
  // Hydrated views of up to 25 posts by uri; a uri with no post (deleted)
  // is left out of the answer, not an error.
  kit.server.Get("/xrpc/app.bsky.feed.getPosts", [pds](const httplib::Request& req, httplib::Response& res) {
    if (!pds->Session(req, res, "com.atproto.access")) return;
    size_t n = req.get_param_value_count("uris");
    if (n == 0 || n > 25) {
      return Reply(res, 400, {{"error", "InvalidRequest"}, {"message", "Error: uris must have 1 to 25 items"}});
    }
    json posts = json::array();
    for (size_t i = 0; i < n; ++i) {
      if (auto p = pds->FindUri(req.get_param_value("uris", i))) posts.push_back(pds->PostView(*p));
    }
    Reply(res, 200, {{"posts", posts}});
  });
  kit.server.Get("/xrpc/com.atproto.repo.listRecords", [pds](const httplib::Request& req, httplib::Response& res) {
    auto a = pds->ByIdentifier(req.get_param_value("repo"));
    if (!a) return Reply(res, 400, {{"error", "InvalidRequest"}, {"message", "Could not find repo: " + req.get_param_value("repo")}});
    size_t limit = 50;
    if (req.has_param("limit")) {
      long n = std::strtol(req.get_param_value("limit").c_str(), nullptr, 10);
      if (n < 1 || n > 100) {
        return Reply(res, 400, {{"error", "InvalidRequest"}, {"message", "limit must be between 1 and 100"}});
      }
      limit = static_cast<size_t>(n);
    }
    std::string cursor = req.get_param_value("cursor");
    json records = json::array();
    std::string last;
    // Newest first, by record key (TIDs sort by time); the cursor is the last key seen.
    auto all = pds->kit_.core.Recent(Net::kBluesky, a->id, 100000);
    std::sort(all.begin(), all.end(), [](const SimPost& x, const SimPost& y) { return x.key > y.key; });
    for (const auto& p : all) {
      if (!cursor.empty() && p.key >= cursor) continue;
      records.push_back(pds->Record(*a, p));
      last = p.key;
      if (records.size() == limit) break;
    }
    json out = {{"records", records}};
    if (records.size() == limit) out["cursor"] = last;
    Reply(res, 200, out);
  });
}

}  // namespace herald::sim
