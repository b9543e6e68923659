#pragma once
// What every simulated network's routes share: the server, the core, the
// fault plan, and the small pieces of HTTP each of them speaks (answers,
// bearer tokens, JSON bodies, the fault-aware posting wrapper).
#include <httplib.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "simulator/faults.h"
#include "simulator/media_shelf.h"
#include "simulator/sim_core.h"

namespace herald::sim {

using Headers = std::map<std::string, std::string>;

struct RouteKit {
  httplib::Server& server;
  SimCore& core;
  Faults& faults;
  std::string base;  // "http://127.0.0.1:8200"
  // Uploads waiting for (or attached to) posts, on every network.
  std::shared_ptr<MediaShelf> media = std::make_shared<MediaShelf>();

  // A posting endpoint under the fault plan: `post` decides and writes the
  // answer (or, for faults that strike after the post landed, only decides).
  void Posting(const httplib::Request& req, httplib::Response& res, const std::function<void()>& post);
};

// A JSON answer (content type `type`).
void Reply(httplib::Response& res, int status, const nlohmann::json& body, const Headers& headers = {},
           const char* type = "application/json");
std::string Bearer(const httplib::Request& req);
// The body as JSON, or a discarded value.
nlohmann::json Body(const httplib::Request& req);
// "limit"-style query parameters, clamped to [1, max].
size_t Limit(const httplib::Request& req, const char* param, size_t fallback, size_t max);
std::string EpochSeconds(int64_t ms);
// "2026-11-28T09:00:00Z" → unix ms; 0 when unreadable.
int64_t ParseTime(const std::string& s);
// A search query's terms: "a OR b" → {"a", "b"} (how the connectors send them).
std::vector<std::string> SplitOr(const std::string& query);
// An outsider's numeric user id (X, Graph), stable for their handle.
std::string OutsiderNumericId(const std::string& handle);
// A string field of a JSON object, or "" (never throws on a wrong type).
std::string Str(const nlohmann::json& object, const char* key);

// Each network's routes (tools/simulator/networks/).
void AddMastodonRoutes(RouteKit& kit);
void AddXRoutes(RouteKit& kit);
void AddBlueskyRoutes(RouteKit& kit);
void AddLinkedInRoutes(RouteKit& kit);
void AddGraphRoutes(RouteKit& kit);
void AddOAuthRoutes(RouteKit& kit);
// The simulator's media host: /_sim/media/<name>.<ext>[?bytes=N] and the
// shelf's counts at /_sim/media-stats.
void AddMediaHostRoutes(RouteKit& kit);
// POST /_sim/inbound: outsiders mention, reply to, comment on and message
// the accounts (inbound_routes.cpp).
void AddInboundRoutes(RouteKit& kit);
struct ToneMix;
// One made-up message of the mix's tones to `to` (the steady chatter too).
SimPost AddChatter(SimCore& core, Net net, const Account& to, const std::string& kind, const ToneMix& mix,
                   uint64_t seed, const std::string& parent_id = "");
// Rate-limit headers on every answer that has none yet, in each network's
// own form (LinkedIn sends none): the account's current window, read without
// charging it.
void AddRateLimitHeaders(RouteKit& kit, const httplib::Request& req, httplib::Response& res);
// A path no route serves, answered as the network whose prefix it has.
void AnswerUnknownPath(const httplib::Request& req, httplib::Response& res);

}  // namespace herald::sim
