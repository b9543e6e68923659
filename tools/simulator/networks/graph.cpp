// Meta Graph API (Facebook Pages, Instagram) under any /vNN.N/ prefix (Graph
// serves a retired version as the oldest live one). Parameters come as the
// documentation shows them — query string, form or JSON. Errors are
// {"error": {message, type, code, error_subcode, fbtrace_id}}; limits are
// error codes 32 (page) and 4 (app) with x-business-use-case-usage.
#include <mutex>

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
struct Containers {
  std::mutex mu;
  std::map<std::string, std::string> captions;
  std::map<std::string, int64_t> ready_at_ms;
  uint64_t next = 17900000000000000ULL;
};

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
    if (message.empty() && link.empty()) {
      return GraphError(res, 400, 100, "(#100) Invalid parameter", 1349125);
    }
    if (CodePoints(message) > MaxLength(Net::kFacebook)) return GraphError(res, 400, 100, "(#100) Message is too long");
    kit.Posting(req, res, [&] {
      auto adm = kit.core.Charge(Net::kFacebook, a->id);
      if (!adm.ok) return GraphError(res, 400, 32, "(#32) Page request limit reached", 0, usage(*a, adm));
      auto p = kit.core.Accept(Net::kFacebook, a->id, message, "", "");
      Reply(res, 200, {{"id", a->id + "_" + p.id}}, usage(*a, adm));
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
    if (Param(req, "image_url").empty() && Param(req, "video_url").empty()) {
      return GraphError(res, 400, 100, "(#100) The parameter image_url or video_url is required");
    }
    std::string caption = Param(req, "caption");
    if (CodePoints(caption) > MaxLength(Net::kInstagram)) {
      return GraphError(res, 400, 100, "(#100) The caption is too long", 2207010);
    }
    std::lock_guard lock(containers->mu);
    std::string id = std::to_string(++containers->next);
    containers->captions[id] = caption;
    containers->ready_at_ms[id] = kit.core.clock().NowMs() + kit.core.limit().ig_container_ready_ms;
    Reply(res, 200, {{"id", id}});
  });
  kit.server.Get(v + R"(/([0-9]{17,}))", [&kit, auth, containers](const httplib::Request& req, httplib::Response& res) {
    if (!auth(req, res)) return;
    std::lock_guard lock(containers->mu);
    auto it = containers->ready_at_ms.find(req.matches[1]);
    if (it == containers->ready_at_ms.end()) {
      return GraphError(res, 400, 100, "(#100) Object with ID '" + std::string(req.matches[1]) + "' does not exist", 33);
    }
    bool ready = kit.core.clock().NowMs() >= it->second;
    Reply(res, 200, {{"id", it->first}, {"status_code", ready ? "FINISHED" : "IN_PROGRESS"}});
  });
  kit.server.Post(v + R"(/([0-9]+)/media_publish)", [&kit, auth, usage, containers](const httplib::Request& req,
                                                                                     httplib::Response& res) {
    auto a = auth(req, res);
    if (!a) return;
    std::string creation = Param(req, "creation_id");
    std::string caption;
    {
      std::lock_guard lock(containers->mu);
      auto it = containers->captions.find(creation);
      if (it == containers->captions.end()) {
        return GraphError(res, 400, 100, "(#100) Unsupported post request. Object with ID '" + creation +
                                             "' does not exist", 33);
      }
      if (kit.core.clock().NowMs() < containers->ready_at_ms[creation]) {
        return GraphError(res, 400, 9007, "Media ID is not available", 2207027);
      }
      caption = it->second;
    }
    kit.Posting(req, res, [&] {
      // A container publishes once: a repeat answers with the first media.
      if (auto first = kit.core.FindByKey(Net::kInstagram, a->id, creation)) return Reply(res, 200, {{"id", first->id}});
      auto adm = kit.core.Charge(Net::kInstagram, a->id);
      if (!adm.ok) return GraphError(res, 400, 4, "(#4) Application request limit reached", 0, usage(*a, adm));
      auto p = kit.core.Accept(Net::kInstagram, a->id, caption, "", creation);
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
      data.push_back({{"id", parent->net == Net::kFacebook ? parent->id + "_" + c.id : c.id}, {"message", c.text},
                      {"created_time", FormatRfc3339(c.created_ms)}});
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
