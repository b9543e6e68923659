// X API v2: /2, x-rate-limit-* (reset in epoch seconds) on every answer, plus
// the per-user 24-hour posting window (x-user-limit-24hour-*); errors as
// problem+json with `type`; text weighted X's way (280); a post identical to
// a recent one refused with 403 "duplicate content", as X does.
#include "common/time_util.h"
#include "simulator/route_kit.h"
#include "simulator/text_rules.h"

namespace herald::sim {
namespace {

using nlohmann::json;

constexpr int64_t kDuplicateWindowMs = 24LL * 3600 * 1000;

void Problem(httplib::Response& res, int status, const std::string& title, const std::string& detail,
             const std::string& type, const Headers& headers = {}, json extra = json::object()) {
  json body = {{"title", title}, {"detail", detail}, {"type", type}, {"status", status}};
  body.update(extra);
  Reply(res, status, body, headers, "application/problem+json");
}

json Tweet(RouteKit& kit, const SimPost& p) {
  auto e = kit.core.EngagementOf(p);
  return {{"id", p.id},
          {"text", p.text},
          {"edit_history_tweet_ids", {p.id}},
          {"author_id", p.account_id},
          {"created_at", FormatRfc3339(p.created_ms)},
          {"public_metrics",
           {{"impression_count", e.impressions},
            {"like_count", e.likes},
            {"retweet_count", e.reposts},
            {"reply_count", e.replies},
            {"quote_count", 0}}}};
}

}  // namespace

void AddXRoutes(RouteKit& kit) {
  auto auth = [&kit](const httplib::Request& req, httplib::Response& res) {
    auto a = kit.core.Authenticate(Bearer(req));
    if (a) return a;
    if (kit.core.WhyRefused(Bearer(req)) == "suspended") {
      Problem(res, 403, "Forbidden", "Your account is suspended and is not permitted to access this feature.",
              "about:blank");
    } else {
      Problem(res, 401, "Unauthorized", "Unauthorized", "about:blank");  // X does not say why
    }
    return a;
  };
  kit.server.Get("/2/users/me", [auth](const httplib::Request& req, httplib::Response& res) {
    if (auto a = auth(req, res)) {
      Reply(res, 200, {{"data", {{"id", a->id}, {"name", a->username}, {"username", a->username}}}});
    }
  });
  kit.server.Post("/2/tweets", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    json body = Body(req);
    const std::string invalid = "https://api.twitter.com/2/problems/invalid-request";
    if (!body.is_object()) {
      return Problem(res, 400, "Invalid Request", "One or more parameters to your request was invalid.", invalid, {},
                     {{"errors", {{{"message", "Request body is not valid JSON"}}}}});
    }
    bool has_media = body.contains("media") && body["media"].is_object();
    std::string text = Str(body, "text");
    if (text.empty() && !has_media) {
      return Problem(res, 400, "Invalid Request", "One or more parameters to your request was invalid.", invalid, {},
                     {{"errors", {{{"parameters", {{"text", json::array()}}},
                                   {"message", "Either text or media is required"}}}}});
    }
    if (CountedLength(Net::kX, text) > MaxLength(Net::kX)) {
      return Problem(res, 400, "Invalid Request", "One or more parameters to your request was invalid.", invalid, {},
                     {{"errors", {{{"parameters", {{"text", {text.substr(0, 40)}}}},
                                   {"message", "The text of your Tweet is too long."}}}}});
    }
    std::string reply_to;
    if (body.contains("reply") && body["reply"].is_object()) reply_to = Str(body["reply"], "in_reply_to_tweet_id");
    if (!reply_to.empty() && !kit.core.Find(Net::kX, reply_to)) {
      return Problem(res, 400, "Invalid Request", "One or more parameters to your request was invalid.", invalid, {},
                     {{"errors", {{{"message", "The Tweet you are replying to does not exist or is not visible."}}}}});
    }
    kit.Posting(req, res, [&] {
      // Two windows, as X keeps them: the endpoint's and the user's posts
      // per 24 hours; either one used up is a 429.
      auto adm = kit.core.Charge(Net::kX, a->id);
      Admission daily = adm.ok ? kit.core.ChargeWindow("x-user-24h|" + a->id, kit.core.limit().x_user_daily,
                                                       kDuplicateWindowMs, 1)
                               : kit.core.ChargeWindow("x-user-24h|" + a->id, kit.core.limit().x_user_daily,
                                                       kDuplicateWindowMs, 0);
      Headers h{{"x-rate-limit-limit", std::to_string(adm.limit)},
                {"x-rate-limit-remaining", std::to_string(adm.remaining)},
                {"x-rate-limit-reset", EpochSeconds(adm.reset_ms)},
                {"x-user-limit-24hour-limit", std::to_string(daily.limit)},
                {"x-user-limit-24hour-remaining", std::to_string(daily.remaining)},
                {"x-user-limit-24hour-reset", EpochSeconds(daily.reset_ms)}};
      if (!adm.ok || !daily.ok) return Problem(res, 429, "Too Many Requests", "Too Many Requests", "about:blank", h);
      if (kit.core.HasRecentDuplicate(Net::kX, a->id, text, kDuplicateWindowMs)) {
        return Problem(res, 403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.",
                       "about:blank", h);
      }
      auto p = kit.core.Accept(Net::kX, a->id, text, reply_to, "");
      Reply(res, 201, {{"data", {{"id", p.id}, {"text", p.text}, {"edit_history_tweet_ids", {p.id}}}}}, h);
    });
  });
  kit.server.Get(R"(/2/users/([^/]+)/tweets)", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    if (!auth(req, res)) return;
    size_t max = 100;
    if (req.has_param("max_results")) {
      long n = std::strtol(req.get_param_value("max_results").c_str(), nullptr, 10);
      if (n < 5 || n > 100) {
        return Problem(res, 400, "Invalid Request", "One or more parameters to your request was invalid.",
                       "https://api.twitter.com/2/problems/invalid-request", {},
                       {{"errors", {{{"parameters", {{"max_results", {req.get_param_value("max_results")}}}},
                                     {"message", "The `max_results` query parameter value [" +
                                                     req.get_param_value("max_results") +
                                                     "] is not between 5 and 100"}}}}});
      }
      max = static_cast<size_t>(n);
    } else {
      max = 10;
    }
    int64_t since = req.has_param("start_time") ? ParseTime(req.get_param_value("start_time")) : 0;
    json data = json::array();
    for (const auto& p : kit.core.Recent(Net::kX, req.matches[1], max, since)) data.push_back(Tweet(kit, p));
    json meta = {{"result_count", data.size()}};
    if (!data.empty()) {
      meta["newest_id"] = data.front()["id"];
      meta["oldest_id"] = data.back()["id"];
    }
    Reply(res, 200, data.empty() ? json{{"meta", meta}} : json{{"data", data}, {"meta", meta}});
  });
  kit.server.Get(R"(/2/tweets/([0-9]+))", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    if (!auth(req, res)) return;
    auto p = kit.core.Find(Net::kX, req.matches[1]);
    if (!p) {
      return Reply(res, 200, {{"errors", {{{"value", req.matches[1]}, {"detail", "Could not find tweet with id: [" +
                                                                              std::string(req.matches[1]) + "]."},
                                           {"title", "Not Found Error"}, {"resource_type", "tweet"},
                                           {"parameter", "id"}, {"resource_id", req.matches[1]},
                                           {"type", "https://api.twitter.com/2/problems/resource-not-found"}}}}});
    }
    Reply(res, 200, {{"data", Tweet(kit, *p)}});
  });
  kit.server.Get("/2/tweets", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    if (!auth(req, res)) return;
    json data = json::array();
    std::string ids = req.get_param_value("ids");
    for (size_t start = 0; start < ids.size();) {
      size_t comma = ids.find(',', start);
      std::string id = ids.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (auto p = kit.core.Find(Net::kX, id)) data.push_back(Tweet(kit, *p));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    Reply(res, 200, {{"data", data}});
  });
}

}  // namespace herald::sim
