#include "listener/inbox/conversation_store.h"

#include "common/log.h"
#include "listener/inbox_store.h"

namespace herald::listener {

namespace {

constexpr int64_t kOnceTtlSeconds = 24 * 3600;
constexpr int64_t kConversationTtlSeconds = 180LL * 24 * 3600;

std::string Tag(const std::string& ws) { return "lst:{" + ws + "}:"; }
std::string ConvKey(const std::string& ws, const std::string& id) { return Tag(ws) + "conv:" + id; }
std::string MsgsKey(const std::string& ws, const std::string& id) { return Tag(ws) + "msgs:" + id; }
const char* kTimerWorkspaces = "lst:inbox:timer-workspaces";
constexpr int kSamplesKept = 10000;
constexpr int64_t kSamplesTtlSeconds = 90LL * 24 * 3600;
const char* const kSlaTargets[] = {"first_response", "next_response", "resolution"};

std::string SamplesKey(const std::string& ws, const std::string& target, const std::string& day) {
  return Tag(ws) + "sla:" + target + ":" + day;
}


// KEYS: conv, msgs, convs, due, load, rr, seen, inbox, item, once, feed,
//       12-14 SLA sample lists (first response, next response, resolution)
// ARGV: 1 read version, 2 new version, 3 record, 4 message ("" none),
//       5 activity ms ("" keep), 6 timer ms ("0" none), 7 load minus, 8 load plus,
//       9 plus capacity ("0" unchecked), 10 rr last, 11 inbox item ("" none),
//       12 conversation id, 13 change ("": none to feed), 14 once value, 15 messages kept,
//       16 feed kept, 17 inbox cap, 18 done ttl s, 19 once ttl s, 20 conversation ttl s,
//       21-23 SLA samples ("" none), 24 samples kept, 25 samples ttl s
// Returns {"ok", feed id} | {"conflict"} | {"dup", first value} | {"full"}.
const RedisScript kCommit(R"lua(
if ARGV[14] ~= '' then
  local first = redis.call('GET', KEYS[10])
  if first then return {'dup', first} end
end
local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if v ~= tonumber(ARGV[1]) then return {'conflict'} end
if ARGV[9] ~= '0' then
  local open = tonumber(redis.call('HGET', KEYS[5], ARGV[8]) or '0')
  if open >= tonumber(ARGV[9]) then return {'full'} end
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'r', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[20])
if ARGV[4] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[4])
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[15]), -1)
  redis.call('EXPIRE', KEYS[2], ARGV[20])
end
if ARGV[5] ~= '' then redis.call('ZADD', KEYS[3], ARGV[5], ARGV[12]) end
if ARGV[6] == '0' then redis.call('ZREM', KEYS[4], ARGV[12]) else redis.call('ZADD', KEYS[4], ARGV[6], ARGV[12]) end
if ARGV[7] ~= '' then
  if tonumber(redis.call('HINCRBY', KEYS[5], ARGV[7], -1)) < 0 then redis.call('HSET', KEYS[5], ARGV[7], 0) end
end
if ARGV[8] ~= '' then redis.call('HINCRBY', KEYS[5], ARGV[8], 1) end
if ARGV[10] ~= '' then redis.call('SET', KEYS[6], ARGV[10]) end
if ARGV[11] ~= '' then
  redis.call('SET', KEYS[7], 'done', 'EX', ARGV[18])
  redis.call('LPUSH', KEYS[8], ARGV[11])
  redis.call('LTRIM', KEYS[8], 0, tonumber(ARGV[17]) - 1)
  redis.call('SET', KEYS[9], ARGV[11], 'EX', ARGV[18])
end
if ARGV[14] ~= '' then redis.call('SET', KEYS[10], ARGV[14], 'EX', ARGV[19]) end
for i = 0, 2 do
  if ARGV[21 + i] ~= '' then
    redis.call('LPUSH', KEYS[12 + i], ARGV[21 + i])
    redis.call('LTRIM', KEYS[12 + i], 0, tonumber(ARGV[24]) - 1)
    redis.call('EXPIRE', KEYS[12 + i], ARGV[25])
  end
end
if ARGV[13] == '' then return {'ok', ''} end
local id = redis.call('XADD', KEYS[11], 'MAXLEN', '~', ARGV[16], '*', 'c', ARGV[13])
return {'ok', id}
)lua");

}  // namespace

