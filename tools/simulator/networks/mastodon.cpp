// Mastodon: /api/v1, X-RateLimit-* (reset as RFC 3339) on every answer,
// Idempotency-Key, JSON errors ({"error": ...}) for every failure including
// unknown records, statuses counted in code points (500), Link headers for
// paging an account's statuses. Media: POST /api/v2/media (multipart "file",
// checked by its bytes against the networks.json types and sizes, 30 uploads
// per 30 minutes), 202 while processing (GET /api/v1/media/:id answers 206
// until it is ready); a status attaches up to 4 of the account's ready,
// unattached uploads by media_ids.
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
