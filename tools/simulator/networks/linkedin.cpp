// LinkedIn: /v2/userinfo (OpenID), /rest/posts versioned by LinkedIn-Version
// (monthly versions from networks.json; a retired one is answered 426 as
// LinkedIn does), the new post's URN in x-restli-id, errors with status,
// serviceErrorCode and code; 429 without limit headers. Images: the Images
// API's initializeUpload names an upload URL (here /_sim/linkedin/uploads/<n>)
// that takes the bytes by PUT; a post's content names one image (media.id) or
// several (multiImage.images), each uploaded by its author.
#include "simulator/route_kit.h"
#include "simulator/text_rules.h"

namespace herald::sim {
namespace {

using nlohmann::json;

void Error(httplib::Response& res, int status, int service_code, const std::string& code, const std::string& message) {
  Reply(res, status, {{"status", status}, {"serviceErrorCode", service_code}, {"code", code}, {"message", message}});
}

// "202610" or "202610.01"; empty when malformed.
std::string Month(const std::string& version) {
  std::string month = version.substr(0, version.find('.'));
  if (month.size() != 6 || month.find_first_not_of("0123456789") != std::string::npos) return "";
  return month;
}

// Writes the error and returns false unless the request names a version
// LinkedIn still serves.
bool VersionServed(const httplib::Request& req, httplib::Response& res) {
  std::string version = req.get_header_value("LinkedIn-Version");
  if (version.empty()) {
    Error(res, 426, 0, "VERSION_MISSING",
          "A version must be present. Please specify a version by adding the LinkedIn-Version header.");
    return false;
  }
  std::string month = Month(version);
  if (month.empty() || month < OldestApiVersion(Net::kLinkedIn) || month > ApiVersion(Net::kLinkedIn)) {
    Error(res, 426, 0, "NONEXISTENT_VERSION", "Requested version " + version + " is not active");
    return false;
  }
  return true;
}

}  // namespace

void AddLinkedInRoutes(RouteKit& kit) {
  auto auth = [&kit](const httplib::Request& req, httplib::Response& res) {
    auto a = kit.core.Authenticate(Bearer(req));
    if (a) return a;
    std::string why = kit.core.WhyRefused(Bearer(req));
    if (why == "expired") {
      Error(res, 401, 65601, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired");
    } else if (why == "revoked") {
      Error(res, 401, 65602, "REVOKED_ACCESS_TOKEN", "The token used in the request has been revoked by the user");
    } else if (why == "suspended") {
      Error(res, 403, 100, "ACCESS_DENIED", "Member is restricted");
    } else {
      Error(res, 401, 65600, "INVALID_ACCESS_TOKEN", "Invalid access token");
    }
    return a;
  };
  kit.server.Get("/v2/userinfo", [auth](const httplib::Request& req, httplib::Response& res) {
    if (auto a = auth(req, res)) Reply(res, 200, {{"sub", a->id}, {"name", a->username}, {"email_verified", true}});
  });
  kit.server.Post("/rest/posts", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a || !VersionServed(req, res)) return;
    json body = Body(req);
    if (!body.is_object()) return Error(res, 400, 100, "ILLEGAL_ARGUMENT", "Unable to parse the request body");
    if (Str(body, "author") != "urn:li:person:" + a->id) {
      return Error(res, 403, 100, "ACCESS_DENIED", "Not enough permissions to access: partnerApiPostsExternal.CREATE");
    }
    for (const char* field : {"visibility", "lifecycleState"}) {
      if (Str(body, field).empty()) {
        return Error(res, 422, 100, "FIELD_VALUE_DENIED", std::string("/") + field + " :: field is required");
      }
    }
    if (!body.contains("distribution") || !body["distribution"].is_object()) {
      return Error(res, 422, 100, "FIELD_VALUE_DENIED", "/distribution :: field is required");
    }
    std::string text = Str(body, "commentary");
    if (CodePoints(text) > MaxLength(Net::kLinkedIn)) {
      return Error(res, 422, 100, "FIELD_VALUE_DENIED", "/commentary :: length must be at most 3000");
    }
    std::vector<std::string> images;
    if (body.contains("content")) {
      const json& content = body["content"];
      if (content.is_object() && content.contains("media") && content["media"].is_object()) {
        images.push_back(Str(content["media"], "id"));
      } else if (content.is_object() && content.contains("multiImage") && content["multiImage"].is_object() &&
                 content["multiImage"].contains("images") && content["multiImage"]["images"].is_array()) {
        for (const auto& image : content["multiImage"]["images"]) images.push_back(Str(image, "id"));
        if (images.size() < 2 || images.size() > static_cast<size_t>(MaxMedia(Net::kLinkedIn))) {
          return Error(res, 422, 100, "FIELD_VALUE_DENIED",
                       "/content/multiImage/images :: must hold 2 to " + std::to_string(MaxMedia(Net::kLinkedIn)) +
                           " images");
        }
      } else {
        return Error(res, 422, 100, "FIELD_VALUE_DENIED", "/content :: unsupported content type");
      }
    }
    std::vector<std::string> ids;
    for (const auto& urn : images) {
      const std::string prefix = "urn:li:image:C4E10AQ";
      if (urn.rfind(prefix, 0) != 0) {
        return Error(res, 422, 100, "FIELD_VALUE_DENIED", "/content :: " + urn + " is not an image URN");
      }
      ids.push_back(urn.substr(prefix.size()));
    }
    kit.Posting(req, res, [&] {
      if (!kit.core.Charge(Net::kLinkedIn, a->id).ok) {
        return Error(res, 429, 101, "TOO_MANY_REQUESTS",
                     "Resource level throttle limit for calls to this resource is reached.");
      }
      auto media = kit.media->Attach(Net::kLinkedIn, a->id, ids, kit.core.clock().NowMs(), false);
      if (!media.ok()) {
        return Error(res, 422, 100, "FIELD_VALUE_DENIED",
                     "/content :: image urn:li:image:C4E10AQ" + std::string(media.status().message()) +
                         " is not uploaded by the author");
      }
      auto p = kit.core.Accept(Net::kLinkedIn, a->id, text, "", "", *media);
      res.status = 201;
      res.set_header("x-restli-id", "urn:li:share:" + p.id);
      res.set_header("x-linkedin-id", "urn:li:share:" + p.id);
    });
  });
  kit.server.Post("/rest/images", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a || !VersionServed(req, res)) return;
    if (req.get_param_value("action") != "initializeUpload") {
      return Error(res, 400, 100, "ILLEGAL_ARGUMENT", "Unsupported action: " + req.get_param_value("action"));
    }
    json body = Body(req);
    const json request = body.is_object() && body.contains("initializeUploadRequest") ? body["initializeUploadRequest"] : json();
    if (Str(request, "owner") != "urn:li:person:" + a->id) {
      return Error(res, 403, 100, "ACCESS_DENIED", "Not enough permissions to access: images.ACTION.initializeUpload");
    }
    SimMedia m = kit.media->Add({"", Net::kLinkedIn, a->id, "", 0, 0, "", false, 0, false});
    Reply(res, 200, {{"value", {{"uploadUrlExpiresAt", kit.core.clock().NowMs() + 3600 * 1000},
                                {"uploadUrl", kit.base + "/_sim/linkedin/uploads/" + m.id},
                                {"image", "urn:li:image:C4E10AQ" + m.id}}}});
  });
  kit.server.Put(R"(/_sim/linkedin/uploads/([0-9]+))", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    std::string type;
    if (auto ok = CheckUpload(Net::kLinkedIn, req.body, static_cast<int64_t>(req.body.size()), &type); !ok.ok()) {
      return Error(res, 400, 100, "ILLEGAL_ARGUMENT", "Invalid image: " + std::string(ok.message()));
    }
    bool owned = false;
    bool found = kit.media->Update(Net::kLinkedIn, req.matches[1], [&](SimMedia& m) {
      owned = m.account_id == a->id && !m.complete;
      if (!owned) return;
      m.type = type;
      m.bytes = static_cast<int64_t>(req.body.size());
      m.head = req.body.substr(0, 16);
      m.complete = true;
    });
    if (!found || !owned) return Error(res, 404, 100, "NOT_FOUND", "No upload waiting at this URL");
    res.status = 201;
  });
  kit.server.Get(R"(/rest/images/urn:li:image:C4E10AQ([0-9]+))", [&kit, auth](const httplib::Request& req,
                                                                               httplib::Response& res) {
    auto a = auth(req, res);
    if (!a || !VersionServed(req, res)) return;
    auto m = kit.media->Find(Net::kLinkedIn, req.matches[1]);
    if (!m || m->account_id != a->id) return Error(res, 404, 100, "NOT_FOUND", "Not Found");
    Reply(res, 200, {{"id", "urn:li:image:C4E10AQ" + m->id}, {"owner", "urn:li:person:" + a->id},
                     {"status", m->complete ? "AVAILABLE" : "WAITING_UPLOAD"}});
  });
  // Comments on a post or a comment (socialActions), by the parent's URN:
  // urn:li:share:<id> or urn:li:comment:(urn:li:activity:<post>,<id>).
  auto parent_of = [&kit](const std::string& urn) -> std::optional<SimPost> {
    std::string id;
    if (urn.rfind("urn:li:share:", 0) == 0) id = urn.substr(13);
    if (urn.rfind("urn:li:comment:(", 0) == 0 && urn.back() == ')') {
      auto comma = urn.rfind(',');
      if (comma != std::string::npos) id = urn.substr(comma + 1, urn.size() - comma - 2);
    }
    return id.empty() ? std::nullopt : kit.core.Find(Net::kLinkedIn, id);
  };
  kit.server.Post(R"(/rest/socialActions/([^/]+)/comments)", [&kit, auth, parent_of](const httplib::Request& req,
                                                                                     httplib::Response& res) {
    auto a = auth(req, res);
    if (!a || !VersionServed(req, res)) return;
    std::string urn = req.matches[1];
    auto parent = parent_of(urn);
    if (!parent) return Error(res, 404, 100, "NOT_FOUND", "Not Found: " + urn);
    json body = Body(req);
    if (Str(body, "actor") != "urn:li:person:" + a->id) {
      return Error(res, 403, 100, "ACCESS_DENIED", "Not enough permissions to access: socialActions.comments.CREATE");
    }
    std::string text = body.contains("message") ? Str(body["message"], "text") : "";
    if (text.empty()) return Error(res, 422, 100, "FIELD_VALUE_DENIED", "/message/text :: field is required");
    kit.Posting(req, res, [&] {
      if (!kit.core.Charge(Net::kLinkedIn, a->id).ok) {
        return Error(res, 429, 101, "TOO_MANY_REQUESTS",
                     "Resource level throttle limit for calls to this resource is reached.");
      }
      auto c = kit.core.Accept(Net::kLinkedIn, a->id, text, parent->id, "");
      res.status = 201;
      res.set_header("x-restli-id", "urn:li:comment:(urn:li:activity:" + parent->id + "," + c.id + ")");
    });
  });
  kit.server.Get(R"(/rest/socialActions/([^/]+)/comments)", [&kit, auth, parent_of](const httplib::Request& req,
                                                                                    httplib::Response& res) {
    if (!auth(req, res) || !VersionServed(req, res)) return;
    auto parent = parent_of(req.matches[1]);
    if (!parent) return Error(res, 404, 100, "NOT_FOUND", "Not Found: " + std::string(req.matches[1]));
    json elements = json::array();
    for (const auto& c : kit.core.Replies(Net::kLinkedIn, parent->id, Limit(req, "count", 10, 100))) {
      elements.push_back({{"id", "urn:li:comment:(urn:li:activity:" + parent->id + "," + c.id + ")"},
                          {"actor", "urn:li:person:" + c.account_id},
                          {"message", {{"text", c.text}}},
                          {"created", {{"time", c.created_ms}}}});
    }
    Reply(res, 200, {{"elements", elements}, {"paging", {{"count", elements.size()}, {"start", 0}}}});
  });
  // A post's social actions summary: likes and comments (LinkedIn gives
  // members no impression or share counts here).
  kit.server.Get(R"(/rest/socialActions/([^/]+))", [&kit, auth, parent_of](const httplib::Request& req,
                                                                           httplib::Response& res) {
    if (!auth(req, res) || !VersionServed(req, res)) return;
    auto post = parent_of(req.matches[1]);
    if (!post) return Error(res, 404, 100, "NOT_FOUND", "Not Found: " + std::string(req.matches[1]));
    auto e = kit.core.EngagementOf(*post);
    Reply(res, 200, {{"target", std::string(req.matches[1])},
                     {"likesSummary", {{"totalLikes", e.likes}, {"aggregatedTotalLikes", e.likes},
                                       {"likedByCurrentUser", false}, {"selectedLikes", json::array()}}},
                     {"commentsSummary", {{"totalFirstLevelComments", e.replies},
                                          {"aggregatedTotalComments", e.replies},
                                          {"selectedComments", json::array()}}}});
  });
  kit.server.Get("/rest/posts", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    if (!auth(req, res) || !VersionServed(req, res)) return;
    if (req.get_param_value("q") != "author") {
      return Error(res, 400, 100, "ILLEGAL_ARGUMENT", "Invalid query parameters passed to request");
    }
    std::string author = req.get_param_value("author");
    std::string id = author.rfind("urn:li:person:", 0) == 0 ? author.substr(14) : "";
    size_t count = Limit(req, "count", 10, 100);
    size_t start = req.has_param("start") ? std::strtoul(req.get_param_value("start").c_str(), nullptr, 10) : 0;
    json elements = json::array();
    auto posts = kit.core.Recent(Net::kLinkedIn, id, start + count);
    for (size_t i = start; i < posts.size(); ++i) {
      const auto& p = posts[i];
      json element = {{"id", "urn:li:share:" + p.id}, {"commentary", p.text}, {"author", author},
                      {"visibility", "PUBLIC"}, {"lifecycleState", "PUBLISHED"},
                      {"createdAt", p.created_ms}, {"publishedAt", p.created_ms}};
      json images = json::array();
      for (const auto& m : p.media) images.push_back({{"id", "urn:li:image:C4E10AQ" + m.id}, {"altText", ""}});
      if (images.size() == 1) element["content"] = {{"media", images[0]}};
      if (images.size() > 1) element["content"] = {{"multiImage", {{"images", images}}}};
      elements.push_back(element);
    }
    Reply(res, 200, {{"elements", elements}, {"paging", {{"start", start}, {"count", count}, {"links", json::array()}}}});
  });
}

}  // namespace herald::sim
