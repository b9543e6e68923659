#include "simulator/routes.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "common/time_util.h"

namespace herald::sim {
namespace {

using nlohmann::json;
using Headers = std::map<std::string, std::string>;

void Reply(httplib::Response& res, int status, const json& body, const Headers& headers = {}) {
  res.status = status;
  for (const auto& [k, v] : headers) res.set_header(k, v);
  res.set_content(body.dump(), "application/json");
}

// Closes the request's connection before any byte of the answer is written.
// cpp-httplib does not hand handlers their socket, so it is found among the
// process's sockets by its two ends (local port, peer address and port);
// shutting it down makes httplib's own write fail, and the client reads an
// orderly close where an answer should be.
void CloseSilently(const httplib::Request& req) {
  DIR* fds = opendir("/proc/self/fd");
  if (!fds) return;
  while (dirent* e = readdir(fds)) {
    int fd = std::atoi(e->d_name);
    if (fd <= 2) continue;
    sockaddr_storage local{}, peer{};
    socklen_t ll = sizeof local, pl = sizeof peer;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &ll) != 0 ||
        getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &pl) != 0 || local.ss_family != AF_INET ||
        peer.ss_family != AF_INET) {
      continue;
    }
    const auto& l = reinterpret_cast<const sockaddr_in&>(local);
    const auto& p = reinterpret_cast<const sockaddr_in&>(peer);
    char peer_ip[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &p.sin_addr, peer_ip, sizeof peer_ip);
    if (ntohs(l.sin_port) == req.local_port && ntohs(p.sin_port) == req.remote_port && req.remote_addr == peer_ip) {
      shutdown(fd, SHUT_RDWR);
      break;
    }
  }
  closedir(fds);
}

// Headers are sent, the body never is: the client sees a broken exchange.
void Abort(httplib::Response& res) {
  res.status = 200;
  res.set_content_provider(64, "application/json", [](size_t, size_t, httplib::DataSink&) { return false; });
}

std::string Bearer(const httplib::Request& req) {
  std::string auth = req.get_header_value("Authorization");
  return auth.rfind("Bearer ", 0) == 0 ? auth.substr(7) : "";
}

json Body(const httplib::Request& req) { return json::parse(req.body, nullptr, false); }

std::string EpochSeconds(int64_t ms) { return std::to_string((ms + 999) / 1000); }

