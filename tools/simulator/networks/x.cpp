// X API v2: /2, x-rate-limit-* (reset in epoch seconds) on every answer, plus
// the per-user 24-hour posting window (x-user-limit-24hour-*); errors as
// problem+json with `type`; text weighted X's way (280); a post identical to
// a recent one refused with 403 "duplicate content", as X does. Media: v2's
// chunked upload (initialize with type and size, append segments, finalize;
// STATUS while processing), checked against networks.json; a post attaches
// up to 4 of the user's finalized, processed uploads by media.media_ids.
// Listening: /2/users/:id/mentions and /2/tweets/search/recent (OR of terms,
// or conversation_id:<id>), paged with pagination_token.
#include <algorithm>

#include "common/ids.h"
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

void Invalid(httplib::Response& res, const std::string& message, const Headers& headers = {}) {
  Problem(res, 400, "Invalid Request", "One or more parameters to your request was invalid.",
          "https://api.twitter.com/2/problems/invalid-request", headers, {{"errors", {{{"message", message}}}}});
}

json MediaData(const SimMedia& m, int64_t now_ms) {
  json data = {{"id", m.id}, {"media_key", "3_" + m.id}, {"size", m.bytes}, {"expires_after_secs", 86400}};
  if (m.complete && now_ms < m.ready_ms) {
    data["processing_info"] = {{"state", "in_progress"}, {"check_after_secs", 1}, {"progress_percent", 50}};
  } else if (m.complete && m.ready_ms > 0) {
    data["processing_info"] = {{"state", "succeeded"}, {"progress_percent", 100}};
  }
  return data;
}

json Tweet(RouteKit& kit, const SimPost& p) {
  auto e = kit.core.EngagementOf(p);
  json keys = json::array();
  for (const auto& m : p.media) keys.push_back("3_" + m.id);
  json out = {{"id", p.id},
          {"text", p.text},
          {"edit_history_tweet_ids", {p.id}},
          {"author_id", p.account_id},
          {"created_at", FormatRfc3339(p.created_ms)},
          {"public_metrics",
           {{"impression_count", e.impressions},
            {"like_count", e.likes},
            {"retweet_count", e.reposts},
            {"reply_count", e.replies},
            {"quote_count", 0},
            {"bookmark_count", e.likes / 4}}}};
  if (!keys.empty()) out["attachments"] = {{"media_keys", keys}};
  return out;
}

std::string OutsiderId(const std::string& handle) { return OutsiderNumericId(handle); }

// A post as listening reads it: thread, parent, language and the author's
// id (usernames come in includes.users).
json ListenedTweet(RouteKit& kit, const SimPost& p, json& users) {
  json t = Tweet(kit, p);
  bool outsider = p.account_id.rfind("ext:", 0) == 0;
  std::string author_id = outsider ? OutsiderId(p.author_handle) : p.account_id;
  std::string username = outsider ? p.author_handle : (kit.core.ById(p.account_id) ? kit.core.ById(p.account_id)->username : "");
  t["author_id"] = author_id;
  users.push_back({{"id", author_id}, {"username", username}, {"name", username}});
  t["lang"] = p.language.empty() ? "en" : p.language;
  std::string root = p.id;
  if (!p.in_reply_to_id.empty()) {
    t["referenced_tweets"] = json::array({{{"type", "replied_to"}, {"id", p.in_reply_to_id}}});
    auto parent = kit.core.Find(Net::kX, p.in_reply_to_id);
    if (parent) t["in_reply_to_user_id"] = parent->account_id.rfind("ext:", 0) == 0 ? OutsiderId(parent->author_handle) : parent->account_id;
    for (auto up = parent; up; up = up->in_reply_to_id.empty() ? std::nullopt : kit.core.Find(Net::kX, up->in_reply_to_id)) {
      root = up->id;
    }
  }
  t["conversation_id"] = root;
  return t;
}

// A page of a newest-first listing as X answers it: data, includes.users,
// meta with next_token (X's tokens are opaque; here "p" + the last id).
void ListingPage(RouteKit& kit, httplib::Response& res, const std::vector<SimPost>& posts, size_t max) {
  json data = json::array(), users = json::array();
  for (const auto& p : posts) {
    if (data.size() == max) break;
    data.push_back(ListenedTweet(kit, p, users));
  }
  json meta = {{"result_count", data.size()}};
  if (!data.empty()) {
    meta["newest_id"] = data.front()["id"];
    meta["oldest_id"] = data.back()["id"];
  }
  if (posts.size() > max) meta["next_token"] = "p" + data.back()["id"].get<std::string>();
  if (data.empty()) return Reply(res, 200, {{"meta", meta}});
  Reply(res, 200, {{"data", data}, {"includes", {{"users", users}}}, {"meta", meta}});
}

