#include "campaign/audiences/profile_store.h"

#include "campaign/audiences/profile_rules.h"

namespace herald::campaign {
namespace {

constexpr int64_t kMentionMemoryMs = 30LL * 86400 * 1000;
constexpr size_t kChunk = 1000;

std::string Ws(const std::string& ws) { return "aud:{" + ws + "}"; }

// KEYS: profile, ids, mention seen. ARGV: profile id, network, author,
// count field, sentiment milli ("" unscored), at ms, language, memory ms.
const RedisScript kMention(R"lua(
if not redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[8]) then return 0 end
redis.call('HSET', KEYS[1], 'net', ARGV[2], 'au', ARGV[3])
redis.call('HINCRBY', KEYS[1], ARGV[4], 1)
if ARGV[5] ~= '' then
  redis.call('HINCRBY', KEYS[1], 'sen', ARGV[5])
  redis.call('HINCRBY', KEYS[1], 'scd', 1)
end
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
if tonumber(ARGV[6]) > last then redis.call('HSET', KEYS[1], 'last', ARGV[6]) end
if ARGV[7] ~= '' then redis.call('HSETNX', KEYS[1], 'lang', ARGV[7]) end
redis.call('SADD', KEYS[2], ARGV[1])
return 1
)lua");

// KEYS: profile, ids. ARGV: profile id, then field, value, ... The CRM
// fields are replaced as a whole: the import is the CRM's current view.
const RedisScript kImport(R"lua(
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local f = all[i]
  if f == 'co' or f == 'lang' or f == 'tags' or f == 'fol' or string.sub(f, 1, 2) == 'a:' then
    redis.call('HDEL', KEYS[1], f)
  end
end
redis.call('HSETNX', KEYS[1], 'net', 'crm')
if #ARGV > 1 then redis.call('HSET', KEYS[1], unpack(ARGV, 2)) end
redis.call('SADD', KEYS[2], ARGV[1])
return 1
)lua");

// KEYS: segment, list, request. ARGV: body, id, created ms, the most a
// workspace keeps. {1} stored, {0, body} the request made one before, {-1} full.
const RedisScript kCreateSegment(R"lua(
local made = redis.call('GET', KEYS[3])
if made and KEYS[3] ~= KEYS[1] then return {0, made} end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return {-1} end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
if KEYS[3] ~= KEYS[1] then redis.call('SET', KEYS[3], ARGV[1], 'PX', 86400000) end
return {1}
)lua");

std::vector<std::pair<std::string, std::string>> Pairs(const RedisReply& r) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2) out.emplace_back(r.elements[i].str, r.elements[i + 1].str);
  return out;
}

absl::Status Err(const RedisReply& r, const char* what) { return absl::InternalError(std::string(what) + ": " + r.str); }

}  // namespace

std::string ProfileKey(const std::string& ws, const std::string& id) { return Ws(ws) + ":p:" + id; }
std::string ProfileIdsKey(const std::string& ws) { return Ws(ws) + ":ids"; }

absl::StatusOr<int> ProfileStore::ApplyMentions(const std::vector<MentionUpdate>& updates) {
  if (updates.empty()) return 0;
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  for (const auto& u : updates) {
    calls.push_back({{ProfileKey(u.workspace_id, u.profile_id), ProfileIdsKey(u.workspace_id),
                      Ws(u.workspace_id) + ":m:" + u.mention_id},
                     {u.profile_id, u.network, u.author, u.reply ? pf::kReplies : pf::kMentions,
                      u.sentiment_milli ? std::to_string(*u.sentiment_milli) : "", std::to_string(u.at_ms), u.language,
                      std::to_string(kMentionMemoryMs)}});
  }
  auto r = redis_.EvalPipeline(kMention, calls);
  if (!r.ok()) return r.status();
  int applied = 0;
  for (const auto& reply : *r) {
    if (reply.is_error()) return Err(reply, "apply mention");
    applied += reply.AsInt() == 1;
  }
  return applied;
}