// "2026-11-28T09:00:00Z" (what Herald sends) → unix ms.
int64_t ParseTime(const std::string& s) {
  std::tm tm{};
  if (!strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

class Routes {
 public:
  Routes(httplib::Server& server, SimCore& core, Faults& faults, std::string base_url)
      : server_(server), core_(core), faults_(faults), base_(std::move(base_url)) {}

  void AddAll() {
    Mastodon();
    X();
    Bluesky();
    LinkedIn();
    Meta();
    OAuth();
  }

 private:
  // OAuth 2.0 refresh_token grants (form-encoded, as the real token endpoints
  // take them). X rotates refresh tokens; the LinkedIn endpoint keeps the old
  // one valid and leaves it out of the answer.
  void OAuth() {
    auto refresh = [this](bool rotate) {
      return [this, rotate](const httplib::Request& req, httplib::Response& res) {
        if (req.get_param_value("grant_type") != "refresh_token") {
          return Reply(res, 400, {{"error", "unsupported_grant_type"}});
        }
        bool client = req.has_header("Authorization") || req.has_param("client_id");
        if (!client) return Reply(res, 401, {{"error", "invalid_client"}});
        auto grant = core_.Refresh(req.get_param_value("refresh_token"), rotate);
        if (!grant) return Reply(res, 400, {{"error", "invalid_grant"}});
        json body = {{"access_token", grant->access_token}, {"token_type", "bearer"},
                     {"expires_in", grant->expires_in_s}};
        if (!grant->refresh_token.empty()) body["refresh_token"] = grant->refresh_token;
        Reply(res, 200, body);
      };
    };
    server_.Post("/2/oauth2/token", refresh(true));
    server_.Post("/oauth/v2/accessToken", refresh(false));
  }

  // A posting endpoint under the fault plan: `post` decides and writes the answer.
  void Posting(const httplib::Request& req, httplib::Response& res, const std::function<void()>& post) {
    struct InFlight {
      SimCore& core;
      explicit InFlight(SimCore& c) : core(c) { core.PostingBegan(); }
      ~InFlight() { core.PostingEnded(); }
    } in_flight(core_);
    FaultPlan plan = faults_.plan();
    if (plan.latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(plan.latency_ms));
    switch (faults_.Roll()) {
      case Faults::Action::kError: return Reply(res, 503, {{"error", "simulated outage"}});
      case Faults::Action::kReset: return Abort(res);
      case Faults::Action::kTimeout:
        post();  // it lands...
        std::this_thread::sleep_for(std::chrono::milliseconds(plan.timeout_hold_ms));
        // ...and not a byte of the answer ever comes. (Abort is no use here:
        // with a body already written, httplib would send it whole.)
        return CloseSilently(req);
      case Faults::Action::kClose:
        post();  // it lands...
        return CloseSilently(req);  // ...and the connection closes, not a byte answered
      case Faults::Action::kNone: return post();
    }
  }

  std::optional<Account> Auth(const httplib::Request& req, httplib::Response& res, int status = 401,
                              const json& error = {{"error", "The access token is invalid"}}) {
    auto account = core_.Authenticate(Bearer(req));
    if (!account) Reply(res, status, error);
    return account;
  }

  size_t Limit(const httplib::Request& req, const char* param, size_t fallback, size_t max) {
    if (!req.has_param(param)) return fallback;
    return std::clamp<size_t>(std::strtoul(req.get_param_value(param).c_str(), nullptr, 10), 1, max);
  }

  // ---- Mastodon: /api/v1, X-RateLimit-* (reset as RFC 3339), Idempotency-Key
  void Mastodon() {
    server_.Get("/api/v1/accounts/verify_credentials", [this](const httplib::Request& req, httplib::Response& res) {
      if (auto a = Auth(req, res)) Reply(res, 200, {{"id", a->id}, {"username", a->username}, {"acct", a->username}});
    });
    server_.Post("/api/v1/statuses", [this](const httplib::Request& req, httplib::Response& res) {
      auto a = Auth(req, res);
      if (!a) return;
      json body = Body(req);
      std::string text = body.is_object() ? body.value("status", "") : req.get_param_value("status");
      std::string reply_to = body.is_object() && body.contains("in_reply_to_id") && body["in_reply_to_id"].is_string()
                                 ? body["in_reply_to_id"].get<std::string>()
                                 : "";
      std::string key = req.get_header_value("Idempotency-Key");
      Posting(req, res, [&] {
        if (!key.empty()) {
          // A repeated Idempotency-Key gets the first status back, uncounted.
          if (auto first = core_.FindByKey(Net::kMastodon, a->id, key)) return Reply(res, 200, Status(*first, *a));
        }
        auto adm = core_.Charge(Net::kMastodon, a->id);
        Headers h{{"X-RateLimit-Limit", std::to_string(adm.limit)},
                  {"X-RateLimit-Remaining", std::to_string(adm.remaining)},
                  {"X-RateLimit-Reset", FormatRfc3339(adm.reset_ms)}};
        if (!adm.ok) {
          h["Retry-After"] = std::to_string((adm.reset_ms - core_.clock().NowMs() + 999) / 1000);
          return Reply(res, 429, {{"error", "Too many requests"}}, h);
        }
        if (text.empty()) return Reply(res, 422, {{"error", "Validation failed: Text can't be blank"}}, h);
        Reply(res, 200, Status(core_.Accept(Net::kMastodon, a->id, text, reply_to, key), *a), h);
      });
    });
    server_.Get(R"(/api/v1/accounts/([^/]+)/statuses)", [this](const httplib::Request& req, httplib::Response& res) {
      auto a = Auth(req, res);
      if (!a) return;
      json out = json::array();
      for (const auto& p : core_.Recent(Net::kMastodon, req.matches[1], Limit(req, "limit", 20, 40))) {
        out.push_back(Status(p, *a));
      }
      Reply(res, 200, out);
    });
  }

  json Status(const SimPost& p, const Account& a) {
    auto e = core_.EngagementOf(p);
    return {{"id", p.id},
            {"created_at", FormatRfc3339(p.created_ms)},
            {"content", "<p>" + p.text + "</p>"},
            {"in_reply_to_id", p.in_reply_to_id.empty() ? json(nullptr) : json(p.in_reply_to_id)},
            {"url", base_ + "/@" + a.username + "/" + p.id},
            {"visibility", "public"},
            {"favourites_count", e.likes},
            {"reblogs_count", e.reposts},
            {"replies_count", e.replies},
            {"account", {{"id", a.id}, {"acct", a.username}}}};
  }

  // ---- X API v2: /2, x-rate-limit-* (reset in epoch seconds), problem+json errors
  void X() {
    const json unauthorized = {{"title", "Unauthorized"}, {"type", "about:blank"}, {"status", 401}, {"detail", "Unauthorized"}};
    server_.Get("/2/users/me", [this, unauthorized](const httplib::Request& req, httplib::Response& res) {
      if (auto a = Auth(req, res, 401, unauthorized)) {
        Reply(res, 200, {{"data", {{"id", a->id}, {"name", a->username}, {"username", a->username}}}});
      }
    });
    server_.Post("/2/tweets", [this, unauthorized](const httplib::Request& req, httplib::Response& res) {
      auto a = Auth(req, res, 401, unauthorized);
      if (!a) return;
      json body = Body(req);
      if (!body.is_object() || !body.contains("text") || !body["text"].is_string()) {
        return Reply(res, 400, {{"title", "Invalid Request"}, {"detail", "text: required"}, {"status", 400}});
      }
      std::string reply_to;
      if (body.contains("reply") && body["reply"].is_object()) reply_to = body["reply"].value("in_reply_to_tweet_id", "");
      Posting(req, res, [&] {
        auto adm = core_.Charge(Net::kX, a->id);
        Headers h{{"x-rate-limit-limit", std::to_string(adm.limit)},
                  {"x-rate-limit-remaining", std::to_string(adm.remaining)},
                  {"x-rate-limit-reset", EpochSeconds(adm.reset_ms)}};
        if (!adm.ok) {
          return Reply(res, 429, {{"title", "Too Many Requests"}, {"detail", "Too Many Requests"}, {"status", 429}}, h);
        }
        auto p = core_.Accept(Net::kX, a->id, body["text"].get<std::string>(), reply_to, "");
        Reply(res, 201, {{"data", {{"id", p.id}, {"text", p.text}, {"edit_history_tweet_ids", {p.id}}}}}, h);
      });
    });
    server_.Get(R"(/2/users/([^/]+)/tweets)", [this, unauthorized](const httplib::Request& req, httplib::Response& res) {
      if (!Auth(req, res, 401, unauthorized)) return;
      json data = json::array();
      int64_t since = req.has_param("start_time") ? ParseTime(req.get_param_value("start_time")) : 0;
      for (const auto& p : core_.Recent(Net::kX, req.matches[1], Limit(req, "max_results", 10, 100), since)) {
        data.push_back({{"id", p.id}, {"text", p.text}, {"created_at", FormatRfc3339(p.created_ms)}});
      }
      Reply(res, 200, {{"data", data}, {"meta", {{"result_count", data.size()}}}});
    });
    server_.Get("/2/tweets", [this, unauthorized](const httplib::Request& req, httplib::Response& res) {
      if (!Auth(req, res, 401, unauthorized)) return;
      json data = json::array();
      std::string ids = req.get_param_value("ids");
      for (size_t start = 0; start < ids.size();) {
        size_t comma = ids.find(',', start);
        std::string id = ids.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (auto p = core_.Find(Net::kX, id)) {
          auto e = core_.EngagementOf(*p);
          data.push_back({{"id", p->id},
                          {"text", p->text},
                          {"public_metrics",
                           {{"impression_count", e.impressions},
                            {"like_count", e.likes},
                            {"retweet_count", e.reposts},
                            {"reply_count", e.replies}}}});
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      Reply(res, 200, {{"data", data}});
    });
  }

  // ---- Bluesky (AT Protocol XRPC): sessions, createRecord with a record key, ratelimit-*
  void Bluesky() {
    server_.Post("/xrpc/com.atproto.server.createSession", [this](const httplib::Request& req, httplib::Response& res) {
      json body = Body(req);
      auto a = body.is_object() ? core_.ByUsername(body.value("identifier", "")) : std::nullopt;
      if (!a || body.value("password", "") != a->token) {
        return Reply(res, 401, {{"error", "AuthenticationRequired"}, {"message", "Invalid identifier or password"}});
      }
      Reply(res, 200, {{"accessJwt", "simjwt." + a->token}, {"refreshJwt", "simrefresh." + a->token},
                       {"did", Did(*a)}, {"handle", a->username}});
    });
    server_.Post("/xrpc/com.atproto.repo.createRecord", [this](const httplib::Request& req, httplib::Response& res) {
      std::string jwt = Bearer(req);
      auto a = jwt.rfind("simjwt.", 0) == 0 ? core_.Authenticate(jwt.substr(7)) : std::nullopt;
      if (!a) return Reply(res, 401, {{"error", "AuthenticationRequired"}, {"message", "Invalid token"}});
      json body = Body(req);
      if (!body.is_object() || body.value("repo", "") != Did(*a) || !body.contains("record") ||
          !body["record"].is_object() || !body["record"].contains("text")) {
        return Reply(res, 400, {{"error", "InvalidRequest"}, {"message", "repo, record.text: required"}});
      }
      std::string rkey = body.value("rkey", "");
      std::string text = body["record"].value("text", "");
      Posting(req, res, [&] {
        if (!rkey.empty() && core_.FindByKey(Net::kBluesky, a->id, rkey)) {
          return Reply(res, 400, {{"error", "InvalidRequest"}, {"message", "Record already exists: " + rkey}});
        }
        auto adm = core_.Charge(Net::kBluesky, a->id, 3);  // a create costs 3 points
        Headers h{{"ratelimit-limit", std::to_string(adm.limit)},
                  {"ratelimit-remaining", std::to_string(adm.remaining)},
                  {"ratelimit-reset", EpochSeconds(adm.reset_ms)},
                  {"ratelimit-policy", std::to_string(adm.limit) + ";w=" + std::to_string(core_.limit().window_ms / 1000)}};
        if (!adm.ok) return Reply(res, 429, {{"error", "RateLimitExceeded"}, {"message", "Rate Limit Exceeded"}}, h);
        auto p = core_.Accept(Net::kBluesky, a->id, text, "", rkey.empty() ? std::to_string(++rkeys_) : rkey);
        Reply(res, 200, {{"uri", Uri(*a, p)}, {"cid", "bafysim" + p.id}}, h);
      });
    });
    server_.Get("/xrpc/com.atproto.repo.listRecords", [this](const httplib::Request& req, httplib::Response& res) {
      std::string did = req.get_param_value("repo");
      std::optional<Account> account;
      for (const char* prefix : {"did:plc:sim"}) {
        if (did.rfind(prefix, 0) == 0) account = Account{did.substr(11), "", ""};
      }
      if (!account) return Reply(res, 400, {{"error", "InvalidRequest"}, {"message", "Could not find repo"}});
      json records = json::array();
      for (const auto& p : core_.Recent(Net::kBluesky, account->id, Limit(req, "limit", 50, 100))) {
        records.push_back({{"uri", Uri(*account, p)},
                           {"cid", "bafysim" + p.id},
                           {"value", {{"$type", "app.bsky.feed.post"}, {"text", p.text},
                                      {"createdAt", FormatRfc3339(p.created_ms)}}}});
      }
      Reply(res, 200, {{"records", records}});
    });
  }

  static std::string Did(const Account& a) { return "did:plc:sim" + a.id; }
  static std::string Uri(const Account& a, const SimPost& p) {
    return "at://" + Did(a) + "/app.bsky.feed.post/" + p.key;
  }

  // ---- LinkedIn: /v2/userinfo, /rest/posts versioned by LinkedIn-Version; 429 without headers
  void LinkedIn() {
    server_.Get("/v2/userinfo", [this](const httplib::Request& req, httplib::Response& res) {
      if (auto a = Auth(req, res, 401, {{"status", 401}, {"message", "Invalid access token"}})) {
        Reply(res, 200, {{"sub", a->id}, {"name", a->username}});
      }
    });
    server_.Post("/rest/posts", [this](const httplib::Request& req, httplib::Response& res) {
      auto a = Auth(req, res, 401, {{"status", 401}, {"message", "Invalid access token"}});
      if (!a) return;
      if (req.get_header_value("LinkedIn-Version").empty()) {
        return Reply(res, 426, {{"status", 426}, {"message", "A version must be present. Please specify a version by adding the LinkedIn-Version header."}});
      }
      json body = Body(req);
      if (!body.is_object() || body.value("author", "") != "urn:li:person:" + a->id) {
        return Reply(res, 403, {{"status", 403}, {"message", "author does not match the token's member"}});
      }
      std::string text = body.value("commentary", "");
      Posting(req, res, [&] {
        if (!core_.Charge(Net::kLinkedIn, a->id).ok) {
          return Reply(res, 429, {{"status", 429}, {"message", "Resource level throttle limit for calls to this resource is reached."}});
        }
        auto p = core_.Accept(Net::kLinkedIn, a->id, text, "", "");
        res.status = 201;
        res.set_header("x-restli-id", "urn:li:share:" + p.id);
      });
    });
    server_.Get("/rest/posts", [this](const httplib::Request& req, httplib::Response& res) {
      if (!Auth(req, res, 401, {{"status", 401}, {"message", "Invalid access token"}})) return;
      std::string author = req.get_param_value("author");
      std::string id = author.rfind("urn:li:person:", 0) == 0 ? author.substr(14) : "";
      json elements = json::array();
      for (const auto& p : core_.Recent(Net::kLinkedIn, id, Limit(req, "count", 10, 100))) {
        elements.push_back({{"id", "urn:li:share:" + p.id}, {"commentary", p.text}, {"author", author},
                            {"createdAt", p.created_ms}});
      }
      Reply(res, 200, {{"elements", elements}});
    });
  }

  // ---- Meta Graph API (Facebook Pages, Instagram): /v21.0; limits as error code 32 / 4
  void Meta() {
    auto graph_error = [](int code, const std::string& message) {
      return json{{"error", {{"message", message}, {"type", "OAuthException"}, {"code", code}}}};
    };
    auto auth = [this, graph_error](const httplib::Request& req, httplib::Response& res) {
      return Auth(req, res, 400, graph_error(190, "Invalid OAuth access token."));
    };
    server_.Get("/v21.0/me", [auth](const httplib::Request& req, httplib::Response& res) {
      if (auto a = auth(req, res)) Reply(res, 200, {{"id", a->id}, {"name", a->username}, {"username", a->username}});
    });
    auto usage = [this](const Account& a, const Admission& adm) {
      int pct = adm.limit > 0 ? 100 * (adm.limit - adm.remaining) / adm.limit : 0;
      int64_t minutes = adm.ok ? 0 : (adm.reset_ms - core_.clock().NowMs() + 59999) / 60000;
      return Headers{{"x-business-use-case-usage",
                      json{{a.id, {{{"type", "pages"}, {"call_count", pct}, {"estimated_time_to_regain_access", minutes}}}}}
                          .dump()}};
    };
    server_.Post(R"(/v21.0/([^/]+)/feed)", [=, this](const httplib::Request& req, httplib::Response& res) {
      auto a = auth(req, res);
      if (!a) return;
      if (req.matches[1] != a->id) return Reply(res, 403, graph_error(200, "(#200) Permissions error"));
      json body = Body(req);
      std::string message = body.is_object() ? body.value("message", "") : req.get_param_value("message");
      Posting(req, res, [&] {
        auto adm = core_.Charge(Net::kFacebook, a->id);
        if (!adm.ok) return Reply(res, 400, graph_error(32, "(#32) Page request limit reached"), usage(*a, adm));
        auto p = core_.Accept(Net::kFacebook, a->id, message, "", "");
        Reply(res, 200, {{"id", a->id + "_" + p.id}}, usage(*a, adm));
      });
    });
    server_.Get(R"(/v21.0/([^/]+)/feed)", [=, this](const httplib::Request& req, httplib::Response& res) {
      auto a = auth(req, res);
      if (!a) return;
      json data = json::array();
      int64_t since = std::atoll(req.get_param_value("since").c_str()) * 1000;
      for (const auto& p : core_.Recent(Net::kFacebook, req.matches[1], Limit(req, "limit", 25, 100), since)) {
        data.push_back({{"id", a->id + "_" + p.id}, {"message", p.text},
                        {"permalink_url", base_ + "/" + a->id + "/posts/" + p.id},
                        {"created_time", FormatRfc3339(p.created_ms)}});
      }
      Reply(res, 200, {{"data", data}});
    });
    server_.Post(R"(/v21.0/([^/]+)/media)", [=, this](const httplib::Request& req, httplib::Response& res) {
      auto a = auth(req, res);
      if (!a) return;
      json body = Body(req);
      if (!body.is_object() || body.value("image_url", "").empty()) {
        return Reply(res, 400, graph_error(100, "(#100) image_url: required"));
      }
      std::lock_guard lock(containers_mu_);
      std::string id = "c" + std::to_string(++next_container_);
      containers_[id] = body.value("caption", "");
      Reply(res, 200, {{"id", id}});
    });
    server_.Post(R"(/v21.0/([^/]+)/media_publish)", [=, this](const httplib::Request& req, httplib::Response& res) {
      auto a = auth(req, res);
      if (!a) return;
      json body = Body(req);
      std::string creation = body.is_object() ? body.value("creation_id", "") : "";
      std::string caption;
      {
        std::lock_guard lock(containers_mu_);
        auto it = containers_.find(creation);
        if (it == containers_.end()) return Reply(res, 400, graph_error(100, "(#100) creation_id: unknown container"));
        caption = it->second;
      }
      Posting(req, res, [&] {
        // A container publishes once: a repeat answers with the first media.
        if (auto first = core_.FindByKey(Net::kInstagram, a->id, creation)) return Reply(res, 200, {{"id", first->id}});
        auto adm = core_.Charge(Net::kInstagram, a->id);
        if (!adm.ok) return Reply(res, 400, graph_error(4, "(#4) Application request limit reached"), usage(*a, adm));
        auto p = core_.Accept(Net::kInstagram, a->id, caption, "", creation);
        Reply(res, 200, {{"id", p.id}}, usage(*a, adm));
      });
    });
    server_.Get(R"(/v21.0/([^/]+)/media)", [=, this](const httplib::Request& req, httplib::Response& res) {
      auto a = auth(req, res);
      if (!a) return;
      json data = json::array();
      int64_t since = std::atoll(req.get_param_value("since").c_str()) * 1000;
      for (const auto& p : core_.Recent(Net::kInstagram, req.matches[1], Limit(req, "limit", 25, 100), since)) {
        data.push_back({{"id", p.id}, {"caption", p.text}, {"permalink", base_ + "/p/" + p.id},
                        {"timestamp", FormatRfc3339(p.created_ms)}});
      }
      Reply(res, 200, {{"data", data}});
    });
  }

  httplib::Server& server_;
  SimCore& core_;
  Faults& faults_;
  std::string base_;
  std::atomic<uint64_t> rkeys_{0};
  std::mutex containers_mu_;
  std::map<std::string, std::string> containers_;
  uint64_t next_container_ = 0;
};

}  // namespace

std::shared_ptr<void> AddNetworkRoutes(httplib::Server& server, SimCore& core, Faults& faults,
                                       const std::string& base_url) {
  auto routes = std::make_shared<Routes>(server, core, faults, base_url);
  routes->AddAll();
  return routes;
}

}  // namespace herald::sim
