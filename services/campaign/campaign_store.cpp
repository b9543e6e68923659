#include "campaign/campaign_store.h"

#include "common/time_util.h"

namespace herald::campaign {
namespace {

using herald::campaign::v1::Campaign;

// KEYS: campaign, list. ARGV: body, list member. {1} stored, {0, body} exists.
const RedisScript kCreate(R"lua(
local existing = redis.call('HGET', KEYS[1], 'b')
if existing then return {0, existing} end
redis.call('HSET', KEYS[1], 'v', 1, 'b', ARGV[1])
redis.call('ZADD', KEYS[2], 0, ARGV[2])
return {1}
)lua");

// KEYS: campaign, list. ARGV: list member. Deletes only an unchanged campaign.
const RedisScript kDelete(R"lua(
if redis.call('HGET', KEYS[1], 'v') ~= '1' then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
)lua");

// KEYS: campaign. ARGV: expected version, new version, body. 1 written,
// 0 the version moved, -1 no such campaign.
const RedisScript kReplace(R"lua(
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return -1 end
if v ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'b', ARGV[3])
return 1
)lua");

std::string ListMember(const Campaign& c) {
  std::string ms = std::to_string(std::max<int64_t>(0, ToMs(c.create_time())));
  return std::string(ms.size() < 13 ? 13 - ms.size() : 0, '0') + ms + ":" + c.id();
}

absl::StatusOr<Campaign> Parse(const std::string& bytes) {
  Campaign c;
  if (!c.ParseFromString(bytes)) return absl::DataLossError("stored campaign does not parse");
  return c;
}

}  // namespace

absl::StatusOr<Campaign> CampaignStore::Create(const Campaign& c) {
  auto r = redis_.Eval(kCreate, {Key(c.workspace_id(), c.id()), ListKey(c.workspace_id())},
                       {c.SerializeAsString(), ListMember(c)});
  if (!r.ok()) return r.status();
  if (r->is_error() || r->elements.empty()) return absl::InternalError("create campaign: " + r->str);
  if (r->elements[0].AsInt() == 1) return c;
  return Parse(r->elements.size() > 1 ? r->elements[1].str : "");
}

absl::Status CampaignStore::Delete(const std::string& ws, const std::string& id) {
  auto current = Get(ws, id);
  if (!current.ok()) return absl::IsNotFound(current.status()) ? absl::OkStatus() : current.status();
  auto r = redis_.Eval(kDelete, {Key(ws, id), ListKey(ws)}, {ListMember(*current)});
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::StatusOr<Campaign> CampaignStore::Get(const std::string& ws, const std::string& id) {
  auto r = redis_.Command({"HGET", Key(ws, id), "b"});
  if (!r.ok()) return r.status();
  if (r->is_nil()) return absl::NotFoundError("campaign " + id + " not found");
  return Parse(r->str);
}

absl::Status CampaignStore::Replace(const Campaign& c, int64_t expected_version) {
  auto r = redis_.Eval(kReplace, {Key(c.workspace_id(), c.id())},
                       {std::to_string(expected_version), std::to_string(c.version()), c.SerializeAsString()});
  if (!r.ok()) return r.status();
  if (r->is_error()) return absl::InternalError("replace campaign: " + r->str);
  if (r->AsInt() < 0) return absl::NotFoundError("campaign " + c.id() + " not found");
  if (r->AsInt() == 0) return absl::AbortedError("campaign " + c.id() + " changed meanwhile (version moved)");
  return absl::OkStatus();
}

absl::StatusOr<CampaignStore::Page> CampaignStore::List(const std::string& ws, size_t limit, const std::string& after) {
  std::string from = after.empty() ? "+" : "(" + after;
  auto r = redis_.Command({"ZREVRANGEBYLEX", ListKey(ws), from, "-", "LIMIT", "0", std::to_string(limit)});
  if (!r.ok()) return r.status();
  Page page;
  std::vector<RedisClient::Args> gets;
  for (const auto& m : r->elements) {
    gets.push_back({"HGET", Key(ws, m.str.substr(m.str.find(':') + 1)), "b"});
  }
  if (!r->elements.empty() && r->elements.size() == limit) page.next = r->elements.back().str;
  if (gets.empty()) return page;
  auto bodies = redis_.Pipeline(gets);
  if (!bodies.ok()) return bodies.status();
  for (const auto& b : *bodies) {
    if (b.is_nil()) continue;
    auto c = Parse(b.str);
    if (!c.ok()) return c.status();
    page.campaigns.push_back(std::move(*c));
  }
  return page;
}

}  // namespace herald::campaign
