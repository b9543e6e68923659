// simulator: a social network on loopback, speaking the shape of Mastodon's API.
//
//   GET  /api/v1/accounts/verify_credentials   (Bearer token)
//   POST /api/v1/statuses                      (Bearer, Idempotency-Key, X-RateLimit-*, 429)
//   GET  /api/v1/accounts/{id}/statuses
// Test controls (not part of any real network):
//   GET  /_sim/ledger                          every status accepted, in order
//   POST /_sim/mention                         sends a signed mention webhook
//   GET  /healthz
#include <httplib.h>

#include <csignal>
#include <thread>

#include "common/config.h"
#include "common/hmac.h"
#include "common/http_client.h"
#include "common/time_util.h"
#include "simulator/mastodon_sim.h"

using herald::sim::Account;
using herald::sim::MastodonSim;
using nlohmann::json;

namespace {

void Reply(httplib::Response& res, int status, const json& body,
           const std::map<std::string, std::string>& headers = {}) {
  res.status = status;
  for (const auto& [k, v] : headers) res.set_header(k, v);
  res.set_content(body.dump(), "application/json");
}

std::string Bearer(const httplib::Request& req) {
  std::string auth = req.get_header_value("Authorization");
  return auth.rfind("Bearer ", 0) == 0 ? auth.substr(7) : "";
}

// "tok1:alice,tok2:bob"
std::vector<Account> ParseAccounts(const std::string& spec) {
  std::vector<Account> out;
  size_t start = 0;
  int n = 1;
  while (start < spec.size()) {
    size_t comma = spec.find(',', start);
    std::string item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t colon = item.find(':');
    if (colon != std::string::npos) out.push_back({std::to_string(100 + n++), item.substr(colon + 1), item.substr(0, colon)});
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  auto settings = herald::Settings::FromMain("simulator", argc, argv);
  int port = settings.Port("port", 8200, "HTTP port");
  std::string accounts_spec = settings.String("accounts", "dev-token:herald_demo", "token:username[,token:username]");
  int limit = static_cast<int>(settings.Int("rate-limit", 300, 1, 1000000, "statuses per account per window"));
  int window_s = static_cast<int>(settings.Int("rate-window-s", 300, 1, 86400, "rate-limit window in seconds"));
  std::string webhook_url = settings.String("webhook-url", "", "where /_sim/mention sends mentions by default");
  std::string webhook_secret = settings.String("webhook-secret", "dev-webhook-secret", "HMAC key for webhooks");
  settings.ExitOnError();
  auto accounts = ParseAccounts(accounts_spec);
  if (accounts.empty()) {
    std::fprintf(stderr, "simulator: --accounts has no token:username pair\n");
    return 2;
  }

  std::string base_url = "http://127.0.0.1:" + std::to_string(port);
  MastodonSim sim(accounts, {limit, window_s * 1000LL}, base_url, herald::SystemClock::Instance());
  httplib::Server server;
  server.set_tcp_nodelay(true);

  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });

  server.Get("/api/v1/accounts/verify_credentials", [&](const httplib::Request& req, httplib::Response& res) {
    auto account = sim.Authenticate(Bearer(req));
    if (!account) return Reply(res, 401, {{"error", "The access token is invalid"}});
    Reply(res, 200, sim.AccountJson(*account));
  });

  server.Post("/api/v1/statuses", [&](const httplib::Request& req, httplib::Response& res) {
    auto account = sim.Authenticate(Bearer(req));
    if (!account) return Reply(res, 401, {{"error", "The access token is invalid"}});
    std::string text, reply_to;
    if (req.get_header_value("Content-Type").find("application/json") != std::string::npos) {
      json body = json::parse(req.body, nullptr, false);
      if (body.is_discarded() || !body.is_object()) return Reply(res, 400, {{"error", "malformed JSON"}});
      text = body.value("status", "");
      if (body.contains("in_reply_to_id") && body["in_reply_to_id"].is_string()) reply_to = body["in_reply_to_id"];
    } else {
      text = req.get_param_value("status");
      reply_to = req.get_param_value("in_reply_to_id");
    }
    auto r = sim.PostStatus(*account, text, reply_to, req.get_header_value("Idempotency-Key"));
    Reply(res, r.status, r.body, r.headers);
  });

  server.Get(R"(/api/v1/accounts/([^/]+)/statuses)", [&](const httplib::Request& req, httplib::Response& res) {
    if (!sim.Authenticate(Bearer(req))) return Reply(res, 401, {{"error", "The access token is invalid"}});
    size_t limit = 20;
    if (req.has_param("limit")) limit = std::clamp<size_t>(std::strtoul(req.get_param_value("limit").c_str(), nullptr, 10), 1, 40);
    Reply(res, 200, sim.RecentStatuses(req.matches[1], limit));
  });

  server.Get("/_sim/ledger", [&](const httplib::Request&, httplib::Response& res) { Reply(res, 200, sim.Ledger()); });

  server.Post("/_sim/mention", [&](const httplib::Request& req, httplib::Response& res) {
    json in = json::parse(req.body, nullptr, false);
    if (in.is_discarded() || !in.is_object()) return Reply(res, 400, {{"error", "malformed JSON"}});
    std::string url = in.value("webhook_url", webhook_url);
    if (url.empty()) return Reply(res, 400, {{"error", "webhook_url: required (or start with --webhook-url)"}});
    static std::atomic<uint64_t> next{900000000000000000ULL};
    std::string id = in.value("id", std::to_string(next++));
    int64_t now = herald::SystemClock::Instance().NowMs();
    json payload = {{"event", "mention.created"},
                    {"created_at", herald::FormatRfc3339(now)},
                    {"object",
                     {{"id", id},
                      {"created_at", herald::FormatRfc3339(now)},
                      {"content", in.value("text", "")},
                      {"in_reply_to_id", in.value("in_reply_to_id", "")},
                      {"url", base_url + "/@" + in.value("author", "someone") + "/" + id},
                      {"account", {{"id", "7" + id.substr(0, 6)}, {"acct", in.value("author", "someone")}}}}}};
    std::string body = payload.dump();
    herald::HttpRequest hook;
    hook.method = "POST";
    hook.url = url;
    hook.body = body;
    hook.headers = {{"Content-Type", "application/json"},
                    {"X-Hub-Signature", herald::SignatureHeader(in.value("secret", webhook_secret), body)}};
    auto sent = herald::SendHttp(hook);
    if (!sent.ok()) return Reply(res, 502, {{"error", sent.status().ToString()}});
    Reply(res, 200, {{"id", id}, {"webhook_status", sent->status}, {"webhook_body", sent->body}});
  });

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread stopper([&] {
    int sig;
    sigwait(&set, &sig);
    server.stop();
  });
  std::fprintf(stderr, "{\"level\":\"info\",\"service\":\"simulator\",\"msg\":\"serving\",\"port\":%d}\n", port);
  bool ok = server.listen("127.0.0.1", port);
  stopper.join();
  return ok ? 0 : 1;
}
