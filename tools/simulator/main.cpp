// simulator: the social networks on loopback, speaking the subsets of their real
// APIs that Herald's connectors use (routes.cpp): Mastodon, X API v2, Bluesky
// (AT Protocol XRPC), LinkedIn Posts, Facebook Pages and Instagram (Graph API),
// each with its own rate-limit headers and over-limit answers.
// Test controls (not part of any real network):
//   GET  /_sim/ledger        every post accepted, in order, on every network
//   GET  /_sim/faults        the fault plan; POST to change it (see faults.h)
//   GET  /_sim/stats         posts accepted, requests answered over-limit
//   POST /_sim/revoke        {"token": ..., "why": revoked|expired|suspended}: the
//                            networks reject it from now on, each saying why its way
//   POST /_sim/mention       sends a signed mention webhook
//   GET  /_sim/requests      every posting request as it arrived (re-sends too)
//   GET  /_sim/media/<name>.<ext>?bytes=N   a file of that type (jpg png gif
//                            webp mp4; txt is not media) for posts to attach
//   GET  /_sim/media-stats   uploads per network and how many posts carry them
//   GET  /healthz
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <csignal>
#include <memory>
#include <regex>
#include <thread>

#include "common/config.h"
#include "common/hmac.h"
#include "common/http_client.h"
#include "common/time_util.h"
#include "simulator/faults.h"
#include "simulator/chatter.h"
#include "simulator/route_kit.h"
#include "simulator/routes.h"
#include "simulator/sim_core.h"

using herald::sim::Account;
using herald::sim::Faults;
using herald::sim::Net;
using herald::sim::SimCore;
using nlohmann::json;

