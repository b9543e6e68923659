#include "listener/inbox_store.h"

namespace herald::listener {
namespace {

// KEYS: seen. ARGV: pending ttl ms. Returns "new", "pending" or "done".
const RedisScript kClaim(R"lua(
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], 'pending', 'PX', ARGV[1])
return 'new'
)lua");

// KEYS: seen, inbox, item. ARGV: item, cap, done ttl seconds
const RedisScript kComplete(R"lua(
redis.call('SET', KEYS[1], 'done', 'EX', ARGV[3])
redis.call('LPUSH', KEYS[2], ARGV[1])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[2]) - 1)
redis.call('SET', KEYS[3], ARGV[1], 'EX', ARGV[3])
return 1
)lua");

std::string Seen(const std::string& ws, const std::string& id) { return InboxStore::SeenKey(ws, id); }
std::string Inbox(const std::string& ws) { return InboxStore::InboxKey(ws); }

}  // namespace

std::string InboxStore::SeenKey(const std::string& ws, const std::string& id) { return "lst:{" + ws + "}:seen:" + id; }
std::string InboxStore::InboxKey(const std::string& ws) { return "lst:{" + ws + "}:inbox"; }
std::string InboxStore::ItemKey(const std::string& ws, const std::string& id) { return "lst:{" + ws + "}:item:" + id; }

absl::StatusOr<InboxStore::Claim> InboxStore::ClaimMention(const std::string& ws, const std::string& id) {
  auto r = redis_.Eval(kClaim, {Seen(ws, id)}, {std::to_string(claim_ttl_ms_)});
  if (!r.ok()) return r.status();
  if (r->str == "new") return Claim::kNew;
  if (r->str == "pending") return Claim::kPending;
  return Claim::kDone;
}

absl::Status InboxStore::Complete(const std::string& ws, const herald::listener::v1::InboxItem& item) {
  auto r = redis_.Eval(kComplete, {Seen(ws, item.id()), Inbox(ws), ItemKey(ws, item.id())},
                       {item.SerializeAsString(), std::to_string(kInboxCap), std::to_string(kDoneTtlSeconds)});
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::Status InboxStore::Release(const std::string& ws, const std::string& id) {
  auto r = redis_.Command({"DEL", Seen(ws, id)});
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::StatusOr<std::vector<herald::listener::v1::InboxItem>> InboxStore::List(const std::string& ws, int limit) {
  auto r = redis_.Command({"LRANGE", Inbox(ws), "0", std::to_string(limit - 1)});
  if (!r.ok()) return r.status();
  std::vector<herald::listener::v1::InboxItem> out;
  for (const auto& e : r->elements) {
    herald::listener::v1::InboxItem item;
    if (item.ParseFromString(e.str)) out.push_back(std::move(item));
  }
  return out;
}

absl::StatusOr<herald::listener::v1::InboxItem> InboxStore::Find(const std::string& ws, const std::string& item_id) {
  auto by_id = redis_.Command({"GET", ItemKey(ws, item_id)});
  if (!by_id.ok()) return by_id.status();
  if (!by_id->is_nil()) {
    herald::listener::v1::InboxItem item;
    if (item.ParseFromString(by_id->str)) return item;
  }
  // Stored before items were kept by id: the inbox is capped, so a scan is bounded.
  auto items = List(ws, 1 << 20);
  if (!items.ok()) return items.status();
  for (auto& item : *items) {
    if (item.id() == item_id) return std::move(item);
  }
  return absl::NotFoundError("inbox item " + item_id + " not found");
}

}  // namespace herald::listener