absl::StatusOr<ConversationStore::Loaded> ConversationStore::Load(const std::string& ws, const std::string& id) {
  auto r = redis_.Command({"HMGET", ConvKey(ws, id), "v", "r"});
  if (!r.ok()) return r.status();
  Loaded out;
  if (r->elements.size() != 2 || r->elements[0].is_nil()) return out;
  out.version = r->elements[0].AsInt();
  if (!out.record.ParseFromString(r->elements[1].str)) {
    return absl::DataLossError("conversation " + id + " is stored unreadable");
  }
  return out;
}

absl::StatusOr<ConversationStore::Committed> ConversationStore::Commit(const std::string& ws,
                                                                      const ConversationWrite& w) {
  const std::string& id = w.record.conversation().id();
  const std::string item_id = w.item ? w.item->id() : std::string("-");
  v1::ConversationRecord record = w.record;
  record.set_version(w.read_version + 1);
  v1::InboxChange change = w.change;
  *change.mutable_conversation() = record.conversation();
  std::string samples[3];
  for (const auto& sample : w.samples) {
    for (int i = 0; i < 3; ++i) {
      if (sample.target == kSlaTargets[i]) samples[i] = std::to_string(sample.ms) + (sample.met ? ":1" : ":0");
    }
  }
  const std::string day = w.day_utc.empty() ? "-" : w.day_utc;
  const std::string activity =
      w.message ? std::to_string(w.message->at().seconds() * 1000 + w.message->at().nanos() / 1000000) : "";
  auto r = redis_.Eval(
      kCommit,
      {ConvKey(ws, id), MsgsKey(ws, id), Tag(ws) + "convs", Tag(ws) + "due", Tag(ws) + "load", Tag(ws) + "rr",
       InboxStore::SeenKey(ws, item_id), InboxStore::InboxKey(ws), InboxStore::ItemKey(ws, item_id),
       Tag(ws) + "once:" + (w.once_key.empty() ? "-" : w.once_key), Tag(ws) + "feed",
       SamplesKey(ws, kSlaTargets[0], day), SamplesKey(ws, kSlaTargets[1], day), SamplesKey(ws, kSlaTargets[2], day)},
      {std::to_string(w.read_version), std::to_string(w.read_version + 1), record.SerializeAsString(),
       w.message ? w.message->SerializeAsString() : "", activity, std::to_string(w.timer_ms), w.load_minus, w.load_plus,
       std::to_string(w.plus_capacity), w.round_robin_last, w.item ? w.item->SerializeAsString() : "", id,
       change.kind() == v1::InboxChange::KIND_UNSPECIFIED ? "" : change.SerializeAsString(), w.once_key.empty() ? "" : w.once_value, std::to_string(kMaxMessagesKept),
       std::to_string(kFeedKept), std::to_string(InboxStore::kInboxCap), std::to_string(InboxStore::kDoneTtlSeconds),
       std::to_string(kOnceTtlSeconds), std::to_string(kConversationTtlSeconds), samples[0], samples[1], samples[2],
       std::to_string(kSamplesKept), std::to_string(kSamplesTtlSeconds)});
  if (!r.ok()) return r.status();
  Committed out;
  const std::string what = r->elements.empty() ? "" : r->elements[0].str;
  if (what == "ok" && r->elements.size() == 2) {
    out.token = r->elements[1].str;
  } else if (what == "conflict") {
    out.outcome = Outcome::kConflict;
  } else if (what == "full") {
    out.outcome = Outcome::kAgentFull;
  } else if (what == "dup" && r->elements.size() == 2) {
    out.outcome = Outcome::kDuplicate;
    out.once_value = r->elements[1].str;
  } else {
    return absl::InternalError("unexpected answer from the conversation commit script");
  }
  if (out.outcome == Outcome::kDone && w.timer_ms > 0) {
    // The write stands either way: a failure here is tried again by the
    // workspace's next timed write (it is not remembered as noted).
    if (auto s = NoteTimers(ws); !s.ok()) log::Warn("inbox timers not noted", {{"workspace_id", ws}, {"error", s.ToString()}});
  }
  return out;
}

absl::StatusOr<std::vector<v1::ConversationMessage>> ConversationStore::Messages(const std::string& ws,
                                                                                const std::string& id, int limit) {
  auto r = redis_.Command({"LRANGE", MsgsKey(ws, id), std::to_string(-limit), "-1"});
  if (!r.ok()) return r.status();
  std::vector<v1::ConversationMessage> out;
  out.reserve(r->elements.size());
  for (const auto& e : r->elements) {
    v1::ConversationMessage m;
    if (m.ParseFromString(e.str)) out.push_back(std::move(m));
  }
  return out;
}

