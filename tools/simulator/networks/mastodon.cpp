// Mastodon: /api/v1, X-RateLimit-* (reset as RFC 3339) on every answer,
// Idempotency-Key, JSON errors ({"error": ...}) for every failure including
// unknown records, statuses counted in code points (500), Link headers for
// paging an account's statuses. Media: POST /api/v2/media (multipart "file",
// checked by its bytes against the networks.json types and sizes, 30 uploads
// per 30 minutes), 202 while processing (GET /api/v1/media/:id answers 206
// until it is ready); a status attaches up to 4 of the account's ready,
// unattached uploads by media_ids. Listening: notifications (mentions and
// direct messages), /api/v2/search and a status's context.
#include <algorithm>

#include "common/ids.h"
#include "common/time_util.h"
#include "simulator/route_kit.h"
#include "simulator/text_rules.h"

namespace herald::sim {
namespace {

using nlohmann::json;

json Attachment(const RouteKit& kit, const std::string& id, const std::string& type, bool ready) {
  std::string url = kit.base + "/system/media_attachments/" + id + "/original";
  return {{"id", id},
          {"type", type.rfind("video/", 0) == 0 ? "video" : type == "image/gif" ? "gifv" : "image"},
          {"url", ready ? json(url) : json(nullptr)},
          {"preview_url", url + "/small"},
          {"remote_url", nullptr},
          {"preview_remote_url", nullptr},
          {"text_url", nullptr},
          {"meta", json::object()},
          {"description", nullptr},
          {"blurhash", nullptr}};
}

json Status(const RouteKit& kit, const SimPost& p, const Account& a) {
  auto e = kit.core.EngagementOf(p);
  json media = json::array();
  for (const auto& m : p.media) media.push_back(Attachment(kit, m.id, m.type, true));
  return {{"id", p.id},
          {"created_at", FormatRfc3339(p.created_ms)},
          {"content", "<p>" + p.text + "</p>"},
          {"in_reply_to_id", p.in_reply_to_id.empty() ? json(nullptr) : json(p.in_reply_to_id)},
          {"uri", kit.base + "/users/" + a.username + "/statuses/" + p.id},
          {"url", kit.base + "/@" + a.username + "/" + p.id},
          {"visibility", "public"},
          {"sensitive", false},
          {"spoiler_text", ""},
          {"media_attachments", media},
          {"mentions", json::array()},
          {"tags", json::array()},
          {"emojis", json::array()},
          {"favourites_count", e.likes},
          {"reblogs_count", e.reposts},
          {"replies_count", e.replies},
          {"account", {{"id", a.id}, {"username", a.username}, {"acct", a.username}, {"display_name", a.username},
                       {"url", kit.base + "/@" + a.username}}}};
}

// Any status: an account's own, or one an outsider wrote (a mention, a
// reply, a direct message).
json AnyStatus(const RouteKit& kit, const SimPost& p, const Account& fallback) {
  if (p.account_id.rfind("ext:", 0) != 0) {
    auto owner = kit.core.ById(p.account_id);
    return Status(kit, p, owner ? *owner : fallback);
  }
  Account author{"7" + std::to_string(StableHash(p.author_handle) % 100000000), p.author_handle, ""};
  json st = Status(kit, p, author);
  st["visibility"] = p.kind == "dm" ? "direct" : "public";
  st["language"] = p.language.empty() ? json(nullptr) : json(p.language);
  auto parent = p.in_reply_to_id.empty() ? std::nullopt : kit.core.Find(Net::kMastodon, p.in_reply_to_id);
  st["in_reply_to_account_id"] = parent ? json(parent->account_id) : json(nullptr);
  if (!p.to_account_id.empty()) {
    if (auto to = kit.core.ById(p.to_account_id)) {
      st["mentions"] = json::array({{{"id", to->id}, {"username", to->username}, {"acct", to->username},
                                     {"url", kit.base + "/@" + to->username}}});
    }
  }
  return st;
}

// Paging as Mastodon lists: newest first, max_id and since_id exclusive.
bool InPage(const std::string& id, const std::string& max_id, const std::string& since_id) {
  return (max_id.empty() || SimCore::IdBefore(id, max_id)) && (since_id.empty() || SimCore::IdBefore(since_id, id));
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
                       {"created_at", "2024-01-01T00:00:00.000Z"}, {"followers_count", kit.core.FollowersOf(a->id)}, {"following_count", 0},
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
    std::vector<std::string> media_ids;
    if (body.is_object() && body.contains("media_ids") && body["media_ids"].is_array()) {
      for (const auto& id : body["media_ids"]) media_ids.push_back(id.is_string() ? id.get<std::string>() : id.dump());
    }
    for (size_t i = 0, n = req.get_param_value_count("media_ids[]"); i < n; ++i) {
      media_ids.push_back(req.get_param_value("media_ids[]", i));
    }
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
      if (text.empty() && media_ids.empty()) return Reply(res, 422, {{"error", "Validation failed: Text can't be blank"}}, h);
      if (media_ids.size() > static_cast<size_t>(MaxMedia(Net::kMastodon))) {
        return Reply(res, 422, {{"error", "Validation failed: Media attachments cannot be more than " +
                                              std::to_string(MaxMedia(Net::kMastodon))}}, h);
      }
      if (CodePoints(text) > 500) {
        return Reply(res, 422, {{"error", "Validation failed: Text character limit of 500 exceeded"}}, h);
      }
      if (!reply_to.empty() && !kit.core.Find(Net::kMastodon, reply_to)) {
        return Reply(res, 404, {{"error", "Record not found"}}, h);
      }
      auto media = kit.media->Attach(Net::kMastodon, a->id, media_ids, kit.core.clock().NowMs(), true);
      if (absl::IsFailedPrecondition(media.status())) {
        return Reply(res, 422, {{"error", "Cannot attach files that have not finished processing. Try again in a moment!"}}, h);
      }
      if (!media.ok()) return Reply(res, 422, {{"error", "Validation failed: Media attachments are invalid"}}, h);
      Reply(res, 200, Status(kit, kit.core.Accept(Net::kMastodon, a->id, text, reply_to, key, *media), *a), h);
    });
  });
  kit.server.Post("/api/v2/media", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    if (!req.has_file("file") || req.get_file_value("file").filename.empty()) {
      return Reply(res, 422, {{"error", "Validation failed: File content type is invalid, File can't be blank"}});
    }
    auto adm = kit.core.ChargeWindow("mastodon-media|" + a->id, 30, 30 * 60 * 1000, 1);
    Headers h = Limits(adm);
    if (!adm.ok) {
      h["Retry-After"] = std::to_string((adm.reset_ms - kit.core.clock().NowMs() + 999) / 1000);
      return Reply(res, 429, {{"error", "Too many requests"}}, h);
    }
    const std::string& bytes = req.get_file_value("file").content;
    std::string type;
    if (auto ok = CheckUpload(Net::kMastodon, bytes, static_cast<int64_t>(bytes.size()), &type); !ok.ok()) {
      bool too_big = static_cast<int64_t>(bytes.size()) > MaxImageBytes(Net::kMastodon);
      return Reply(res, 422, {{"error", too_big ? "Validation failed: File file size must be less than " +
                                                      std::to_string(MaxImageBytes(Net::kMastodon) >> 20) + " MB"
                                                : "Validation failed: File content type is invalid"}}, h);
    }
    int64_t processing = kit.core.limit().media_processing_ms;
    SimMedia m = kit.media->Add({"", Net::kMastodon, a->id, type, static_cast<int64_t>(bytes.size()), 0,
                                 bytes.substr(0, 16), true, kit.core.clock().NowMs() + processing, false});
    Reply(res, processing > 0 ? 202 : 200, Attachment(kit, m.id, type, processing == 0), h);
  });
  kit.server.Get(R"(/api/v1/media/([0-9]+))", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    auto m = kit.media->Find(Net::kMastodon, req.matches[1]);
    if (!m || m->account_id != a->id) return Reply(res, 404, {{"error", "Record not found"}});
    bool ready = kit.core.clock().NowMs() >= m->ready_ms;
    Reply(res, ready ? 200 : 206, Attachment(kit, m->id, m->type, ready));
  });
  kit.server.Get(R"(/api/v1/statuses/([0-9]+))", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    auto p = kit.core.Find(Net::kMastodon, req.matches[1]);
    if (!p) return Reply(res, 404, {{"error", "Record not found"}});
    auto owner = kit.core.ById(p->account_id);
    Reply(res, 200, Status(kit, *p, owner ? *owner : *a));
  });
  // Listening. Notifications of mentions (and direct messages, which
  // Mastodon delivers as mentions) of the account, newest first.
  kit.server.Get("/api/v1/notifications", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    size_t limit = Limit(req, "limit", 40, 80);
    std::string max_id = req.get_param_value("max_id"), since_id = req.get_param_value("since_id");
    bool mentions_only = false;
    for (size_t i = 0; i < req.get_param_value_count("types[]"); ++i) {
      mentions_only |= req.get_param_value("types[]", i) == "mention";
    }
    (void)mentions_only;  // every notification the simulator makes is a mention
    json out = json::array();
    std::string last;
    for (const auto& p : kit.core.InboundFor(Net::kMastodon, a->id, max_id, 100000)) {
      if (!InPage(p.id, max_id, since_id)) continue;
      json st = AnyStatus(kit, p, *a);
      out.push_back({{"id", p.id}, {"type", "mention"}, {"created_at", FormatRfc3339(p.created_ms)},
                     {"account", st["account"]}, {"status", st}});
      last = p.id;
      if (out.size() == limit) break;
    }
    Headers h;
    if (out.size() == limit) h["Link"] = "<" + kit.base + "/api/v1/notifications?max_id=" + last + ">; rel=\"next\"";
    Reply(res, 200, out, h);
  });
  // Full-text search of statuses; "a OR b" matches either.
  kit.server.Get("/api/v2/search", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    std::string q = req.get_param_value("q");
    if (q.empty() || q.size() > 1000) return Reply(res, 400, {{"error", "Validation failed: q is missing or too long"}});
    std::vector<std::string> terms = SplitOr(q);
    json statuses = json::array();
    for (const auto& p : kit.core.Search(Net::kMastodon, terms, req.get_param_value("max_id"), Limit(req, "limit", 20, 40))) {
      statuses.push_back(AnyStatus(kit, p, *a));
    }
    Reply(res, 200, {{"accounts", json::array()}, {"statuses", statuses}, {"hashtags", json::array()}});
  });
  // A status's thread: ancestors and every descendant, oldest first.
  kit.server.Get(R"(/api/v1/statuses/([0-9]+)/context)", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    auto root = kit.core.Find(Net::kMastodon, req.matches[1]);
    if (!root) return Reply(res, 404, {{"error", "Record not found"}});
    std::vector<SimPost> found;
    std::vector<std::string> todo{root->id};
    while (!todo.empty() && found.size() < 4000) {
      std::string id = todo.back();
      todo.pop_back();
      for (auto& r : kit.core.Replies(Net::kMastodon, id, 4000)) {
        todo.push_back(r.id);
        found.push_back(std::move(r));
      }
    }
    std::sort(found.begin(), found.end(), [](const SimPost& x, const SimPost& y) { return SimCore::IdBefore(x.id, y.id); });
    json descendants = json::array();
    for (const auto& p : found) descendants.push_back(AnyStatus(kit, p, *a));
    Reply(res, 200, {{"ancestors", json::array()}, {"descendants", descendants}});
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