absl::Status ProfileStore::ImportRows(
    const std::string& ws, const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>& rows) {
  for (size_t start = 0; start < rows.size(); start += kChunk) {
    std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
    for (size_t i = start; i < std::min(rows.size(), start + kChunk); ++i) {
      RedisClient::Args args{rows[i].first};
      for (const auto& [f, v] : rows[i].second) {
        args.push_back(f);
        args.push_back(v);
      }
      calls.push_back({{ProfileKey(ws, rows[i].first), ProfileIdsKey(ws)}, std::move(args)});
    }
    auto r = redis_.EvalPipeline(kImport, calls);
    if (!r.ok()) return r.status();
    for (const auto& reply : *r) {
      if (reply.is_error()) return Err(reply, "import profile");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::pair<Profile, std::string>>> ProfileStore::Get(const std::string& ws,
                                                                                  const std::string& id) {
  auto r = redis_.Command({"HGETALL", ProfileKey(ws, id)});
  if (!r.ok()) return r.status();
  if (r->is_error()) return Err(*r, "read profile");
  if (r->elements.empty()) return std::optional<std::pair<Profile, std::string>>();
  auto fields = Pairs(*r);
  std::string author;
  for (const auto& [k, v] : fields) {
    if (k == pf::kAuthor) author = v;
  }
  return std::optional<std::pair<Profile, std::string>>({ProfileFromFields(id, fields), author});
}

absl::StatusOr<std::vector<std::optional<Profile>>> ProfileStore::GetMany(const std::string& ws,
                                                                          const std::vector<std::string>& ids) {
  std::vector<std::optional<Profile>> out;
  if (ids.empty()) return out;
  std::vector<RedisClient::Args> reads;
  for (const auto& id : ids) reads.push_back({"HGETALL", ProfileKey(ws, id)});
  auto r = redis_.Pipeline(reads);
  if (!r.ok()) return r.status();
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto& reply = (*r)[i];
    if (reply.is_error()) return Err(reply, "read profile");
    if (reply.elements.empty()) {
      out.emplace_back();
    } else {
      out.emplace_back(ProfileFromFields(ids[i], Pairs(reply)));
    }
  }
  return out;
}

absl::StatusOr<int64_t> ProfileStore::Count(const std::string& ws) {
  auto r = redis_.Command({"SCARD", ProfileIdsKey(ws)});
  if (!r.ok()) return r.status();
  return r->AsInt();
}

absl::StatusOr<std::vector<Profile>> ProfileStore::Sample(const std::string& ws, int64_t n) {
  auto ids = redis_.Command({"SRANDMEMBER", ProfileIdsKey(ws), std::to_string(n)});
  if (!ids.ok()) return ids.status();
  std::vector<Profile> out;
  out.reserve(ids->elements.size());
  for (size_t start = 0; start < ids->elements.size(); start += kChunk) {
    std::vector<RedisClient::Args> reads;
    size_t end = std::min(ids->elements.size(), start + kChunk);
    for (size_t i = start; i < end; ++i) reads.push_back({"HGETALL", ProfileKey(ws, ids->elements[i].str)});
    auto r = redis_.Pipeline(reads);
    if (!r.ok()) return r.status();
    for (size_t i = start; i < end; ++i) {
      const auto& reply = (*r)[i - start];
      if (reply.is_error()) return Err(reply, "read profile");
      out.push_back(ProfileFromFields(ids->elements[i].str, Pairs(reply)));
    }
  }
  return out;
}

absl::StatusOr<v1::Segment> ProfileStore::CreateSegment(const v1::Segment& s, const std::string& request_id) {
  const std::string key = Ws(s.workspace_id()) + ":s:" + s.id();
  const std::string request_key = request_id.empty() ? key : Ws(s.workspace_id()) + ":r:" + request_id;
  auto r = redis_.Eval(kCreateSegment, {key, Ws(s.workspace_id()) + ":segs", request_key},
                       {s.SerializeAsString(), s.id(), std::to_string(s.create_time().seconds() * 1000),
                        std::to_string(kMaxSegments)});
  if (!r.ok()) return r.status();
  if (r->is_error() || r->elements.empty()) return Err(*r, "create segment");
  const auto code = r->elements[0].AsInt();
  if (code == -1) return absl::FailedPreconditionError("a workspace keeps at most 100 segments; delete one first");
  if (code == 1) return s;
  v1::Segment made;
  if (r->elements.size() < 2 || !made.ParseFromString(r->elements[1].str)) return absl::DataLossError("stored segment");
  return made;
}

absl::StatusOr<std::optional<v1::Segment>> ProfileStore::GetSegment(const std::string& ws, const std::string& id) {
  auto r = redis_.Command({"GET", Ws(ws) + ":s:" + id});
  if (!r.ok()) return r.status();
  if (r->is_nil()) return std::optional<v1::Segment>();
  v1::Segment s;
  if (!s.ParseFromString(r->str)) return absl::DataLossError("stored segment does not parse");
  return std::optional<v1::Segment>(std::move(s));
}

absl::StatusOr<std::vector<v1::Segment>> ProfileStore::ListSegments(const std::string& ws) {
  auto ids = redis_.Command({"ZRANGE", Ws(ws) + ":segs", "0", std::to_string(kMaxSegments - 1)});
  if (!ids.ok()) return ids.status();
  std::vector<RedisClient::Args> reads;
  for (const auto& id : ids->elements) reads.push_back({"GET", Ws(ws) + ":s:" + id.str});
  std::vector<v1::Segment> out;
  if (reads.empty()) return out;
  auto r = redis_.Pipeline(reads);
  if (!r.ok()) return r.status();
  for (const auto& reply : *r) {
    v1::Segment s;
    if (!reply.is_nil() && s.ParseFromString(reply.str)) out.push_back(std::move(s));
  }
  return out;
}

absl::Status ProfileStore::DeleteSegment(const std::string& ws, const std::string& id) {
  auto r = redis_.Pipeline({{"DEL", Ws(ws) + ":s:" + id}, {"ZREM", Ws(ws) + ":segs", id}});
  return r.ok() ? absl::OkStatus() : r.status();
}

}  // namespace herald::campaign