namespace {

void Reply(httplib::Response& res, int status, const json& body,
           const std::map<std::string, std::string>& headers = {}) {
  res.status = status;
  for (const auto& [k, v] : headers) res.set_header(k, v);
  res.set_content(body.dump(), "application/json");
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

// Debian's cpp-httplib (a compiled library) listens with a backlog of 5: a
// burst of new connections (the publisher opens one per POST) overflows it,
// the kernel drops the SYNs and each client retries a second later — a stall
// no real network's front end would cause. Listening again on the bound
// socket raises the backlog (Linux updates it in place).
void RaiseListenBacklog(int port) {
  for (int fd = 0; fd < 1024; ++fd) {
    int listening = 0;
    socklen_t len = sizeof listening;
    sockaddr_in addr{};
    socklen_t alen = sizeof addr;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0 || addr.sin_family != AF_INET) continue;
    if (ntohs(addr.sin_port) == port) ::listen(fd, 4096);
  }
}

int main(int argc, char** argv) {
  auto settings = herald::Settings::FromMain("simulator", argc, argv);
  int port = settings.Port("port", 8200, "HTTP port");
  std::string accounts_spec = settings.String("accounts", "dev-token:herald_demo", "token:username[,token:username]");
  int limit = static_cast<int>(settings.Int("rate-limit", 300, 1, 1000000, "posts (Bluesky: points) per account per window"));
  int window_s = static_cast<int>(settings.Int("rate-window-s", 300, 1, 86400, "rate-limit window in seconds"));
  int x_daily = static_cast<int>(settings.Int("x-user-daily-limit", 2400, 1, 1000000, "X: posts per user per 24 hours"));
  int64_t ig_ready_ms = settings.Int("ig-container-ready-ms", 300, 0, 600000,
                                     "Instagram: how long a media container processes before it can be published");
  int64_t media_ms = settings.Int("media-processing-ms", 0, 0, 600000,
                                  "Mastodon and X: how long an uploaded image processes (0: ready at once)");
  bool per_app = settings.Choice("rate-scope", "account", {"account", "app"},
                                 "one rate-limit window per account, or one for the whole app") == "app";
  std::string webhook_url = settings.String("webhook-url", "", "where /_sim/mention sends mentions by default");
  std::string webhook_secret = settings.String("webhook-secret", "dev-webhook-secret", "HMAC key for webhooks");
  herald::sim::FaultPlan plan;
  plan.latency_ms = static_cast<int>(settings.Int("fault-latency-ms", 0, 0, 600000, "delay before every post"));
  int error_pct = static_cast<int>(settings.Int("fault-error-pct", 0, 0, 100, "% of posts answered 503, nothing posted"));
  int reset_pct = static_cast<int>(settings.Int("fault-reset-pct", 0, 0, 100, "% of posts whose connection breaks, nothing posted"));
  int timeout_pct = static_cast<int>(settings.Int("fault-timeout-pct", 0, 0, 100, "% of posts that land but never answer"));
  int close_pct = static_cast<int>(
      settings.Int("fault-close-pct", 0, 0, 100, "% of posts that land, then the connection closes without a reply"));
  int chatter_per_s = static_cast<int>(settings.Int(
      "chatter-per-s", 0, 0, 10000, "made-up mentions per second, spread over the accounts on Mastodon, X and Bluesky"));
  std::string chatter_mix = settings.String("chatter-mix", "50,30,20", "positive,neutral,negative shares of the chatter");
  std::string tls_cert = settings.String("tls-cert-file", "", "serve HTTPS with this certificate (PEM)");
  std::string tls_key = settings.String("tls-key-file", "", "the certificate's private key (PEM)");
  settings.ExitOnError();
  if (tls_cert.empty() != tls_key.empty()) {
    std::fprintf(stderr, "simulator: --tls-cert-file and --tls-key-file go together\n");
    return 2;
  }
  auto accounts = ParseAccounts(accounts_spec);
  if (accounts.empty()) {
    std::fprintf(stderr, "simulator: --accounts has no token:username pair\n");
    return 2;
  }

  plan.error_rate = error_pct / 100.0;
  plan.reset_rate = reset_pct / 100.0;
  plan.timeout_rate = timeout_pct / 100.0;
  plan.close_rate = close_pct / 100.0;
  if (error_pct + reset_pct + timeout_pct + close_pct > 100) {
    std::fprintf(stderr, "simulator: the fault percentages add up to more than 100\n");
    return 2;
  }

  // HTTPS for clients that speak nothing else (the X SDK calls https only).
  std::string base_url = (tls_cert.empty() ? "http://127.0.0.1:" : "https://127.0.0.1:") + std::to_string(port);
  SimCore sim(accounts, {limit, window_s * 1000LL, per_app, x_daily, ig_ready_ms, media_ms},
              herald::SystemClock::Instance());
  Faults faults;
  faults.Set(plan);
  std::unique_ptr<httplib::Server> owned;
  if (tls_cert.empty()) {
    owned = std::make_unique<httplib::Server>();
  } else {
    auto tls = std::make_unique<httplib::SSLServer>(tls_cert.c_str(), tls_key.c_str());
    if (!tls->is_valid()) {
      std::fprintf(stderr, "simulator: cannot load %s / %s\n", tls_cert.c_str(), tls_key.c_str());
      return 2;
    }
    owned = std::move(tls);
  }
  httplib::Server& server = *owned;
  server.set_tcp_nodelay(true);
  // Clients keep their connections, as with the real APIs (httplib's default
  // closes one after 5 requests).
  server.set_keep_alive_max_count(100000);
  // "Timeout" faults hold a thread each: room for many at once.
  server.new_task_queue = [] { return new httplib::ThreadPool(64); };
  auto routes = herald::sim::AddNetworkRoutes(server, sim, faults, base_url);

  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });

  server.Get("/_sim/ledger", [&](const httplib::Request&, httplib::Response& res) { Reply(res, 200, sim.Ledger()); });
  server.Get("/_sim/requests", [&](const httplib::Request&, httplib::Response& res) { Reply(res, 200, sim.Requests()); });
  server.Get("/_sim/stats", [&](const httplib::Request&, httplib::Response& res) { Reply(res, 200, sim.Stats()); });
  // A grant as an OAuth authorisation would hand one out:
  // {"username", "expires_in", "refreshed_expires_in" (lifetime of refreshed tokens)}.
  server.Post("/_sim/oauth/grant", [&](const httplib::Request& req, httplib::Response& res) {
    json in = json::parse(req.body, nullptr, false);
    if (!in.is_object() || !in.contains("username") || !in["username"].is_string()) {
      return Reply(res, 400, {{"error", "want {\"username\": ..., \"expires_in\": seconds, \"refreshed_expires_in\": seconds}"}});
    }
    int64_t expires_in = in.value("expires_in", 7200);
    auto grant = sim.IssueGrant(in["username"].get<std::string>(), expires_in,
                                in.value("refreshed_expires_in", expires_in));
    if (!grant) return Reply(res, 404, {{"error", "unknown username"}});
    Reply(res, 200, {{"access_token", grant->access_token}, {"refresh_token", grant->refresh_token},
                     {"expires_in", grant->expires_in_s}});
  });
  server.Post("/_sim/revoke", [&](const httplib::Request& req, httplib::Response& res) {
    json in = json::parse(req.body, nullptr, false);
    if (!in.is_object() || !in.contains("token") || !in["token"].is_string()) {
      return Reply(res, 400, {{"error", "token: required"}});
    }
    std::string why = in.value("why", "revoked");
    if (why != "revoked" && why != "expired" && why != "suspended") {
      return Reply(res, 400, {{"error", "why: want revoked, expired or suspended"}});
    }
    sim.Revoke(in["token"], why);
    Reply(res, 200, {{"revoked", true}, {"why", why}});
  });
  server.Get("/_sim/faults", [&](const httplib::Request&, httplib::Response& res) { Reply(res, 200, faults.ToJson()); });
  server.Post("/_sim/faults", [&](const httplib::Request& req, httplib::Response& res) {
    std::string error = faults.Update(json::parse(req.body, nullptr, false));
    if (!error.empty()) return Reply(res, 400, {{"error", error}});
    Reply(res, 200, faults.ToJson());
  });

  server.Post("/_sim/mention", [&](const httplib::Request& req, httplib::Response& res) {
    json in = json::parse(req.body, nullptr, false);
    if (in.is_discarded() || !in.is_object()) return Reply(res, 400, {{"error", "malformed JSON"}});
    std::string url = in.value("webhook_url", webhook_url);
    if (url.empty()) return Reply(res, 400, {{"error", "webhook_url: required (or start with --webhook-url)"}});
    // Unique across simulator runs too (a listener with a persisted inbox
    // would take a repeated id for a redelivery).
    static std::atomic<uint64_t> next{static_cast<uint64_t>(herald::SystemClock::Instance().NowMs()) * 1000};
    std::string id = in.value("id", "");
    int64_t now = herald::SystemClock::Instance().NowMs();
    // The mention is a status on the network, so a reply can name it; with
    // "to" (a username) it is also in that account's notifications, where a
    // poll finds the same status the webhook announced.
    auto to = sim.ByUsername(in.value("to", ""));
    if (to) {
      herald::sim::InboundSpec spec;
      spec.id = id;
      spec.to_account_id = to->id;
      spec.author_handle = in.value("author", "someone");
      spec.text = in.value("text", "");
      spec.language = in.value("language", "en");
      spec.parent_id = in.value("in_reply_to_id", "");
      spec.kind = spec.parent_id.empty() ? "mention" : "reply";
      // The network's own next id (ids grow, as pollers expect) unless the test named one.
      id = sim.AddInbound(Net::kMastodon, spec).id;
    } else if (id.empty() || !sim.Find(Net::kMastodon, id)) {
      if (id.empty()) id = std::to_string(next++);
      sim.Record(Net::kMastodon, id, "ext:" + in.value("author", "someone"), in.value("text", ""),
                 in.value("in_reply_to_id", ""));
    }
    json payload = {{"event", "mention.created"},
                    {"created_at", herald::FormatRfc3339(now)},
                    {"object",
                     {{"id", id},
                      {"created_at", herald::FormatRfc3339(now)},
                      {"content", "<p>" + in.value("text", "") + "</p>"},  // Mastodon sends HTML
                      {"language", in.value("language", "en")},
                      {"in_reply_to_id", in.value("in_reply_to_id", "")},
                      {"url", base_url + "/@" + in.value("author", "someone") + "/" + id},
                      {"account", {{"id", "7" + id.substr(0, 6)}, {"acct", in.value("author", "someone")}}}}}};
    std::string body = payload.dump();
    herald::HttpRequest hook;
    hook.method = "POST";
    hook.url = url;
    hook.body = body;
    // Signed as Herald's listener wants it: the workspace's secret (derived
    // from the master the simulator shares), bound to the URL's workspace and
    // channel and to now. "signed_at" lets a test send a stale signature.
    static const std::regex kPath(R"(/v1/webhooks/[a-z]+/([^/]+)/([^/?]+))");
    std::smatch path;
    std::string ws, channel;
    if (std::regex_search(url, path, kPath)) ws = path[1], channel = path[2];
    int64_t signed_at = in.value("signed_at", now / 1000);
    std::string secret = herald::WorkspaceWebhookSecret(in.value("secret", webhook_secret), ws);
    hook.headers = {{"Content-Type", "application/json"},
                    {"X-Herald-Signature", herald::InboundSignature(secret, signed_at, ws, channel, body)}};
    auto sent = herald::SendHttp(hook);
    if (!sent.ok()) return Reply(res, 502, {{"error", sent.status().ToString()}});
    Reply(res, 200, {{"id", id}, {"webhook_status", sent->status}, {"webhook_body", sent->body}});
  });

  // Steady chatter: what listening hears when nothing is staged.
  herald::sim::ToneMix mix;
  if (std::sscanf(chatter_mix.c_str(), "%lf,%lf,%lf", &mix.positive, &mix.neutral, &mix.negative) != 3) {
    std::fprintf(stderr, "simulator: --chatter-mix: want three numbers, e.g. 50,30,20\n");
    return 2;
  }
  std::atomic<bool> stopping{false};
  std::thread chatter([&] {
    if (chatter_per_s == 0) return;
    uint64_t seed = static_cast<uint64_t>(herald::SystemClock::Instance().NowMs());
    const Net nets[] = {Net::kMastodon, Net::kX, Net::kBluesky};
    double owed = 0;
    while (!stopping) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      for (owed += chatter_per_s / 10.0; owed >= 1; owed -= 1, ++seed) {
        const auto& to = accounts[seed % accounts.size()];
        herald::sim::AddChatter(sim, nets[(seed / accounts.size()) % 3], to, "mention", mix, seed);
      }
    }
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
  bool ok = server.bind_to_port("127.0.0.1", port) && (RaiseListenBacklog(port), server.listen_after_bind());
  stopper.join();
  stopping = true;
  chatter.join();
  return ok ? 0 : 1;
}
