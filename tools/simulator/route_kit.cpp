#include "simulator/route_kit.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <thread>

#include "common/ids.h"
#include "common/time_util.h"

namespace herald::sim {
namespace {

using nlohmann::json;

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

}  // namespace

void RouteKit::Posting(const httplib::Request& req, httplib::Response& res, const std::function<void()>& post) {
  struct InFlight {
    SimCore& core;
    explicit InFlight(SimCore& c) : core(c) { core.PostingBegan(); }
    ~InFlight() { core.PostingEnded(); }
  } in_flight(core);
  FaultPlan plan = faults.plan();
  if (plan.latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(plan.latency_ms));
  Faults::Action action = faults.Roll();
  std::string key = req.get_header_value("Idempotency-Key");
  if (key.empty()) key = Str(Body(req), "rkey");
  core.RecordRequest({req.method, req.path, key, Faults::Name(action)});
  switch (action) {
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
    case Faults::Action::kAfterPostError:
      post();  // it lands, and the network's front end fails the answer
      res.headers.clear();
      return Reply(res, 503, {{"error", "simulated outage after the post was made"}});
    case Faults::Action::kNone: return post();
  }
}

void Reply(httplib::Response& res, int status, const json& body, const Headers& headers, const char* type) {
  res.status = status;
  for (const auto& [k, v] : headers) res.set_header(k, v);
  res.set_content(body.dump(), type);
}

std::string Bearer(const httplib::Request& req) {
  std::string auth = req.get_header_value("Authorization");
  return auth.rfind("Bearer ", 0) == 0 ? auth.substr(7) : "";
}

json Body(const httplib::Request& req) { return json::parse(req.body, nullptr, false); }

size_t Limit(const httplib::Request& req, const char* param, size_t fallback, size_t max) {
  if (!req.has_param(param)) return fallback;
  return std::clamp<size_t>(std::strtoul(req.get_param_value(param).c_str(), nullptr, 10), 1, max);
}

std::string EpochSeconds(int64_t ms) { return std::to_string((ms + 999) / 1000); }

int64_t ParseTime(const std::string& s) { return ParseRfc3339Ms(s); }

std::vector<std::string> SplitOr(const std::string& q) {
  std::vector<std::string> terms;
  for (size_t at = 0;;) {
    size_t next = q.find(" OR ", at);
    terms.push_back(q.substr(at, next == std::string::npos ? std::string::npos : next - at));
    if (next == std::string::npos) break;
    at = next + 4;
  }
  return terms;
}

std::string OutsiderNumericId(const std::string& handle) {
  return std::to_string(1000000 + StableHash(handle) % 1000000000);
}

std::string Str(const json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

void AnswerUnknownPath(const httplib::Request& req, httplib::Response& res) {
  const std::string& p = req.path;
  auto starts = [&](const char* prefix) { return p.rfind(prefix, 0) == 0; };
  if (starts("/api/")) {
    return Reply(res, 404, {{"error", "Record not found"}});  // Mastodon
  }
  if (starts("/2/")) {
    return Reply(res, 404, {{"errors", {{{"message", "Sorry, that page does not exist"}, {"code", 34}}}}});  // X
  }
  if (starts("/xrpc/")) {
    return Reply(res, 501, {{"error", "MethodNotImplemented"}, {"message", "Method Not Implemented"}});  // XRPC
  }
  if (starts("/rest/") || starts("/v2/")) {
    return Reply(res, 404, {{"status", 404}, {"serviceErrorCode", 0}, {"code", "RESOURCE_NOT_FOUND"},
                            {"message", "No virtual resource found"}});  // LinkedIn
  }
  if (starts("/v")) {
    return Reply(res, 400, {{"error", {{"message", "Unknown path components: " + p}, {"type", "OAuthException"},
                                       {"code", 2500}, {"fbtrace_id", "AsimTrace0000000000"}}}});  // Graph
  }
  Reply(res, 404, {{"error", "not found"}});
}

}  // namespace herald::sim

namespace herald::sim {

void AddRateLimitHeaders(RouteKit& kit, const httplib::Request& req, httplib::Response& res) {
  const std::string& p = req.path;
  auto starts = [&](const char* prefix) { return p.rfind(prefix, 0) == 0; };
  std::optional<Net> net;
  if (starts("/api/")) net = Net::kMastodon;
  if (starts("/2/")) net = Net::kX;
  if (starts("/xrpc/")) net = Net::kBluesky;
  if (p.size() > 2 && p[1] == 'v' && std::isdigit(static_cast<unsigned char>(p[2]))) net = Net::kFacebook;
  if (!net) return;
  // The route already authenticated (and counted) this call: look, do not count again.
  auto account = kit.core.Authenticate(Bearer(req), /*count=*/false);
  Admission window = kit.core.Charge(*net, account ? account->id : "anonymous", 0);
  switch (*net) {
    case Net::kMastodon:
      if (res.has_header("X-RateLimit-Limit")) return;
      res.set_header("X-RateLimit-Limit", std::to_string(window.limit));
      res.set_header("X-RateLimit-Remaining", std::to_string(window.remaining));
      res.set_header("X-RateLimit-Reset", FormatRfc3339(window.reset_ms));
      return;
    case Net::kX:
      if (res.has_header("x-rate-limit-limit")) return;
      res.set_header("x-rate-limit-limit", std::to_string(window.limit));
      res.set_header("x-rate-limit-remaining", std::to_string(window.remaining));
      res.set_header("x-rate-limit-reset", EpochSeconds(window.reset_ms));
      return;
    case Net::kBluesky:
      if (res.has_header("ratelimit-limit")) return;
      res.set_header("ratelimit-limit", std::to_string(window.limit));
      res.set_header("ratelimit-remaining", std::to_string(window.remaining));
      res.set_header("ratelimit-reset", EpochSeconds(window.reset_ms));
      res.set_header("ratelimit-policy", std::to_string(window.limit) + ";w=" + std::to_string(kit.core.limit().window_ms / 1000));
      return;
    default: {
      // Graph: the app's usage in percent, on every answer.
      if (res.has_header("x-app-usage") || res.has_header("x-business-use-case-usage")) return;
      int pct = window.limit > 0 ? 100 * (window.limit - window.remaining) / window.limit : 0;
      res.set_header("x-app-usage", nlohmann::json{{"call_count", pct}, {"total_cputime", 0}, {"total_time", 0}}.dump());
    }
  }
}

void AddMediaHostRoutes(RouteKit& kit) {
  kit.server.Get(R"(/_sim/media/([A-Za-z0-9_-]+)\.([a-z0-9]+))", [](const httplib::Request& req, httplib::Response& res) {
    size_t size = req.has_param("bytes") ? static_cast<size_t>(std::strtoull(req.get_param_value("bytes").c_str(), nullptr, 10)) : 1024;
    auto bytes = size <= (64u << 20) ? HostedMediaBytes(req.matches[2], size) : std::nullopt;
    if (!bytes) return Reply(res, 404, {{"error", "no such media"}});
    res.status = 200;
    res.set_content(*bytes, HostedMediaType(req.matches[2]));
  });
  kit.server.Get("/_sim/media-stats", [&kit](const httplib::Request&, httplib::Response& res) {
    Reply(res, 200, kit.media->Stats());
  });
}

}  // namespace herald::sim