// max_results within [lo, 100] (X answers 400 otherwise); 0 when refused.
size_t MaxResults(const httplib::Request& req, httplib::Response& res, size_t lo) {
  if (!req.has_param("max_results")) return 10;
  long n = std::strtol(req.get_param_value("max_results").c_str(), nullptr, 10);
  if (n < static_cast<long>(lo) || n > 100) {
    Invalid(res, "The `max_results` query parameter value [" + req.get_param_value("max_results") + "] is not between " +
                     std::to_string(lo) + " and 100");
    return 0;
  }
  return static_cast<size_t>(n);
}

// since_id / until_id / pagination_token bounds of a listing.
bool InListing(const httplib::Request& req, const std::string& id) {
  std::string since = req.get_param_value("since_id"), until = req.get_param_value("until_id");
  std::string token = req.get_param_value("pagination_token");
  if (!token.empty() && token[0] == 'p') token = token.substr(1);
  return (since.empty() || SimCore::IdBefore(since, id)) && (until.empty() || SimCore::IdBefore(id, until)) &&
         (token.empty() || SimCore::IdBefore(id, token));
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
  kit.server.Get("/2/users/me", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    if (auto a = auth(req, res)) {
      json data = {{"id", a->id}, {"name", a->username}, {"username", a->username}};
      if (req.get_param_value("user.fields").find("public_metrics") != std::string::npos) {
        data["public_metrics"] = {{"followers_count", kit.core.FollowersOf(a->id)}, {"following_count", 12},
                                  {"tweet_count", 0}, {"listed_count", 0}, {"like_count", 0}};
      }
      Reply(res, 200, {{"data", data}});
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
    std::vector<std::string> media_ids;
    if (has_media && body["media"].contains("media_ids") && body["media"]["media_ids"].is_array()) {
      for (const auto& id : body["media"]["media_ids"]) media_ids.push_back(id.is_string() ? id.get<std::string>() : "");
    }
    if (has_media && (media_ids.empty() || media_ids.size() > static_cast<size_t>(MaxMedia(Net::kX)))) {
      return Invalid(res, "media.media_ids must hold 1 to " + std::to_string(MaxMedia(Net::kX)) + " media ids");
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
      auto media = kit.media->Attach(Net::kX, a->id, media_ids, kit.core.clock().NowMs(), false);
      if (!media.ok()) {
        return Invalid(res, absl::IsFailedPrecondition(media.status())
                                ? "Media " + std::string(media.status().message()) + " is still being processed."
                                : "Your media IDs are invalid.", h);
      }
      auto p = kit.core.Accept(Net::kX, a->id, text, reply_to, "", *media);
      Reply(res, 201, {{"data", {{"id", p.id}, {"text", p.text}, {"edit_history_tweet_ids", {p.id}}}}}, h);
    });
  });
  kit.server.Post("/2/media/upload/initialize", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    json body = Body(req);
    std::string type = body.is_object() ? Str(body, "media_type") : req.get_param_value("media_type");
    int64_t total = body.is_object() && body.contains("total_bytes") && body["total_bytes"].is_number_integer()
                        ? body["total_bytes"].get<int64_t>()
                        : std::atoll(req.get_param_value("total_bytes").c_str());
    if (type.empty() || total <= 0) return Invalid(res, "media_type and total_bytes are required");
    if (total > MaxImageBytes(Net::kX)) {
      return Invalid(res, "File size exceeds " + std::to_string(MaxImageBytes(Net::kX)) + " bytes.");
    }
    SimMedia m = kit.media->Add({"", Net::kX, a->id, type, 0, total, "", false, 0, false});
    Reply(res, 200, {{"data", {{"id", m.id}, {"media_key", "3_" + m.id}, {"expires_after_secs", 86400}}}});
  });
  kit.server.Post(R"(/2/media/upload/([0-9]+)/append)", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    if (!req.has_file("media") || !req.has_file("segment_index")) {
      return Invalid(res, "media and segment_index are required (multipart/form-data)");
    }
    const std::string& chunk = req.get_file_value("media").content;
    long segment = std::strtol(req.get_file_value("segment_index").content.c_str(), nullptr, 10);
    bool fits = true;
    bool found = kit.media->Update(Net::kX, req.matches[1], [&](SimMedia& m) {
      if (m.account_id != a->id || m.complete || m.bytes + static_cast<int64_t>(chunk.size()) > m.expected) {
        fits = false;
        return;
      }
      if (segment == 0) m.head = chunk.substr(0, 16);
      m.bytes += static_cast<int64_t>(chunk.size());
    });
    if (!found || !fits) return Invalid(res, "The media_id or segment is invalid.");
    Reply(res, 200, {{"data", {{"expires_at", kit.core.clock().NowMs() / 1000 + 86400}}}});
  });
  kit.server.Post(R"(/2/media/upload/([0-9]+)/finalize)", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    auto m = kit.media->Find(Net::kX, req.matches[1]);
    if (!m || m->account_id != a->id) return Invalid(res, "The media_id is invalid.");
    if (m->bytes != m->expected) return Invalid(res, "Segments do not add up to provided total file size.");
    std::string type;
    if (auto ok = CheckUpload(Net::kX, m->head, m->bytes, &type); !ok.ok() || type != m->type) {
      return Invalid(res, "InvalidMedia: the file is not a " + m->type + " X accepts (" +
                              (ok.ok() ? "it is " + type : std::string(ok.message())) + ").");
    }
    int64_t now = kit.core.clock().NowMs();
    kit.media->Update(Net::kX, m->id, [&](SimMedia& u) {
      u.complete = true;
      // Processing is reported only for uploads that had any (as X does for images).
      u.ready_ms = kit.core.limit().media_processing_ms > 0 ? now + kit.core.limit().media_processing_ms : 0;
    });
    Reply(res, 200, {{"data", MediaData(*kit.media->Find(Net::kX, m->id), now)}});
  });
  kit.server.Get("/2/media/upload", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    if (req.get_param_value("command") != "STATUS") return Invalid(res, "command must be STATUS");
    auto m = kit.media->Find(Net::kX, req.get_param_value("media_id"));
    if (!m || m->account_id != a->id) return Invalid(res, "The media_id is invalid.");
    Reply(res, 200, {{"data", MediaData(*m, kit.core.clock().NowMs())}});
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
  // Listening: posts mentioning the user, newest first.
  kit.server.Get(R"(/2/users/([^/]+)/mentions)", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    size_t max = MaxResults(req, res, 5);
    if (max == 0) return;
    std::vector<SimPost> posts;
    for (auto& p : kit.core.InboundFor(Net::kX, req.matches[1], "", 100000)) {
      if (p.kind != "dm" && InListing(req, p.id)) posts.push_back(std::move(p));
      if (posts.size() > max) break;
    }
    ListingPage(kit, res, posts, max);
  });
  // Recent search: "(a OR b) -is:retweet", or "conversation_id:<id>" for a thread.
  kit.server.Get("/2/tweets/search/recent", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    size_t max = MaxResults(req, res, 10);
    if (max == 0) return;
    std::string q = req.get_param_value("query");
    if (q.empty() || q.size() > 512) return Invalid(res, "The `query` parameter must be 1 to 512 characters long");
    std::vector<SimPost> found;
    if (q.rfind("conversation_id:", 0) == 0) {
      std::vector<std::string> todo{q.substr(16)};
      while (!todo.empty() && found.size() < 10000) {
        std::string id = todo.back();
        todo.pop_back();
        for (auto& r : kit.core.Replies(Net::kX, id, 10000)) {
          todo.push_back(r.id);
          found.push_back(std::move(r));
        }
      }
      std::sort(found.begin(), found.end(), [](const SimPost& x, const SimPost& y) { return SimCore::IdBefore(y.id, x.id); });
    } else {
      if (auto at = q.find(" -is:retweet"); at != std::string::npos) q.erase(at, 12);
      if (q.size() >= 2 && q.front() == '(' && q.back() == ')') q = q.substr(1, q.size() - 2);
      std::vector<std::string> terms = SplitOr(q);
      found = kit.core.Search(Net::kX, terms, "", 100000);
    }
    std::vector<SimPost> posts;
    for (auto& p : found) {
      if (InListing(req, p.id)) posts.push_back(std::move(p));
      if (posts.size() > max) break;
    }
    ListingPage(kit, res, posts, max);
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
