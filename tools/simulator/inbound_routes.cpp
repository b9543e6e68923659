// POST /_sim/inbound: people talk to an account. Body:
//   {"network": "mastodon"|"x"|"bluesky"|"facebook"|"instagram",
//    "to": username, "kind": "mention"|"reply"|"comment"|"dm",
//    "text": ... (omitted: made up with the mix's tones),
//    "author": handle, "language": "en", "parent_id": the post answered
//    (replies and comments; omitted: the account's newest post),
//    "count": 1..10000, "mix": {"positive", "neutral", "negative"}, "seed": N,
//    "webhook_url": also deliver them there as the network's own webhook
//    would (Meta: X-Hub-Signature-256; X: Account Activity with
//    x-twitter-webhooks-signature), signed with "secret"}
// → {"ids": [...], "webhook_status": ...} — what listening should find, each once.
#include <atomic>
#include <ctime>

#include "common/hmac.h"
#include "common/http_client.h"
#include "common/time_util.h"

#include "simulator/chatter.h"
#include "simulator/route_kit.h"

namespace herald::sim {
namespace {

using nlohmann::json;

std::optional<Net> NetOf(const std::string& name) {
  for (Net n : {Net::kMastodon, Net::kX, Net::kBluesky, Net::kFacebook, Net::kInstagram}) {
    if (name == NetName(n)) return n;
  }
  return std::nullopt;
}

double Num(const json& j, const char* k, double fallback) {
  return j.is_object() && j.contains(k) && j[k].is_number() ? j[k].get<double>() : fallback;
}

// The items as one delivery of the network's own webhook.
json WebhookBody(const SimCore& core, Net net, const Account& to, const std::vector<SimPost>& items) {
  const int64_t now_s = core.clock().NowMs() / 1000;
  if (net == Net::kX) {
    json tweets = json::array(), dms = json::array(), users = json::object();
    for (const auto& p : items) {
      std::string author = OutsiderNumericId(p.author_handle);
      users[author] = {{"id", author}, {"screen_name", p.author_handle}};
      if (p.kind == "dm") {
        dms.push_back({{"type", "message_create"}, {"id", p.id}, {"created_timestamp", std::to_string(p.created_ms)},
                       {"message_create", {{"target", {{"recipient_id", to.id}}}, {"sender_id", author},
                                           {"message_data", {{"text", p.text}}}}}});
        continue;
      }
      std::time_t secs = p.created_ms / 1000;
      std::tm tm{};
      gmtime_r(&secs, &tm);
      char created[40];
      std::strftime(created, sizeof created, "%a %b %d %H:%M:%S +0000 %Y", &tm);
      auto parent = p.in_reply_to_id.empty() ? std::nullopt : core.Find(Net::kX, p.in_reply_to_id);
      tweets.push_back({{"id_str", p.id}, {"text", p.text}, {"created_at", created}, {"lang", p.language},
                        {"user", {{"id_str", author}, {"screen_name", p.author_handle}}},
                        {"in_reply_to_status_id_str", p.in_reply_to_id.empty() ? json(nullptr) : json(p.in_reply_to_id)},
                        {"in_reply_to_user_id_str", parent ? json(parent->account_id) : json(nullptr)}});
    }
    json body = {{"for_user_id", to.id}, {"users", users}};
    if (!tweets.empty()) body["tweet_create_events"] = tweets;
    if (!dms.empty()) body["direct_message_events"] = dms;
    return body;
  }
  json changes = json::array();
  for (const auto& p : items) {
    json from = {{"id", OutsiderNumericId(p.author_handle)}, {"name", p.author_handle}, {"username", p.author_handle}};
    if (net == Net::kFacebook) {
      changes.push_back({{"field", "feed"},
                         {"value", {{"item", "comment"}, {"verb", "add"}, {"comment_id", p.in_reply_to_id + "_" + p.id},
                                    {"post_id", to.id + "_" + p.in_reply_to_id}, {"message", p.text},
                                    {"from", from}, {"created_time", p.created_ms / 1000}}}});
    } else {
      changes.push_back({{"field", "comments"},
                         {"value", {{"id", p.id}, {"text", p.text}, {"from", from}, {"media", {{"id", p.in_reply_to_id}}}}}});
    }
  }
  return {{"object", net == Net::kFacebook ? "page" : "instagram"},
          {"entry", json::array({{{"id", to.id}, {"time", now_s}, {"changes", changes}}})}};
}

}  // namespace

SimPost AddChatter(SimCore& core, Net net, const Account& to, const std::string& kind, const ToneMix& mix,
                   uint64_t seed, const std::string& parent_id) {
  InboundSpec spec;
  spec.to_account_id = to.id;
  spec.kind = kind;
  spec.author_handle = ChatterAuthor(seed);
  spec.text = ChatterText(PickTone(mix, static_cast<double>(seed % 1000) / 1000.0), "@" + to.username, seed);
  spec.parent_id = parent_id;
  return core.AddInbound(net, spec);
}

void AddInboundRoutes(RouteKit& kit) {
  kit.server.Post("/_sim/inbound", [&kit](const httplib::Request& req, httplib::Response& res) {
    json in = Body(req);
    if (!in.is_object()) return Reply(res, 400, {{"error", "malformed JSON"}});
    auto net = NetOf(Str(in, "network"));
    if (!net) return Reply(res, 400, {{"error", "network: want mastodon, x, bluesky, facebook or instagram"}});
    auto to = kit.core.ByUsername(Str(in, "to"));
    if (!to) return Reply(res, 404, {{"error", "to: no such username"}});
    bool graph = *net == Net::kFacebook || *net == Net::kInstagram;
    std::string kind = in.contains("kind") ? Str(in, "kind") : graph ? "comment" : "mention";
    if (kind != "mention" && kind != "reply" && kind != "comment" && kind != "dm") {
      return Reply(res, 400, {{"error", "kind: want mention, reply, comment or dm"}});
    }
    if (graph && kind != "comment") return Reply(res, 400, {{"error", "kind: Facebook and Instagram take comments"}});
    double count = Num(in, "count", 1);
    if (count < 1 || count > 10000) return Reply(res, 400, {{"error", "count: 1 to 10000"}});
    std::string parent = Str(in, "parent_id");
    if (parent.rfind("at://", 0) == 0) {  // Bluesky names posts by uri
      auto found = kit.core.FindByRecordKey(*net, parent.substr(parent.rfind('/') + 1));
      if (!found) return Reply(res, 404, {{"error", "parent_id: no such post"}});
      parent = found->id;
    }
    // Facebook names a Page's posts <page>_<post>.
    if (*net == Net::kFacebook && parent.find('_') != std::string::npos) parent = parent.substr(parent.rfind('_') + 1);
    if (parent.empty() && (kind == "reply" || kind == "comment")) {
      auto newest = kit.core.Recent(*net, to->id, 1);
      if (newest.empty()) return Reply(res, 400, {{"error", "parent_id: the account has no post to answer"}});
      parent = newest.front().id;
    }
    if (!parent.empty() && !kit.core.Find(*net, parent)) return Reply(res, 404, {{"error", "parent_id: no such post"}});
    ToneMix mix;
    if (in.contains("mix")) {
      mix = {Num(in["mix"], "positive", 0), Num(in["mix"], "neutral", 0), Num(in["mix"], "negative", 0)};
    }
    static std::atomic<uint64_t> next_seed{1};
    uint64_t seed = static_cast<uint64_t>(Num(in, "seed", static_cast<double>(next_seed.fetch_add(100000))));
    json ids = json::array();
    std::vector<SimPost> made;
    for (int i = 0; i < static_cast<int>(count); ++i) {
      SimPost p;
      if (in.contains("text")) {
        InboundSpec spec;
        spec.to_account_id = to->id;
        spec.kind = kind;
        spec.author_handle = in.contains("author") ? Str(in, "author") : ChatterAuthor(seed + i);
        spec.text = Str(in, "text");
        spec.language = in.contains("language") ? Str(in, "language") : "en";
        spec.parent_id = parent;
        p = kit.core.AddInbound(*net, spec);
      } else {
        p = AddChatter(kit.core, *net, *to, kind, mix, seed + i, parent);
      }
      ids.push_back(p.id);
      made.push_back(std::move(p));
    }
    json out = {{"ids", ids}};
    if (in.contains("webhook_url")) {
      if (*net != Net::kX && *net != Net::kFacebook && *net != Net::kInstagram) {
        return Reply(res, 400, {{"error", "webhook_url: Meta's and X's webhooks (Mastodon's go through /_sim/mention)"}});
      }
      std::string body = WebhookBody(kit.core, *net, *to, made).dump();
      HttpRequest hook;
      hook.method = "POST";
      hook.url = Str(in, "webhook_url");
      hook.body = body;
      std::string secret = in.contains("secret") ? Str(in, "secret") : *net == Net::kX ? "dev-x-consumer-secret"
                                                                                       : "dev-meta-app-secret";
      hook.headers = {{"Content-Type", "application/json"},
                      *net == Net::kX ? std::pair<std::string, std::string>{"x-twitter-webhooks-signature",
                                                                            Base64SignatureHeader(secret, body)}
                                      : std::pair<std::string, std::string>{"X-Hub-Signature-256", SignatureHeader(secret, body)}};
      auto sent = SendHttp(hook);
      if (!sent.ok()) return Reply(res, 502, {{"error", sent.status().ToString()}, {"ids", ids}});
      out["webhook_status"] = sent->status;
      out["webhook_body"] = sent->body;
    }
    Reply(res, 200, out);
  });
}

}  // namespace herald::sim
