// Mastodon: /api/v1, X-RateLimit-* (reset as RFC 3339) on every answer,
// Idempotency-Key, JSON errors ({"error": ...}) for every failure including
// unknown records, statuses counted in code points (500), Link headers for
// paging an account's statuses.
#include "common/time_util.h"
#include "simulator/route_kit.h"
#include "simulator/text_rules.h"

namespace herald::sim {
namespace {

using nlohmann::json;

json Status(const RouteKit& kit, const SimPost& p, const Account& a) {
  auto e = kit.core.EngagementOf(p);
  return {{"id", p.id},
          {"created_at", FormatRfc3339(p.created_ms)},
          {"content", "<p>" + p.text + "</p>"},
          {"in_reply_to_id", p.in_reply_to_id.empty() ? json(nullptr) : json(p.in_reply_to_id)},
          {"uri", kit.base + "/users/" + a.username + "/statuses/" + p.id},
          {"url", kit.base + "/@" + a.username + "/" + p.id},
          {"visibility", "public"},
          {"sensitive", false},
          {"spoiler_text", ""},
          {"media_attachments", json::array()},
          {"mentions", json::array()},
          {"tags", json::array()},
          {"emojis", json::array()},
          {"favourites_count", e.likes},
          {"reblogs_count", e.reposts},
          {"replies_count", e.replies},
          {"account", {{"id", a.id}, {"username", a.username}, {"acct", a.username}, {"display_name", a.username},
                       {"url", kit.base + "/@" + a.username}}}};
}

Headers Limits(const Admission& adm) {
  return {{"X-RateLimit-Limit", std::to_string(adm.limit)},
          {"X-RateLimit-Remaining", std::to_string(adm.remaining)},
          {"X-RateLimit-Reset", FormatRfc3339(adm.reset_ms)}};
}

}  // namespace

void AddMastodonRoutes(RouteKit& kit) {
  auto auth = [&kit](const httplib::Request& req, httplib::Response& res) {
    auto a = kit.core.Authenticate(Bearer(req));
    if (a) return a;
    std::string why = kit.core.WhyRefused(Bearer(req));
    if (why == "suspended") {
      Reply(res, 403, {{"error", "Your login is currently disabled"}});
    } else if (why == "expired") {
      Reply(res, 401, {{"error", "The access token expired"}});
    } else if (why == "revoked") {
      Reply(res, 401, {{"error", "The access token was revoked"}});
    } else {
      Reply(res, 401, {{"error", "The access token is invalid"}});
    }
    return a;
  };
  kit.server.Get("/api/v1/accounts/verify_credentials", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    if (auto a = auth(req, res)) {
      Reply(res, 200, {{"id", a->id}, {"username", a->username}, {"acct", a->username}, {"display_name", a->username},
                       {"url", kit.base + "/@" + a->username}, {"locked", false}, {"bot", false},
                       {"created_at", "2024-01-01T00:00:00.000Z"}, {"followers_count", 0}, {"following_count", 0},
                       {"statuses_count", 0}, {"note", ""}, {"avatar", kit.base + "/avatar.png"},
                       {"emojis", json::array()}, {"fields", json::array()}});
    }
  });
  kit.server.Post("/api/v1/statuses", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    json body = Body(req);
    // JSON or a form, as Mastodon takes both.
    std::string text = body.is_object() ? Str(body, "status") : req.get_param_value("status");
    std::string reply_to = body.is_object() ? Str(body, "in_reply_to_id") : req.get_param_value("in_reply_to_id");
    std::string key = req.get_header_value("Idempotency-Key");
    kit.Posting(req, res, [&] {
      if (!key.empty()) {
        // A repeated Idempotency-Key gets the first status back, uncounted.
        if (auto first = kit.core.FindByKey(Net::kMastodon, a->id, key)) return Reply(res, 200, Status(kit, *first, *a));
      }
      auto adm = kit.core.Charge(Net::kMastodon, a->id);
      Headers h = Limits(adm);
      if (!adm.ok) {
        h["Retry-After"] = std::to_string((adm.reset_ms - kit.core.clock().NowMs() + 999) / 1000);
        return Reply(res, 429, {{"error", "Too many requests"}}, h);
      }
      if (text.empty()) return Reply(res, 422, {{"error", "Validation failed: Text can't be blank"}}, h);
      if (CodePoints(text) > 500) {
        return Reply(res, 422, {{"error", "Validation failed: Text character limit of 500 exceeded"}}, h);
      }
      if (!reply_to.empty() && !kit.core.Find(Net::kMastodon, reply_to)) {
        return Reply(res, 404, {{"error", "Record not found"}}, h);
      }
      Reply(res, 200, Status(kit, kit.core.Accept(Net::kMastodon, a->id, text, reply_to, key), *a), h);
    });
  });
  kit.server.Get(R"(/api/v1/statuses/([0-9]+))", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    auto p = kit.core.Find(Net::kMastodon, req.matches[1]);
    if (!p) return Reply(res, 404, {{"error", "Record not found"}});
    auto owner = kit.core.ById(p->account_id);
    Reply(res, 200, Status(kit, *p, owner ? *owner : *a));
  });
  kit.server.Get(R"(/api/v1/accounts/([^/]+)/statuses)", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    if (!auth(req, res)) return;
    auto owner = kit.core.ById(req.matches[1]);
    if (!owner) return Reply(res, 404, {{"error", "Record not found"}});
    size_t limit = Limit(req, "limit", 20, 40);
    std::string max_id = req.get_param_value("max_id");
    json out = json::array();
    std::string last;
    // Newest first; max_id pages back (ids are numeric and grow).
    for (const auto& p : kit.core.Recent(Net::kMastodon, owner->id, 100000)) {
      if (!max_id.empty() && !(p.id.size() < max_id.size() || (p.id.size() == max_id.size() && p.id < max_id))) continue;
      out.push_back(Status(kit, p, *owner));
      last = p.id;
      if (out.size() == limit) break;
    }
    Headers h;
    if (out.size() == limit && !last.empty()) {
      h["Link"] = "<" + kit.base + "/api/v1/accounts/" + owner->id + "/statuses?max_id=" + last + ">; rel=\"next\"";
    }
    Reply(res, 200, out, h);
  });
}

}  // namespace herald::sim
