// POST /_sim/inbound: people talk to an account. Body:
//   {"network": "mastodon"|"x"|"bluesky"|"facebook"|"instagram",
//    "to": username, "kind": "mention"|"reply"|"comment"|"dm",
//    "text": ... (omitted: made up with the mix's tones),
//    "author": handle, "language": "en", "parent_id": the post answered
//    (replies and comments; omitted: the account's newest post),
//    "count": 1..10000, "mix": {"positive", "neutral", "negative"}, "seed": N}
// → {"ids": [...]} — what listening should find, each exactly once.
#include <atomic>

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
    }
    Reply(res, 200, {{"ids", ids}});
  });
}

}  // namespace herald::sim