absl::StatusOr<ConversationStore::Page> ConversationStore::List(
    const std::string& ws, int64_t offset, int want, const std::function<bool(const v1::Conversation&)>& keep) {
  constexpr int kChunk = 200, kMaxScanned = 5000;
  Page page;
  int64_t at = offset;
  for (int scanned = 0; scanned < kMaxScanned && static_cast<int>(page.records.size()) < want;) {
    auto ids = redis_.Command({"ZREVRANGE", Tag(ws) + "convs", std::to_string(at), std::to_string(at + kChunk - 1)});
    if (!ids.ok()) return ids.status();
    if (ids->elements.empty()) return page;  // the end: next_offset stays -1
    std::vector<RedisClient::Args> gets;
    for (const auto& e : ids->elements) gets.push_back({"HGET", ConvKey(ws, e.str), "r"});
    auto records = redis_.Pipeline(gets);
    if (!records.ok()) return records.status();
    for (size_t i = 0; i < records->size(); ++i) {
      ++at;
      ++scanned;
      v1::ConversationRecord rec;
      if ((*records)[i].is_nil() || !rec.ParseFromString((*records)[i].str)) continue;  // expired
      if (!keep(rec.conversation())) continue;
      page.records.push_back(std::move(rec));
      if (static_cast<int>(page.records.size()) == want) break;
    }
    if (static_cast<int>(page.records.size()) == want) break;
    if (static_cast<int>(ids->elements.size()) < kChunk) return page;  // read to the end
  }
  page.next_offset = at;
  return page;
}

absl::Status ConversationStore::Postpone(const std::string& ws, const std::string& id, int64_t at_ms) {
  auto r = redis_.Command({"ZADD", Tag(ws) + "due", "XX", std::to_string(at_ms), id});
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::Status ConversationStore::ClearTimer(const std::string& ws, const std::string& id) {
  auto r = redis_.Command({"ZREM", Tag(ws) + "due", id});
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::StatusOr<std::vector<std::string>> ConversationStore::Due(const std::string& ws, int64_t now_ms, int limit) {
  auto r = redis_.Command(
      {"ZRANGEBYSCORE", Tag(ws) + "due", "-inf", std::to_string(now_ms), "LIMIT", "0", std::to_string(limit)});
  if (!r.ok()) return r.status();
  std::vector<std::string> out;
  for (const auto& e : r->elements) out.push_back(e.str);
  return out;
}

absl::Status ConversationStore::NoteTimers(const std::string& ws) {
  {
    std::lock_guard lock(mu_);
    if (noted_.count(ws)) return absl::OkStatus();
  }
  auto r = redis_.Command({"SADD", kTimerWorkspaces, ws});
  if (!r.ok()) return r.status();
  std::lock_guard lock(mu_);
  if (noted_.size() < 100000) noted_.insert(ws);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ConversationStore::WorkspacesWithTimers() {
  auto r = redis_.Command({"SMEMBERS", kTimerWorkspaces});
  if (!r.ok()) return r.status();
  std::vector<std::string> out;
  for (const auto& e : r->elements) out.push_back(e.str);
  return out;
}

absl::StatusOr<std::pair<std::string, std::map<std::string, int>>> ConversationStore::Loads(const std::string& ws) {
  auto r = redis_.Pipeline({{"GET", Tag(ws) + "rr"}, {"HGETALL", Tag(ws) + "load"}});
  if (!r.ok()) return r.status();
  std::pair<std::string, std::map<std::string, int>> out;
  out.first = (*r)[0].is_nil() ? "" : (*r)[0].str;
  const auto& h = (*r)[1].elements;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.second[h[i].str] = static_cast<int>(h[i + 1].AsInt());
  return out;
}

absl::StatusOr<std::vector<std::pair<int64_t, bool>>> ConversationStore::SlaSamples(const std::string& ws,
                                                                                     const std::string& target,
                                                                                     const std::string& day) {
  auto r = redis_.Command({"LRANGE", SamplesKey(ws, target, day), "0", "-1"});
  if (!r.ok()) return r.status();
  std::vector<std::pair<int64_t, bool>> out;
  out.reserve(r->elements.size());
  for (const auto& e : r->elements) {
    auto colon = e.str.find(':');
    if (colon == std::string::npos) continue;
    out.emplace_back(std::atoll(e.str.substr(0, colon).c_str()), e.str.substr(colon + 1) == "1");
  }
  return out;
}

absl::StatusOr<std::optional<std::string>> ConversationStore::Once(const std::string& ws, const std::string& key) {
  auto r = redis_.Command({"GET", Tag(ws) + "once:" + key});
  if (!r.ok()) return r.status();
  if (r->is_nil()) return std::optional<std::string>();
  return std::optional<std::string>(r->str);
}

}  // namespace herald::listener
