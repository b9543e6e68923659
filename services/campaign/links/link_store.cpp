#include "campaign/links/link_store.h"

#include "common/time_util.h"

namespace herald::campaign {
namespace {

std::string CodeKey(const std::string& code) { return "lnk:c:{" + code + "}"; }
std::string IdentityKey(const std::string& ws, const std::string& identity) { return "lnk:w:{" + ws + "}:i:" + identity; }
std::string ListKey(const std::string& ws, const std::string& campaign) { return "lnk:w:{" + ws + "}:k:" + campaign; }

// KEYS: identity, list. ARGV: code, list member. Returns the identity's code
// (ours when it was free).
const RedisScript kName(R"lua(
local taken = redis.call('GET', KEYS[1])
if taken then return taken end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], 0, ARGV[2])
return ARGV[1]
)lua");

absl::StatusOr<v1::TrackedLink> Parse(const std::string& bytes) {
  v1::TrackedLink l;
  if (!l.ParseFromString(bytes)) return absl::DataLossError("stored link does not parse");
  return l;
}

}  // namespace

absl::StatusOr<std::optional<v1::TrackedLink>> LinkStore::FindByIdentity(const std::string& ws,
                                                                         const std::string& identity) {
  auto code = redis_.Command({"GET", IdentityKey(ws, identity)});
  if (!code.ok()) return code.status();
  if (code->is_nil()) return std::optional<v1::TrackedLink>();
  return Get(code->str);
}

absl::StatusOr<std::optional<v1::TrackedLink>> LinkStore::Create(const v1::TrackedLink& link,
                                                                 const std::string& identity) {
  auto set = redis_.Command({"SET", CodeKey(link.code()), link.SerializeAsString(), "NX"});
  if (!set.ok()) return set.status();
  if (set->is_nil()) return std::optional<v1::TrackedLink>();  // code taken
  std::string ms = std::to_string(ToMs(link.create_time()));
  std::string member = std::string(ms.size() < 13 ? 13 - ms.size() : 0, '0') + ms + ":" + link.code();
  auto named = redis_.Eval(kName, {IdentityKey(link.workspace_id(), identity), ListKey(link.workspace_id(), link.campaign_id())},
                           {link.code(), member});
  if (!named.ok()) return named.status();
  if (named->is_error()) return absl::InternalError("name link: " + named->str);
  if (named->str == link.code()) return std::optional<v1::TrackedLink>(link);
  // A concurrent create of the same link won: ours is a code nothing names.
  (void)redis_.Command({"DEL", CodeKey(link.code())});
  auto winner = Get(named->str);
  if (!winner.ok()) return winner.status();
  if (!*winner) return absl::InternalError("link identity names a missing code");
  return winner;
}

absl::StatusOr<std::optional<v1::TrackedLink>> LinkStore::Get(const std::string& code) {
  auto r = redis_.Command({"GET", CodeKey(code)});
  if (!r.ok()) return r.status();
  if (r->is_nil()) return std::optional<v1::TrackedLink>();
  auto l = Parse(r->str);
  if (!l.ok()) return l.status();
  return std::optional<v1::TrackedLink>(std::move(*l));
}

absl::StatusOr<LinkStore::Page> LinkStore::List(const std::string& ws, const std::string& campaign, size_t limit,
                                                const std::string& after) {
  auto r = redis_.Command({"ZRANGEBYLEX", ListKey(ws, campaign), after.empty() ? "-" : "(" + after, "+", "LIMIT", "0",
                           std::to_string(limit)});
  if (!r.ok()) return r.status();
  Page page;
  std::vector<RedisClient::Args> gets;
  for (const auto& m : r->elements) gets.push_back({"GET", CodeKey(m.str.substr(m.str.find(':') + 1))});
  if (!r->elements.empty() && r->elements.size() == limit) page.next = r->elements.back().str;
  if (gets.empty()) return page;
  auto bodies = redis_.Pipeline(gets);
  if (!bodies.ok()) return bodies.status();
  for (const auto& b : *bodies) {
    if (b.is_nil()) continue;
    auto l = Parse(b.str);
    if (!l.ok()) return l.status();
    page.links.push_back(std::move(*l));
  }
  return page;
}

absl::StatusOr<bool> LinkStore::RecordClick(const std::string& code, const std::string& ip_hash, int64_t window_ms,
                                            const std::string& click_id, const std::string& click,
                                            int64_t retention_ms) {
  auto r = redis_.Pipeline({{"SET", CodeKey(code) + ":r:" + ip_hash, "1", "NX", "PX", std::to_string(window_ms)},
                            {"SET", "lnk:k:{" + click_id + "}", click, "PX", std::to_string(retention_ms)}});
  if (!r.ok()) return r.status();
  if (r->size() != 2 || (*r)[1].is_error()) return absl::UnavailableError("keeping the click failed");
  return !(*r)[0].is_nil();
}

absl::StatusOr<std::optional<std::string>> LinkStore::FindClick(const std::string& click_id) {
  auto r = redis_.Command({"GET", "lnk:k:{" + click_id + "}"});
  if (!r.ok()) return r.status();
  if (r->is_nil()) return std::optional<std::string>();
  return std::optional<std::string>(r->str);
}

absl::StatusOr<std::vector<std::optional<std::string>>> LinkStore::FindClicks(
    const std::vector<std::string>& click_ids) {
  std::vector<std::optional<std::string>> out(click_ids.size());
  if (click_ids.empty()) return out;
  // One key per click (each its own slot): a pipeline of GETs, not an MGET.
  std::vector<RedisClient::Args> gets;
  for (const auto& id : click_ids) gets.push_back({"GET", "lnk:k:{" + id + "}"});
  auto r = redis_.Pipeline(gets);
  if (!r.ok()) return r.status();
  for (size_t i = 0; i < click_ids.size(); ++i) {
    if ((*r)[i].is_error()) return absl::InternalError("read click: " + (*r)[i].str);
    if (!(*r)[i].is_nil()) out[i] = (*r)[i].str;
  }
  return out;
}

absl::StatusOr<bool> LinkStore::FirstClick(const std::string& code, const std::string& ip_hash, int64_t window_ms) {
  auto r = redis_.Command({"SET", CodeKey(code) + ":r:" + ip_hash, "1", "NX", "PX", std::to_string(window_ms)});
  if (!r.ok()) return r.status();
  return !r->is_nil();
}

}  // namespace herald::campaign
