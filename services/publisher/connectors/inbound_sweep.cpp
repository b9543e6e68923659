#include "publisher/connectors/inbound_sweep.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/ids.h"

namespace herald::publisher {
namespace {

bool IsDecimal(const std::string& s) {
  return !s.empty() && s.size() <= 40 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool KeyAfter(const std::string& a, const std::string& b) {
  if (IsDecimal(a) && IsDecimal(b) && a.size() != b.size()) return a.size() > b.size();
  return a > b;
}

std::string EncodeCursor(const SweepCursor& c) {
  if (c.floor.empty() && c.top.empty() && c.page.empty()) return "";
  nlohmann::json j = {{"v", 1}, {"f", c.floor}};
  if (!c.floor_ids.empty()) j["fi"] = c.floor_ids;
  if (!c.top.empty()) j["t"] = c.top;
  if (!c.top_ids.empty()) j["ti"] = c.top_ids;
  if (!c.page.empty()) j["p"] = c.page;
  std::string out = j.dump();
  if (out.size() <= kMaxCursorBytes) return out;
  // Too long to carry: forget the ids at the top, then at the floor (items
  // that share those keys are read again), and last the network's page token
  // (the sweep restarts). At worst items are read twice, never skipped.
  if (!c.top_ids.empty()) return EncodeCursor({c.floor, c.floor_ids, c.top, {}, c.page});
  if (!c.floor_ids.empty()) return EncodeCursor({c.floor, {}, c.top, {}, c.page});
  return EncodeCursor({c.floor, {}, "", {}, ""});
}

absl::StatusOr<SweepCursor> DecodeCursor(std::string_view text) {
  if (text.empty()) return SweepCursor{};
  if (text.size() > kMaxCursorBytes) return absl::InvalidArgumentError("cursor: longer than 1,024 bytes");
  auto j = nlohmann::json::parse(text, nullptr, false);
  auto bad = [] {
    return absl::InvalidArgumentError("cursor: not one this gateway gave out (pass next_cursor back as it came)");
  };
  if (j.is_discarded() || !j.is_object() || !j.contains("v") || j["v"] != 1 || !j.contains("f") || !j["f"].is_string()) {
    return bad();
  }
  SweepCursor c;
  auto str = [&](const char* k, std::string& out) {
    if (!j.contains(k)) return true;
    if (!j[k].is_string()) return false;
    out = j[k].get<std::string>();
    return true;
  };
  auto ids = [&](const char* k, std::vector<std::string>& out) {
    if (!j.contains(k)) return true;
    if (!j[k].is_array() || j[k].size() > kMaxIdsPerKey) return false;
    for (const auto& id : j[k]) {
      if (!id.is_string()) return false;
      out.push_back(id.get<std::string>());
    }
    return true;
  };
  if (!str("f", c.floor) || !str("t", c.top) || !str("p", c.page) || !ids("fi", c.floor_ids) || !ids("ti", c.top_ids)) {
    return bad();
  }
  return c;
}

bool BeginRead(const InboundQuery& query, SweepCursor* cursor, InboundRead* read) {
  auto decoded = DecodeCursor(query.cursor);
  if (!decoded.ok()) {
    read->status = decoded.status();
    return false;
  }
  *cursor = *std::move(decoded);
  return true;
}

namespace {

// Ids are remembered by a 64-bit hash: a Bluesky uri is ~70 bytes, its
// hash 16, and twenty of them must fit in a cursor.
std::string IdMark(const std::string& id) {
  uint64_t h = StableHash(id);
  return ToHex(std::string_view(reinterpret_cast<const char*>(&h), sizeof h));
}

bool Has(const std::vector<std::string>& marks, const std::string& id) {
  return std::find(marks.begin(), marks.end(), IdMark(id)) != marks.end();
}

// Raises (key, ids) to the item when it is newer; adds its id when level.
void Track(std::string& key, std::vector<std::string>& ids, const InboundPost& item) {
  if (key.empty() || KeyAfter(item.order_key, key)) {
    key = item.order_key;
    ids = {IdMark(item.remote_id)};
  } else if (item.order_key == key && !Has(ids, item.remote_id) && ids.size() < kMaxIdsPerKey) {
    ids.push_back(IdMark(item.remote_id));
  }
}

}  // namespace

InboundPage SweepPage(const SweepCursor& cursor, std::vector<InboundPost> newest_first,
                      const std::string& next_page_token) {
  InboundPage out;
  std::string top = cursor.top;
  std::vector<std::string> top_ids = cursor.top_ids;
  bool reached_floor = false;
  for (auto& item : newest_first) {
    Track(top, top_ids, item);
    const bool below = !cursor.floor.empty() && KeyAfter(cursor.floor, item.order_key);
    const bool at = !cursor.floor.empty() && item.order_key == cursor.floor;
    const bool delivered = below || (at && Has(cursor.floor_ids, item.remote_id));
    if (delivered) {
      reached_floor = true;
      continue;
    }
    out.items.push_back(std::move(item));
  }
  std::reverse(out.items.begin(), out.items.end());
  // The first read ever takes one page; a sweep ends at the floor or at the
  // listing's end.
  SweepCursor next;
  if (cursor.floor.empty() || reached_floor || next_page_token.empty()) {
    next.floor = cursor.floor;
    next.floor_ids = cursor.floor_ids;
    if (top.empty() && next.floor.empty()) {
      // The listing was empty when listening began: everything after is
      // new. "0" sorts below every id and every time.
      next.floor.assign(1, kEmptyListingFloor);
    } else if (!top.empty() && (next.floor.empty() || KeyAfter(top, next.floor))) {
      next.floor = top;
      next.floor_ids = top_ids;
    } else if (top == next.floor) {
      for (const auto& mark : top_ids) {
        if (std::find(next.floor_ids.begin(), next.floor_ids.end(), mark) == next.floor_ids.end() &&
            next.floor_ids.size() < kMaxIdsPerKey) {
          next.floor_ids.push_back(mark);
        }
      }
    }
  } else {
    next = {cursor.floor, cursor.floor_ids, top, top_ids, next_page_token};
    out.more = true;
  }
  out.next_cursor = EncodeCursor(next);
  return out;
}

}  // namespace herald::publisher
