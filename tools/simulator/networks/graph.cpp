// Meta Graph API (Facebook Pages, Instagram) under any /vNN.N/ prefix (Graph
// serves a retired version as the oldest live one). Parameters come as the
// documentation shows them — query string, form or JSON. Errors are
// {"error": {message, type, code, error_subcode, fbtrace_id}}; limits are
// error codes 32 (page) and 4 (app) with x-business-use-case-usage. Images
// are fetched from their URLs as Facebook and Instagram do — here only from
// the simulator's own media host, never from the network: a Page photo is a
// post of its own or, unpublished, attached to a feed post (attached_media);
// an Instagram container holds one JPEG or, as a carousel, 2 to 10 finished
// item containers.
#include <mutex>

#include "common/ids.h"
#include "common/time_util.h"
#include "simulator/route_kit.h"
#include "simulator/text_rules.h"

namespace herald::sim {
namespace {

using nlohmann::json;

void GraphError(httplib::Response& res, int status, int code, const std::string& message, int subcode = 0,
                const Headers& headers = {}) {
  json error = {{"message", message}, {"type", "OAuthException"}, {"code", code}, {"fbtrace_id", "AsimTrace0000000000"}};
  if (subcode) error["error_subcode"] = subcode;
  Reply(res, status, {{"error", error}}, headers);
}

// A parameter from the query, the form or a JSON body.
std::string Param(const httplib::Request& req, const char* name) {
  if (req.has_param(name)) return req.get_param_value(name);
  json body = Body(req);
  return Str(body, name);
}

// Instagram media containers: processed for a while after they are made
// (status_code IN_PROGRESS, then FINISHED); publishing one before it is
// ready is refused, as Instagram does.
struct Container {
  std::string owner;
  std::string caption;
  int64_t ready_ms = 0;
  bool carousel_item = false;
  std::vector<SimAttachment> media;
};
struct Containers {
  std::mutex mu;
  std::map<std::string, Container> by_id;
  uint64_t next = 17900000000000000ULL;
};

// An Instagram comment as Graph gives it (text and timestamp, unlike a Page's).
// Who wrote a comment: an outsider (a fan) or one of the accounts.
json From(const SimPost& c) {
  bool outsider = c.account_id.rfind("ext:", 0) == 0;
  std::string name = outsider ? c.author_handle : c.account_id;
  return {{"id", outsider ? std::to_string(StableHash(name) % 1000000000000ULL) : c.account_id},
          {"name", name}, {"username", name}};
}

json IgComment(const SimPost& c) {
  json from = From(c);
  return {{"id", c.id}, {"text", c.text}, {"timestamp", FormatRfc3339(c.created_ms)}, {"from", from},
          {"username", from["username"]}};
}

// A boolean parameter ("false", false) from the query, form or JSON body.
bool Flag(const httplib::Request& req, const char* name, bool fallback) {
  if (req.has_param(name)) return req.get_param_value(name) != "false";
  json body = Body(req);
  if (!body.is_object() || !body.contains(name)) return fallback;
  if (body[name].is_boolean()) return body[name].get<bool>();
  return Str(body, name) != "false";
}

// What Meta's fetch of an image URL gets: the file, or the Graph error
// written to `res` (unreachable, or a type the network does not take).
std::optional<SimAttachment> FetchImage(RouteKit& kit, Net net, const std::string& url, httplib::Response& res) {
  auto bytes = FetchHostedMedia(url, kit.base);
  std::string type;
  if (bytes && CheckUpload(net, *bytes, static_cast<int64_t>(bytes->size()), &type).ok()) {
    SimMedia m = kit.media->Add({"", net, "", type, static_cast<int64_t>(bytes->size()), 0, bytes->substr(0, 16),
                                 true, 0, false});
    return SimAttachment{m.id, type, m.bytes};
  }
  if (net == Net::kInstagram) {
    if (!bytes) GraphError(res, 400, 9004, "The media could not be fetched from this uri: " + url, 2207052);
    if (bytes) GraphError(res, 400, 9004, "Only photo or video can be accepted as media type. Supported image: JPEG", 2207026);
  } else {
    GraphError(res, 400, 324, "(#324) Missing or invalid image file");
  }
  return std::nullopt;
}

}  // namespace

void AddGraphRoutes(RouteKit& kit) {
  auto containers = std::make_shared<Containers>();
  auto auth = [&kit](const httplib::Request& req, httplib::Response& res) {
    std::string token = Bearer(req);
    if (token.empty()) token = req.get_param_value("access_token");
    auto a = kit.core.Authenticate(token);
    if (a) return a;
    std::string why = kit.core.WhyRefused(token);
    if (why == "expired") {
      GraphError(res, 400, 190, "Error validating access token: Session has expired", 463);
    } else if (why == "revoked") {
      GraphError(res, 400, 190, "Error validating access token: The user has not authorized application", 458);
    } else if (why == "suspended") {
      GraphError(res, 400, 190,
                 "Error validating access token: You cannot access the app till you log in to www.facebook.com "
                 "and follow the instructions given.",
                 459);
    } else {
      GraphError(res, 400, 190, "Invalid OAuth access token - Cannot parse access token");
    }
    return a;
  };
  auto usage = [&kit](const Account& a, const Admission& adm) {
    int pct = adm.limit > 0 ? 100 * (adm.limit - adm.remaining) / adm.limit : 0;
    int64_t minutes = adm.ok ? 0 : (adm.reset_ms - kit.core.clock().NowMs() + 59999) / 60000;
    return Headers{{"x-business-use-case-usage",
                    json{{a.id, {{{"type", "pages"}, {"call_count", pct}, {"total_cputime", 1}, {"total_time", 1},
                                  {"estimated_time_to_regain_access", minutes}}}}}.dump()}};
  };
  const std::string v = R"(/v[0-9]+\.[0-9]+)";
  kit.server.Get(v + "/me", [auth](const httplib::Request& req, httplib::Response& res) {
    if (auto a = auth(req, res)) Reply(res, 200, {{"id", a->id}, {"name", a->username}, {"username", a->username}});
  });
  kit.server.Post(v + R"(/([0-9]+)/feed)", [&kit, auth, usage](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    if (req.matches[1] != a->id) return GraphError(res, 403, 200, "(#200) Permissions error");
    std::string message = Param(req, "message"), link = Param(req, "link");
    // attached_media: a JSON array of {"media_fbid"}, or form fields attached_media[i] holding one each.
    std::vector<std::string> photos;
    json body = Body(req);
    if (body.is_object() && body.contains("attached_media") && body["attached_media"].is_array()) {
      for (const auto& m : body["attached_media"]) photos.push_back(Str(m, "media_fbid"));
    }
    for (int i = 0; req.has_param(("attached_media[" + std::to_string(i) + "]").c_str()); ++i) {
      photos.push_back(Str(json::parse(req.get_param_value(("attached_media[" + std::to_string(i) + "]").c_str()),
                                       nullptr, false), "media_fbid"));
    }
    if (message.empty() && link.empty() && photos.empty()) {
      return GraphError(res, 400, 100, "(#100) Invalid parameter", 1349125);
    }
    if (CodePoints(message) > MaxLength(Net::kFacebook)) return GraphError(res, 400, 100, "(#100) Message is too long");
    if (photos.size() > static_cast<size_t>(MaxMedia(Net::kFacebook))) {
      return GraphError(res, 400, 100, "(#100) Too many attached_media");
    }
    kit.Posting(req, res, [&] {
      auto adm = kit.core.Charge(Net::kFacebook, a->id);
      if (!adm.ok) return GraphError(res, 400, 32, "(#32) Page request limit reached", 0, usage(*a, adm));
      auto media = kit.media->Attach(Net::kFacebook, a->id, photos, kit.core.clock().NowMs(), true);
      if (!media.ok()) {
        return GraphError(res, 400, 100, "(#100) attached_media " + std::string(media.status().message()) +
                                             " is not an unpublished photo of this Page");
      }
      auto p = kit.core.Accept(Net::kFacebook, a->id, message, "", "", *media);
      Reply(res, 200, {{"id", a->id + "_" + p.id}}, usage(*a, adm));
    });
  });
  kit.server.Post(v + R"(/([0-9]+)/photos)", [&kit, auth, usage](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    if (req.matches[1] != a->id) return GraphError(res, 403, 200, "(#200) Permissions error");
    std::string url = Param(req, "url"), message = Param(req, "message");
    if (url.empty()) return GraphError(res, 400, 324, "(#324) Requires upload file");
    if (CodePoints(message) > MaxLength(Net::kFacebook)) return GraphError(res, 400, 100, "(#100) Message is too long");
    auto photo = FetchImage(kit, Net::kFacebook, url, res);
    if (!photo) return;
    kit.media->Update(Net::kFacebook, photo->id, [&](SimMedia& m) { m.account_id = a->id; });
    if (!Flag(req, "published", true)) return Reply(res, 200, {{"id", photo->id}});  // waits for a feed post
    kit.Posting(req, res, [&] {
      auto adm = kit.core.Charge(Net::kFacebook, a->id);
      if (!adm.ok) return GraphError(res, 400, 32, "(#32) Page request limit reached", 0, usage(*a, adm));
      auto media = kit.media->Attach(Net::kFacebook, a->id, {photo->id}, kit.core.clock().NowMs(), true);
      auto p = kit.core.Accept(Net::kFacebook, a->id, message, "", "", media.ok() ? *media : std::vector<SimAttachment>{});
      Reply(res, 200, {{"id", photo->id}, {"post_id", a->id + "_" + p.id}}, usage(*a, adm));
    });
  });
  kit.server.Get(v + R"(/([0-9]+)/feed)", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    json data = json::array();
    int64_t since = std::atoll(req.get_param_value("since").c_str()) * 1000;
    for (const auto& p : kit.core.Recent(Net::kFacebook, req.matches[1], Limit(req, "limit", 25, 100), since)) {
      data.push_back({{"id", a->id + "_" + p.id}, {"message", p.text},
                      {"permalink_url", kit.base + "/" + a->id + "/posts/" + p.id},
                      {"created_time", FormatRfc3339(p.created_ms)}});
    }
    Reply(res, 200, {{"data", data}, {"paging", {{"cursors", {{"before", "b"}, {"after", "a"}}}}}});
  });
  kit.server.Post(v + R"(/([0-9]+)/media)", [&kit, auth, containers](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    if (req.matches[1] != a->id) return GraphError(res, 403, 200, "(#200) Permissions error");
    std::string caption = Param(req, "caption");
    if (CodePoints(caption) > MaxLength(Net::kInstagram)) {
      return GraphError(res, 400, 100, "(#100) The caption is too long", 2207010);
    }
    Container c{a->id, caption, kit.core.clock().NowMs() + kit.core.limit().ig_container_ready_ms,
                Flag(req, "is_carousel_item", false), {}};
    if (Param(req, "media_type") == "CAROUSEL") {
      std::vector<std::string> children;
      std::string list = Param(req, "children");
      for (size_t start = 0; start <= list.size();) {
        size_t comma = std::min(list.find(',', start), list.size());
        if (comma > start) children.push_back(list.substr(start, comma - start));
        start = comma + 1;
      }
      if (children.size() < 2 || children.size() > static_cast<size_t>(MaxMedia(Net::kInstagram))) {
        return GraphError(res, 400, 100, "(#100) A carousel takes 2 to " + std::to_string(MaxMedia(Net::kInstagram)) +
                                             " children", 2207008);
      }
      std::lock_guard lock(containers->mu);
      for (const auto& child : children) {
        auto it = containers->by_id.find(child);
        if (it == containers->by_id.end() || it->second.owner != a->id || !it->second.carousel_item) {
          return GraphError(res, 400, 100, "(#100) The carousel item " + child + " does not exist", 2207008);
        }
        if (kit.core.clock().NowMs() < it->second.ready_ms) {
          return GraphError(res, 400, 9007, "The carousel item " + child + " is not ready to be used", 2207027);
        }
        c.media.insert(c.media.end(), it->second.media.begin(), it->second.media.end());
      }
    } else {
      std::string url = Param(req, "image_url");
      if (url.empty()) return GraphError(res, 400, 100, "(#100) The parameter image_url or video_url is required");
      auto image = FetchImage(kit, Net::kInstagram, url, res);
      if (!image) return;
      c.media.push_back(*image);
    }
    std::lock_guard lock(containers->mu);
    std::string id = std::to_string(++containers->next);
    containers->by_id[id] = c;
    Reply(res, 200, {{"id", id}});
  });
  kit.server.Get(v + R"(/([0-9]+))", [&kit, auth, containers](const httplib::Request& req, httplib::Response& res) {
    if (!auth(req, res)) return;
    std::lock_guard lock(containers->mu);
    auto it = containers->by_id.find(req.matches[1]);
    if (it == containers->by_id.end() && kit.core.ById(req.matches[1])) {
      // A Page or an Instagram professional account: its follower count.
      std::string id = req.matches[1];
      return Reply(res, 200, {{"id", id}, {"followers_count", kit.core.FollowersOf(id)}});
    }
    if (it == containers->by_id.end()) {
      // Not a container: an Instagram media or comment, as Graph describes it.
      auto p = kit.core.Find(Net::kInstagram, req.matches[1]);
      if (!p) {
        return GraphError(res, 400, 100, "(#100) Object with ID '" + std::string(req.matches[1]) + "' does not exist", 33);
      }
      if (!p->in_reply_to_id.empty()) return Reply(res, 200, IgComment(*p));
      return Reply(res, 200, {{"id", p->id}, {"caption", p->text},
                              {"media_type", p->media.size() > 1 ? "CAROUSEL_ALBUM" : "IMAGE"},
                              {"permalink", kit.base + "/p/" + p->id}, {"timestamp", FormatRfc3339(p->created_ms)}});
    }
    bool ready = kit.core.clock().NowMs() >= it->second.ready_ms;
    Reply(res, 200, {{"id", it->first}, {"status_code", ready ? "FINISHED" : "IN_PROGRESS"}});
  });
  kit.server.Post(v + R"(/([0-9]+)/media_publish)", [&kit, auth, usage, containers](const httplib::Request& req,
                                                                                     httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    std::string creation = Param(req, "creation_id");
    Container container;
    {
      std::lock_guard lock(containers->mu);
      auto it = containers->by_id.find(creation);
      if (it == containers->by_id.end() || it->second.owner != a->id) {
        return GraphError(res, 400, 100, "(#100) Unsupported post request. Object with ID '" + creation +
                                             "' does not exist", 33);
      }
      if (it->second.carousel_item) {
        return GraphError(res, 400, 100, "(#100) A carousel item is published as part of its carousel", 2207001);
      }
      if (kit.core.clock().NowMs() < it->second.ready_ms) {
        return GraphError(res, 400, 9007, "Media ID is not available", 2207027);
      }
      container = it->second;
    }
    kit.Posting(req, res, [&] {
      // A container publishes once: a repeat answers with the first media.
      if (auto first = kit.core.FindByKey(Net::kInstagram, a->id, creation)) return Reply(res, 200, {{"id", first->id}});
      auto adm = kit.core.Charge(Net::kInstagram, a->id);
      if (!adm.ok) return GraphError(res, 400, 4, "(#4) Application request limit reached", 0, usage(*a, adm));
      auto p = kit.core.Accept(Net::kInstagram, a->id, container.caption, "", creation, container.media);
      Reply(res, 200, {{"id", p.id}}, usage(*a, adm));
    });
  });
  // Comments on a Page post ("<page>_<post>"), an Instagram media or a
  // comment: the object must exist; a comment is a post replying to it.
  auto object_of = [&kit](const std::string& id) -> std::optional<SimPost> {
    std::string local = id.substr(id.rfind('_') == std::string::npos ? 0 : id.rfind('_') + 1);
    for (Net net : {Net::kFacebook, Net::kInstagram}) {
      if (auto p = kit.core.Find(net, local)) return p;
    }
    return std::nullopt;
  };
  kit.server.Post(v + R"(/([0-9_]+)/comments)", [&kit, auth, object_of](const httplib::Request& req,
                                                                          httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    auto parent = object_of(req.matches[1]);
    if (!parent) {
      return GraphError(res, 400, 100, "(#100) Unsupported post request. Object with ID '" +
                                           std::string(req.matches[1]) + "' does not exist", 33);
    }
    if (parent->net == Net::kInstagram && !parent->in_reply_to_id.empty()) {
      // Instagram: a comment is answered through /{comment-id}/replies.
      return GraphError(res, 400, 100, "(#100) Unsupported post request. Object with ID '" +
                                           std::string(req.matches[1]) + "' does not support this operation", 33);
    }
    std::string message = Param(req, "message");
    if (message.empty()) return GraphError(res, 400, 100, "(#100) Missing message or attachment");
    kit.Posting(req, res, [&] {
      auto adm = kit.core.Charge(parent->net, a->id);
      if (!adm.ok) return GraphError(res, 400, parent->net == Net::kFacebook ? 32 : 4, "(#4) Request limit reached");
      auto c = kit.core.Accept(parent->net, a->id, message, parent->id, "");
      Reply(res, 200, {{"id", parent->net == Net::kFacebook ? parent->id + "_" + c.id : c.id}});
    });
  });
  kit.server.Get(v + R"(/([0-9_]+)/comments)", [&kit, auth, object_of](const httplib::Request& req,
                                                                         httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    auto parent = object_of(req.matches[1]);
    if (!parent) {
      return GraphError(res, 400, 100, "(#100) Object with ID '" + std::string(req.matches[1]) + "' does not exist", 33);
    }
    json data = json::array();
    size_t limit = Limit(req, "limit", 25, 100);
    for (const auto& c : kit.core.Replies(parent->net, parent->id, limit)) {
      data.push_back(parent->net == Net::kFacebook
                         ? json{{"id", parent->id + "_" + c.id}, {"message", c.text},
                                {"created_time", FormatRfc3339(c.created_ms)}, {"from", From(c)}}
                         : IgComment(c));
    }
    Reply(res, 200, {{"data", data}});
  });
  // Instagram replies to a top-level comment (one level deep, as Instagram allows).
  auto ig_comment = [&kit](const std::string& id) -> std::optional<SimPost> {
    auto c = kit.core.Find(Net::kInstagram, id);
    if (!c || c->in_reply_to_id.empty()) return std::nullopt;
    auto parent = kit.core.Find(Net::kInstagram, c->in_reply_to_id);
    if (!parent || !parent->in_reply_to_id.empty()) return std::nullopt;  // a reply takes no replies
    return c;
  };
  kit.server.Post(v + R"(/([0-9]+)/replies)", [&kit, auth, ig_comment](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    auto comment = ig_comment(req.matches[1]);
    if (!comment) {
      return GraphError(res, 400, 100, "(#100) Unsupported post request. Object with ID '" +
                                           std::string(req.matches[1]) + "' does not exist or takes no replies", 33);
    }
    std::string message = Param(req, "message");
    if (message.empty()) return GraphError(res, 400, 100, "(#100) Missing message");
    kit.Posting(req, res, [&] {
      auto adm = kit.core.Charge(Net::kInstagram, a->id);
      if (!adm.ok) return GraphError(res, 400, 4, "(#4) Request limit reached");
      Reply(res, 200, {{"id", kit.core.Accept(Net::kInstagram, a->id, message, comment->id, "").id}});
    });
  });
  kit.server.Get(v + R"(/([0-9]+)/replies)", [&kit, auth, ig_comment](const httplib::Request& req, httplib::Response& res) {
    if (!auth(req, res)) return;
    auto comment = ig_comment(req.matches[1]);
    if (!comment) return GraphError(res, 400, 100, "(#100) Object with ID '" + std::string(req.matches[1]) + "' does not exist", 33);
    json data = json::array();
    for (const auto& r : kit.core.Replies(Net::kInstagram, comment->id, Limit(req, "limit", 25, 100))) {
      data.push_back(IgComment(r));
    }
    Reply(res, 200, {{"data", data}});
  });
  // Metrics. A Page post's engagement as fields of the post (Graph's
  // summaries), an Instagram media's as lifetime insights; Graph leaves out
  // what it has no data for rather than answer 0.
  kit.server.Get(v + R"(/([0-9]+_[0-9]+))", [&kit, auth, object_of](const httplib::Request& req,
                                                                     httplib::Response& res) {
    if (!auth(req, res)) return;
    auto p = object_of(req.matches[1]);
    if (!p || p->net != Net::kFacebook) {
      return GraphError(res, 400, 100, "(#100) Object with ID '" + std::string(req.matches[1]) + "' does not exist", 33);
    }
    auto e = kit.core.EngagementOf(*p);
    Reply(res, 200, {{"id", std::string(req.matches[1])}, {"created_time", FormatRfc3339(p->created_ms)},
                     {"shares", {{"count", e.reposts}}},
                     {"reactions", {{"data", json::array()}, {"summary", {{"total_count", e.likes}}}}},
                     {"comments", {{"data", json::array()}, {"summary", {{"total_count", e.replies}}}}}});
  });
  kit.server.Get(v + R"(/([0-9]+)/insights)", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    if (!auth(req, res)) return;
    auto p = kit.core.Find(Net::kInstagram, req.matches[1]);
    if (!p || !p->in_reply_to_id.empty()) {
      return GraphError(res, 400, 100, "(#100) Object with ID '" + std::string(req.matches[1]) + "' does not exist", 33);
    }
    auto e = kit.core.EngagementOf(*p);
    const std::map<std::string, int64_t> known{{"views", e.impressions}, {"reach", e.impressions * 3 / 4},
                                               {"likes", e.likes},       {"comments", e.replies},
                                               {"shares", e.reposts},    {"saved", e.likes / 5}};
    json data = json::array();
    std::string list = req.get_param_value("metric");
    for (size_t start = 0; start <= list.size();) {
      size_t comma = std::min(list.find(',', start), list.size());
      std::string name = list.substr(start, comma - start);
      start = comma + 1;
      auto it = known.find(name);
      if (it == known.end()) {
        return GraphError(res, 400, 100, "(#100) metric[0] must be one of the following values: views, reach, "
                                         "likes, comments, shares, saved, total_interactions");
      }
      data.push_back({{"name", name}, {"period", "lifetime"}, {"values", {{{"value", it->second}}}},
                      {"id", p->id + "/insights/" + name + "/lifetime"}});
    }
    Reply(res, 200, {{"data", data}});
  });
  kit.server.Get(v + R"(/([0-9]+)/media)", [&kit, auth](const httplib::Request& req, httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    json data = json::array();
    int64_t since = std::atoll(req.get_param_value("since").c_str()) * 1000;
    for (const auto& p : kit.core.Recent(Net::kInstagram, req.matches[1], Limit(req, "limit", 25, 100), since)) {
      data.push_back({{"id", p.id}, {"caption", p.text}, {"permalink", kit.base + "/p/" + p.id},
                      {"timestamp", FormatRfc3339(p.created_ms)}});
    }
    Reply(res, 200, {{"data", data}});
  });
}

}  // namespace herald::sim
