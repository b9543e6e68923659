#include "scheduler/post_store.h"

#include <algorithm>
#include <map>

#include "common/time_util.h"
#include "scheduler/chunked_index_lua.h"
#include "scheduler/post_rules.h"

namespace herald::scheduler {
namespace {

using herald::scheduler::v1::Post;

RedisScript WithIndex(const char* body) { return RedisScript(std::string(kChunkedIndexLua) + body); }

// KEYS: bucket, due, ws index, seq, campaign index. ARGV: id, body, due_ms
// ('' = not due), listing score, campaign member ('' = no campaign)
const RedisScript kCreate = WithIndex(R"lua(
local id = ARGV[1]
local existing = redis.call('HGET', KEYS[1], id)
if existing then return {0, existing} end
redis.call('HSET', KEYS[1], id, ARGV[2])
if ARGV[3] ~= '' then ci_add(KEYS[2], KEYS[4], ARGV[3], id) end
ci_add(KEYS[3], KEYS[4], ARGV[4], id)
if ARGV[5] ~= '' then redis.call('ZADD', KEYS[5], 0, ARGV[5]) end
return {1, ARGV[2]}
)lua");

// KEYS: bucket, campaign index. ARGV: id, old body, new body, campaign member.
// 1 attached, 0 the post changed meanwhile.
const RedisScript kAttachCampaign(R"lua(
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[2], 0, ARGV[4])
return 1
)lua");

// KEYS: campaign index. ARGV: after member ('' = from the start), limit.
// Returns {total, member, ...}.
const RedisScript kCampaignPage(R"lua(
local from = ARGV[1] == '' and '-' or ('(' .. ARGV[1])
local page = redis.call('ZRANGEBYLEX', KEYS[1], from, '+', 'LIMIT', 0, tonumber(ARGV[2]))
table.insert(page, 1, redis.call('ZCARD', KEYS[1]))
return page
)lua");

// KEYS: due, inflight. ARGV: now_ms, lease expiry (= fencing token), limit, bucket key prefix
// Returns {lease expiry, next due time or '', id, due, body, ...}.
// (Numbers stay strings: converting Lua numbers costs more than the commands.)
const RedisScript kClaim = WithIndex(R"lua(
local expiry = ARGV[2]
local got = ci_pop(KEYS[1], ARGV[1], tonumber(ARGV[3]))
local out, leases = {expiry, ''}, {}
for i = 1, #got, 2 do
  local id, due = got[i], got[i + 1]
  leases[#leases + 1] = expiry
  leases[#leases + 1] = id .. '@' .. due
  out[#out + 1] = id
  out[#out + 1] = due
  out[#out + 1] = redis.call('HGET', ARGV[4] .. string.sub(id, -3), id) or ''
end
-- one ZADD for the batch: each redis.call costs more than the work it does here
if #leases > 0 then redis.call('ZADD', KEYS[2], unpack(leases)) end
out[2] = ci_first(KEYS[1]) or ''
return out
)lua");

// KEYS: inflight. ARGV: (in-flight member, token) pairs. Returns 1 or -1 per pair.
const RedisScript kAckMany(R"lua(
local members = {}
for i = 1, #ARGV, 2 do members[#members + 1] = ARGV[i] end
local scores = redis.call('ZMSCORE', KEYS[1], unpack(members))
local out, ended = {}, {}
for k, m in ipairs(members) do
  local token = ARGV[2 * k]
  if scores[k] == token or (scores[k] and tonumber(scores[k]) == tonumber(token)) then
    ended[#ended + 1] = m
    out[k] = 1
  else
    out[k] = -1
  end
end
if #ended > 0 then redis.call('ZREM', KEYS[1], unpack(ended)) end
return out
)lua");

// KEYS: inflight, due, seq. ARGV: now_ms. Puts expired claims back at their due time.
const RedisScript kReap = WithIndex(R"lua(
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1000)
for _, m in ipairs(members) do
  redis.call('ZREM', KEYS[1], m)
  local id, due = string.match(m, '^(.*)@(%d+)$')
  ci_add(KEYS[2], KEYS[3], due, id)
end
return #members
)lua");

// Compare-and-set of one post, shared by kCompareAndSet and kCompareAndSetMany.
// a: old body, new body, action ('' | add | remove | hold), at_ms, id,
//    fencing token ('' = no claim to end), old due ms, old listing score,
//    new listing score, '1' if the post must still be due or held.
// Returns 1 done, 0 the post changed meanwhile, -1 the claim was lost,
// -2 the post is no longer pending.
constexpr const char* kCasLua = R"lua(
local function cas(bucket, due, inflight, held, ws, seq, a)
  local old, new, action, at, id, token, old_due, old_ls, new_ls, pending = unpack(a)
  if redis.call('HGET', bucket, id) ~= old then return 0 end
  if pending == '1' and not ci_has(due, old_due, id) and not redis.call('ZSCORE', held, id) then return -2 end
  local member = id .. '@' .. old_due
  if token ~= '' then
    local s = redis.call('ZSCORE', inflight, member)
    if not s or tonumber(s) ~= tonumber(token) then return -1 end
    redis.call('ZREM', inflight, member)
  elseif action ~= '' then
    redis.call('ZREM', inflight, member)
  end
  redis.call('HSET', bucket, id, new)
  if action ~= '' then
    ci_rem(due, old_due, id)
    redis.call('ZREM', held, id)
    if action == 'add' then
      ci_add(due, seq, at, id)
    elseif action == 'hold' then
      redis.call('ZADD', held, at, id)
    end
  end
  if new_ls ~= old_ls then
    ci_rem(ws, old_ls, id)
    ci_add(ws, seq, new_ls, id)
  end
  return 1
end
)lua";
constexpr int kCasArgs = 10;

// KEYS: bucket, due, inflight, held, ws index, seq. ARGV: as cas().
const RedisScript kCompareAndSet(std::string(kChunkedIndexLua) + kCasLua + R"lua(
return cas(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], ARGV)
)lua");

// cas() for many claimed posts of one shard in one call (the Lua call itself
// is the main cost at high rates).
// KEYS: due, inflight, held, seq, then (bucket, ws index) per post.
// ARGV: kCasArgs values per post. Returns one result per post.
const RedisScript kCompareAndSetMany(std::string(kChunkedIndexLua) + kCasLua + R"lua(
local out = {}
for i = 1, (#KEYS - 4) / 2 do
  local a = {}
  for k = 1, 10 do a[k] = ARGV[(i - 1) * 10 + k] end
  out[i] = cas(KEYS[3 + 2 * i], KEYS[1], KEYS[2], KEYS[3], KEYS[4 + 2 * i], KEYS[4], a)
end
return out
)lua");

// KEYS: due, inflight, held. ARGV: id, due ms. 1 if the post still waits to be
// handed over (due, claimed or held).
const RedisScript kWaiting = WithIndex(R"lua(
if ci_has(KEYS[1], ARGV[2], ARGV[1]) then return 1 end
if redis.call('ZSCORE', KEYS[2], ARGV[1] .. '@' .. ARGV[2]) then return 1 end
if redis.call('ZSCORE', KEYS[3], ARGV[1]) then return 1 end
return 0
)lua");

// KEYS: ws index. ARGV: min, max, after score ('' = none), after id, limit.
const RedisScript kList = WithIndex(R"lua(
local after = nil
if ARGV[3] ~= '' then after = tonumber(ARGV[3]) end
return ci_range(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), after, ARGV[4], tonumber(ARGV[5]))
)lua");

// KEYS: due. The earliest due time or ''.
const RedisScript kFirstDue = WithIndex(R"lua(
return ci_first(KEYS[1]) or ''
)lua");

// KEYS: due, inflight. {posts due, posts claimed, the earliest due time or ''}.
const RedisScript kBacklog = WithIndex(R"lua(
return {ci_count(KEYS[1]), redis.call('ZCARD', KEYS[2]), ci_first(KEYS[1]) or ''}
)lua");

// KEYS: taken. ARGV: now_ms, post id, candidates... Returns the slot or -1.
const RedisScript kReserveSlot(R"lua(
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
for i = 3, #ARGV do
  if #redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[i], ARGV[i], 'LIMIT', 0, 1) == 0 then
    redis.call('ZADD', KEYS[1], ARGV[i], ARGV[2] .. '@' .. ARGV[i])
    return ARGV[i]
  end
end
return '-1'
)lua");

int64_t ListingScore(const Post& post) {
  return post.has_publish_at() ? ToMs(post.publish_at()) : ToMs(post.create_time());
}

// The id is the hash field; storing it again in the value would cost ~28 bytes a post.
std::string Serialize(const Post& post) {
  Post copy = post;
  copy.clear_id();
  return copy.SerializeAsString();
}

absl::StatusOr<Post> Parse(const std::string& bytes, const std::string& id) {
  Post post;
  if (!post.ParseFromString(bytes)) return absl::DataLossError("stored post " + id + " does not parse");
  post.set_id(id);
  return post;
}

std::string Bucket(const std::string& id) { return id.size() <= 3 ? id : id.substr(id.size() - 3); }

std::string InFlightMember(const std::string& id, int64_t due_ms) { return id + "@" + std::to_string(due_ms); }

const char* ActionName(DueChange::Action a) {
  static const char* kNames[] = {"", "add", "remove", "hold"};
  return kNames[static_cast<int>(a)];
}

// Keeps DueMs(post) equal to the post's score in the due index: `at_ms` when
// the change adds it, unchanged when the change leaves it where it is.
void PinDueTime(const Post& old, Post& updated, const DueChange& change) {
  int64_t due = change.action == DueChange::Action::kAdd    ? change.at_ms
                : change.action == DueChange::Action::kNone ? DueMs(old)
                                                            : -1;
  if (due < 0 || (updated.has_publish_at() && ToMs(updated.publish_at()) == due)) {
    updated.clear_due_time();
  } else {
    *updated.mutable_due_time() = FromMs(due);
  }
}

// cas() arguments for one post (see kCasLua).
RedisClient::Args CasArgs(const std::string& old_body, const Post& old, const Post& updated, const DueChange& change,
                          const std::string& token) {
  return {old_body,
          Serialize(updated),
          ActionName(change.action),
          std::to_string(change.at_ms),
          old.id(),
          token,
          std::to_string(DueMs(old)),
          std::to_string(ListingScore(old)),
          std::to_string(ListingScore(updated)),
          change.require_pending ? "1" : ""};
}

// A campaign's posts in one shard: a ZSET of "<ms, 13 digits>:<id>" (all
// scores 0), so listing in the order they joined pages by member.
std::string CampaignIndex(const std::string& tag, const std::string& ws, const std::string& campaign) {
  return tag + ":k:" + ws + ":" + campaign;
}
std::string CampaignMember(int64_t joined_ms, const std::string& id) {
  std::string ms = std::to_string(std::max<int64_t>(0, joined_ms));
  return std::string(ms.size() < 13 ? 13 - ms.size() : 0, '0') + ms + ":" + id;
}

}  // namespace

int64_t DueMs(const Post& post) {
  if (post.has_due_time()) return ToMs(post.due_time());
  return post.has_publish_at() ? ToMs(post.publish_at()) : 0;
}

std::string PostStore::TagOf(const PostId& post_id) const { return Tag(ShardOf(post_id.str(), shards_)); }

std::string PostStore::BucketKey(const PostId& post_id) const {
  return TagOf(post_id) + ":p:" + Bucket(post_id.str());
}

std::pair<RedisClient::Args, RedisClient::Args> PostStore::CreateCall(const Post& post) const {
  std::string tag = TagOf(PostId(post.id()));
  std::string due = InDueIndex(post.state()) ? std::to_string(DueMs(post)) : "";
  return {{BucketKey(PostId(post.id())), tag + ":due", tag + ":ws:" + post.workspace_id(), tag + ":seq",
           CampaignIndex(tag, post.workspace_id(), post.campaign_id())},
          {post.id(), Serialize(post), due, std::to_string(ListingScore(post)),
           post.campaign_id().empty() ? "" : CampaignMember(ToMs(post.create_time()), post.id())}};
}

absl::StatusOr<Post> PostStore::Create(const Post& post) {
  auto call = CreateCall(post);
  auto reply = redis_.Eval(kCreate, call.first, call.second);
  if (!reply.ok()) return reply.status();
  if (reply->elements.size() != 2) return absl::InternalError("create: unexpected reply");
  return Parse(reply->elements[1].str, post.id());
}

absl::StatusOr<std::vector<Post>> PostStore::CreateMany(const std::vector<Post>& posts) {
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  calls.reserve(posts.size());
  for (const auto& post : posts) calls.push_back(CreateCall(post));
  std::vector<Post> out;
  if (calls.empty()) return out;
  auto replies = redis_.EvalPipeline(kCreate, calls);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < replies->size(); ++i) {
    const auto& r = (*replies)[i];
    if (r.is_error() || r.elements.size() != 2) return absl::InternalError("create: " + r.str);
    auto post = Parse(r.elements[1].str, posts[i].id());
    if (!post.ok()) return post.status();
    out.push_back(std::move(*post));
  }
  return out;
}

absl::StatusOr<std::optional<TimePoint>> PostStore::NextDue() {
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  for (int s = 0; s < shards_; ++s) calls.push_back({{Tag(s) + ":due"}, {}});
  auto replies = redis_.EvalPipeline(kFirstDue, calls);
  if (!replies.ok()) return replies.status();
  std::optional<TimePoint> next;
  for (const auto& r : *replies) {
    if (r.is_error()) return absl::InternalError("next due: " + r.str);
    if (r.str.empty()) continue;
    TimePoint at = AtMs(r.AsInt());
    if (!next || at < *next) next = at;
  }
  return next;
}

absl::StatusOr<Post> PostStore::Get(const PostId& post_id) {
  auto reply = redis_.Command({"HGET", BucketKey(post_id), post_id.str()});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return absl::NotFoundError("post " + post_id.str() + " not found");
  auto post = Parse(reply->str, post_id.str());
  if (!post.ok()) return post.status();
  if (auto s = DeriveDispatched({&*post}); !s.ok()) return s;
  return post;
}

absl::Status PostStore::DeriveDispatched(std::vector<Post*> posts) {
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  std::vector<Post*> scheduled;
  for (Post* p : posts) {
    if (p->state() != v1::POST_STATE_SCHEDULED) continue;
    std::string tag = TagOf(PostId(p->id()));
    calls.push_back({{tag + ":due", tag + ":inflight", tag + ":held"}, {p->id(), std::to_string(DueMs(*p))}});
    scheduled.push_back(p);
  }
  if (calls.empty()) return absl::OkStatus();
  auto replies = redis_.EvalPipeline(kWaiting, calls);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < scheduled.size(); ++i) {
    const auto& r = (*replies)[i];
    if (r.is_error()) return absl::InternalError("derive state: " + r.str);
    if (r.AsInt() == 0) {
      MarkDispatched(*scheduled[i], ToMs(scheduled[i]->update_time()));
      scheduled[i]->clear_due_time();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int>> PostStore::AckMany(const std::vector<const ClaimedPost*>& claims) {
  std::map<int, std::vector<size_t>> by_shard;
  for (size_t i = 0; i < claims.size(); ++i) by_shard[ShardOf(claims[i]->post.id(), shards_)].push_back(i);
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  std::vector<const std::vector<size_t>*> members;
  for (const auto& [shard, idx] : by_shard) {
    RedisClient::Args args;
    for (size_t i : idx) {
      args.push_back(InFlightMember(claims[i]->post.id(), Ms(claims[i]->due)));
      args.push_back(std::to_string(claims[i]->fencing_token));
    }
    calls.push_back({{Tag(shard) + ":inflight"}, std::move(args)});
    members.push_back(&idx);
  }
  std::vector<int> out(claims.size(), -1);
  if (calls.empty()) return out;
  auto replies = redis_.EvalPipeline(kAckMany, calls);
  if (!replies.ok()) return replies.status();
  for (size_t k = 0; k < replies->size(); ++k) {
    const auto& r = (*replies)[k];
    if (r.is_error() || r.elements.size() != members[k]->size()) return absl::InternalError("ack: " + r.str);
    for (size_t j = 0; j < members[k]->size(); ++j) out[(*members[k])[j]] = static_cast<int>(r.elements[j].AsInt());
  }
  return out;
}

absl::StatusOr<std::vector<Post>> PostStore::List(const WorkspaceId& workspace_id, size_t limit,
                                                  const std::string& after_cursor, TimePoint from, TimePoint to) {
  std::string after_ms, after_id;
  if (!after_cursor.empty()) {
    auto colon = after_cursor.find(':');
    if (colon == std::string::npos) return absl::InvalidArgumentError("page_token: malformed");
    try {
      after_ms = std::to_string(std::stoll(after_cursor.substr(0, colon)));
    } catch (...) {
      return absl::InvalidArgumentError("page_token: malformed");
    }
    after_id = after_cursor.substr(colon + 1);
  }
  // Each shard holds part of the workspace's index: take the first `limit`
  // of each and merge.
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  for (int s = 0; s < shards_; ++s) {
    calls.push_back({{Tag(s) + ":ws:" + workspace_id.str()},
                     {std::to_string(Ms(from)), std::to_string(Ms(to)), after_ms, after_id, std::to_string(limit)}});
  }
  auto replies = redis_.EvalPipeline(kList, calls);
  if (!replies.ok()) return replies.status();
  std::vector<std::pair<int64_t, std::string>> entries;
  for (const auto& r : *replies) {
    if (r.is_error()) return absl::InternalError("list: " + r.str);
    for (size_t i = 0; i + 1 < r.elements.size(); i += 2) entries.emplace_back(r.elements[i + 1].AsInt(), r.elements[i].str);
  }
  std::sort(entries.begin(), entries.end());
  if (entries.size() > limit) entries.resize(limit);
  std::vector<RedisClient::Args> gets;
  for (const auto& [ms, id] : entries) gets.push_back({"HGET", BucketKey(PostId(id)), id});
  std::vector<Post> posts;
  if (gets.empty()) return posts;
  auto bodies = redis_.Pipeline(gets);
  if (!bodies.ok()) return bodies.status();
  for (size_t i = 0; i < bodies->size(); ++i) {
    if ((*bodies)[i].is_nil()) continue;
    auto post = Parse((*bodies)[i].str, entries[i].second);
    if (!post.ok()) return post.status();
    posts.push_back(std::move(*post));
  }
  std::vector<Post*> views;
  for (auto& p : posts) views.push_back(&p);
  if (auto s = DeriveDispatched(views); !s.ok()) return s;
  return posts;
}

absl::StatusOr<ClaimRound> PostStore::ParseClaims(const std::vector<RedisReply>& replies, int limit_per_shard) {
  ClaimRound out;
  for (const auto& reply : replies) {
    if (reply.is_error()) return absl::InternalError("claim: " + reply.str);
    if (reply.elements.size() < 2) continue;
    int64_t token = reply.elements[0].AsInt();
    if (!reply.elements[1].str.empty()) {
      TimePoint next = AtMs(reply.elements[1].AsInt());
      if (!out.next_due || next < *out.next_due) out.next_due = next;
    }
    size_t claimed = (reply.elements.size() - 2) / 3;
    out.shard_full |= claimed >= static_cast<size_t>(limit_per_shard);
    for (size_t i = 2; i + 2 < reply.elements.size(); i += 3) {
      const auto& body = reply.elements[i + 2].str;
      if (body.empty()) continue;  // a vanished post: nothing to send
      auto post = Parse(body, reply.elements[i].str);
      if (!post.ok()) return post.status();
      out.posts.push_back({std::move(*post), token, body, AtMs(reply.elements[i + 1].AsInt())});
    }
  }
  return out;
}

std::pair<RedisClient::Args, RedisClient::Args> PostStore::ClaimCall(int shard, TimePoint now, Millis lease,
                                                                     int limit) const {
  std::string tag = Tag(shard);
  return {{tag + ":due", tag + ":inflight"},
          {std::to_string(Ms(now)), std::to_string(Ms(now + lease)), std::to_string(limit), tag + ":p:"}};
}

absl::StatusOr<std::vector<ClaimedPost>> PostStore::Claim(int shard, TimePoint now, Millis lease, int limit) {
  auto call = ClaimCall(shard, now, lease, limit);
  auto reply = redis_.Eval(kClaim, call.first, call.second);
  if (!reply.ok()) return reply.status();
  auto round = ParseClaims({*reply}, limit);
  if (!round.ok()) return round.status();
  return std::move(round->posts);
}

absl::StatusOr<ClaimRound> PostStore::ClaimAll(TimePoint now, Millis lease, int limit_per_shard) {
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  for (int s = 0; s < shards_; ++s) calls.push_back(ClaimCall(s, now, lease, limit_per_shard));
  auto replies = redis_.EvalPipeline(kClaim, calls);
  if (!replies.ok()) return replies.status();
  return ParseClaims(*replies, limit_per_shard);
}

absl::StatusOr<int64_t> PostStore::ReapAll(TimePoint now) {
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  for (int s = 0; s < shards_; ++s) {
    std::string tag = Tag(s);
    calls.push_back({{tag + ":inflight", tag + ":due", tag + ":seq"}, {std::to_string(Ms(now))}});
  }
  auto replies = redis_.EvalPipeline(kReap, calls);
  if (!replies.ok()) return replies.status();
  int64_t total = 0;
  for (const auto& r : *replies) {
    if (r.is_error()) return absl::InternalError("reap: " + r.str);
    total += r.AsInt();
  }
  return total;
}

absl::StatusOr<bool> PostStore::Ack(const ClaimedPost& claim) {
  auto r = AckMany({&claim});
  if (!r.ok()) return r.status();
  return (*r)[0] == 1;
}

absl::StatusOr<int64_t> PostStore::ReapExpired(int shard, TimePoint now) {
  std::string tag = Tag(shard);
  auto reply = redis_.Eval(kReap, {tag + ":inflight", tag + ":due", tag + ":seq"}, {std::to_string(Ms(now))});
  if (!reply.ok()) return reply.status();
  return reply->AsInt();
}

absl::StatusOr<std::optional<Post>> PostStore::Update(const PostId& id, const Mutation& mutate,
                                                      std::optional<int64_t> ack_token) {
  const std::string& post_id = id.str();
  std::string tag = TagOf(id);
  std::string bucket = BucketKey(id);
  for (int attempt = 0; attempt < 50; ++attempt) {
    auto current = redis_.Command({"HGET", bucket, post_id});
    if (!current.ok()) return current.status();
    if (current->is_nil()) return absl::NotFoundError("post " + post_id + " not found");
    auto old = Parse(current->str, post_id);
    if (!old.ok()) return old.status();
    Post post = *old;
    DueChange change;
    if (!mutate(post, &change)) {
      if (ack_token) {
        ClaimedPost claim{*old, *ack_token, current->str, AtMs(DueMs(*old))};
        auto acked = Ack(claim);
        if (!acked.ok()) return acked.status();
        if (!*acked) return absl::FailedPreconditionError("claim of " + post_id + " was lost");
      }
      return std::optional<Post>();
    }
    PinDueTime(*old, post, change);
    auto reply = redis_.Eval(
        kCompareAndSet,
        {bucket, tag + ":due", tag + ":inflight", tag + ":held", tag + ":ws:" + post.workspace_id(), tag + ":seq"},
        CasArgs(current->str, *old, post, change, ack_token ? std::to_string(*ack_token) : ""));
    if (!reply.ok()) return reply.status();
    if (reply->is_error()) return absl::InternalError("update: " + reply->str);
    if (reply->AsInt() == 1) return std::optional<Post>(std::move(post));
    if (reply->AsInt() == -1) return absl::FailedPreconditionError("claim of " + post_id + " was lost");
    if (reply->AsInt() == -2) return absl::FailedPreconditionError("post " + post_id + " is already with the publisher");
  }
  return absl::AbortedError("post " + post_id + " changed concurrently too often");
}

absl::StatusOr<std::vector<int>> PostStore::UpdateClaimed(const std::vector<ClaimedChange>& changes) {
  // One script call per shard; calls for all shards in one pipeline.
  std::map<int, std::vector<size_t>> by_shard;
  for (size_t i = 0; i < changes.size(); ++i) by_shard[ShardOf(changes[i].claimed->post.id(), shards_)].push_back(i);
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  std::vector<int> shards;
  for (const auto& [shard, members] : by_shard) {
    std::string tag = Tag(shard);
    RedisClient::Args keys{tag + ":due", tag + ":inflight", tag + ":held", tag + ":seq"}, args;
    for (size_t i : members) {
      const auto& c = changes[i];
      const Post& old = c.claimed->post;
      Post updated = c.updated;
      PinDueTime(old, updated, c.change);
      keys.push_back(BucketKey(PostId(old.id())));
      keys.push_back(tag + ":ws:" + updated.workspace_id());
      auto one = CasArgs(c.claimed->body, old, updated, c.change, std::to_string(c.claimed->fencing_token));
      args.insert(args.end(), std::make_move_iterator(one.begin()), std::make_move_iterator(one.end()));
    }
    calls.push_back({std::move(keys), std::move(args)});
    shards.push_back(shard);
  }
  std::vector<int> out(changes.size(), 0);
  if (calls.empty()) return out;
  auto replies = redis_.EvalPipeline(kCompareAndSetMany, calls);
  if (!replies.ok()) return replies.status();
  for (size_t k = 0; k < replies->size(); ++k) {
    const auto& r = (*replies)[k];
    const auto& members = by_shard[shards[k]];
    if (r.is_error() || r.elements.size() != members.size()) return absl::InternalError("update claimed: " + r.str);
    for (size_t j = 0; j < members.size(); ++j) out[members[j]] = static_cast<int>(r.elements[j].AsInt());
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> PostStore::Held(int shard) {
  auto r = redis_.Command({"ZRANGE", Tag(shard) + ":held", "0", "-1"});
  if (!r.ok()) return r.status();
  std::vector<std::string> out;
  for (const auto& e : r->elements) out.push_back(e.str);
  return out;
}

absl::StatusOr<std::optional<herald::scheduler::v1::Queue>> PostStore::GetQueue(const ChannelId& channel_id) {
  auto r = redis_.Command({"GET", "sched:{q:" + channel_id.str() + "}"});
  if (!r.ok()) return r.status();
  if (r->is_nil()) return std::optional<herald::scheduler::v1::Queue>();
  herald::scheduler::v1::Queue q;
  if (!q.ParseFromString(r->str)) return absl::DataLossError("stored queue does not parse");
  return std::optional<herald::scheduler::v1::Queue>(std::move(q));
}

absl::Status PostStore::SetQueue(const herald::scheduler::v1::Queue& queue) {
  auto r = redis_.Command({"SET", "sched:{q:" + queue.channel_id() + "}", queue.SerializeAsString()});
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::StatusOr<std::optional<TimePoint>> PostStore::ReserveSlot(const ChannelId& channel_id,
                                                                const std::vector<TimePoint>& candidates,
                                                                const PostId& post_id, TimePoint now) {
  RedisClient::Args args{std::to_string(Ms(now)), post_id.str()};
  for (TimePoint c : candidates) args.push_back(std::to_string(Ms(c)));
  auto r = redis_.Eval(kReserveSlot, {"sched:{q:" + channel_id.str() + "}:taken"}, args);
  if (!r.ok()) return r.status();
  int64_t slot = r->AsInt();
  if (slot < 0) return std::optional<TimePoint>();
  return std::optional<TimePoint>(AtMs(slot));
}

absl::StatusOr<std::vector<TimePoint>> PostStore::TakenSlots(const ChannelId& channel_id, TimePoint from) {
  auto r = redis_.Command({"ZRANGEBYSCORE", "sched:{q:" + channel_id.str() + "}:taken", std::to_string(Ms(from)),
                           "+inf", "WITHSCORES"});
  if (!r.ok()) return r.status();
  std::vector<TimePoint> out;
  for (size_t i = 1; i < r->elements.size(); i += 2) out.push_back(AtMs(r->elements[i].AsInt()));
  return out;
}

absl::Status PostStore::SetHold(const std::string& key, const std::string& reason) {
  auto r = redis_.Command({"HSET", "sched:holds", key, reason});
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::StatusOr<bool> PostStore::ClearHold(const std::string& key) {
  auto r = redis_.Command({"HDEL", "sched:holds", key});
  if (!r.ok()) return r.status();
  return r->AsInt() == 1;
}

absl::StatusOr<std::map<std::string, std::string>> PostStore::Holds() {
  auto r = redis_.Command({"HGETALL", "sched:holds"});
  if (!r.ok()) return r.status();
  std::map<std::string, std::string> out;
  for (size_t i = 0; i + 1 < r->elements.size(); i += 2) out[r->elements[i].str] = r->elements[i + 1].str;
  return out;
}

absl::StatusOr<PostStore::BacklogView> PostStore::Backlog() {
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  for (int s = 0; s < shards_; ++s) calls.push_back({{Tag(s) + ":due", Tag(s) + ":inflight"}, {}});
  auto replies = redis_.EvalPipeline(kBacklog, calls);
  if (!replies.ok()) return replies.status();
  BacklogView out;
  for (const auto& r : *replies) {
    if (r.is_error() || r.elements.size() != 3) return absl::InternalError("backlog: " + r.str);
    out.due += r.elements[0].AsInt();
    out.in_flight += r.elements[1].AsInt();
    const std::string& first = r.elements[2].str;
    if (!first.empty()) {
      const int64_t at = std::atoll(first.c_str());
      if (!out.earliest_due_ms || at < *out.earliest_due_ms) out.earliest_due_ms = at;
    }
  }
  return out;
}

}  // namespace herald::scheduler

namespace herald::scheduler {

absl::StatusOr<v1::Post> PostStore::AttachCampaign(const PostId& id, const std::string& campaign_id, TimePoint now,
                                                   const std::map<std::string, std::string>& tracked_links) {
  const std::string& post_id = id.str();
  std::string bucket = BucketKey(id);
  for (int attempt = 0; attempt < 50; ++attempt) {
    auto current = redis_.Command({"HGET", bucket, post_id});
    if (!current.ok()) return current.status();
    if (current->is_nil()) return absl::NotFoundError("post " + post_id + " not found");
    auto post = Parse(current->str, post_id);
    if (!post.ok()) return post.status();
    if (post->campaign_id() == campaign_id) return post;  // attached before: nothing to do
    if (!post->campaign_id().empty()) {
      return absl::FailedPreconditionError("post " + post_id + " belongs to campaign " + post->campaign_id());
    }
    post->set_campaign_id(campaign_id);
    // What went out before it joined, fixed in the same write as the join.
    for (auto& d : PublishedDeliveries(*post)) post->add_published_before_campaign(std::move(d));
    for (auto& t : *post->mutable_targets()) {
      auto link = tracked_links.find(t.channel_id());
      if (link != tracked_links.end() && !IsFinal(t.state())) t.set_tracked_link(link->second);
    }    *post->mutable_update_time() = FromMs(Ms(now));
    auto reply = redis_.Eval(kAttachCampaign, {bucket, CampaignIndex(TagOf(id), post->workspace_id(), campaign_id)},
                             {post_id, current->str, Serialize(*post), CampaignMember(Ms(now), post_id)});
    if (!reply.ok()) return reply.status();
    if (reply->is_error()) return absl::InternalError("attach: " + reply->str);
    if (reply->AsInt() == 1) return post;
  }
  return absl::AbortedError("post " + post_id + " changed concurrently too often");
}

absl::StatusOr<PostStore::CampaignPage> PostStore::ListCampaign(const WorkspaceId& workspace_id,
                                                                const std::string& campaign_id, size_t limit,
                                                                const std::string& after) {
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  for (int s = 0; s < shards_; ++s) {
    calls.push_back({{CampaignIndex(Tag(s), workspace_id.str(), campaign_id)}, {after, std::to_string(limit)}});
  }
  auto replies = redis_.EvalPipeline(kCampaignPage, calls);
  if (!replies.ok()) return replies.status();
  CampaignPage page;
  std::vector<std::string> members;
  for (const auto& r : *replies) {
    if (r.is_error() || r.elements.empty()) return absl::InternalError("campaign page: " + r.str);
    page.total += r.elements[0].AsInt();
    for (size_t i = 1; i < r.elements.size(); ++i) members.push_back(r.elements[i].str);
  }
  std::sort(members.begin(), members.end());
  if (members.size() > limit) members.resize(limit);
  std::vector<RedisClient::Args> gets;
  std::vector<std::string> ids;
  for (const auto& m : members) {
    ids.push_back(m.substr(m.find(':') + 1));
    gets.push_back({"HGET", BucketKey(PostId(ids.back())), ids.back()});
  }
  if (!members.empty() && members.size() == limit) page.next = members.back();
  if (gets.empty()) return page;
  auto bodies = redis_.Pipeline(gets);
  if (!bodies.ok()) return bodies.status();
  for (size_t i = 0; i < bodies->size(); ++i) {
    if ((*bodies)[i].is_nil()) continue;
    auto post = Parse((*bodies)[i].str, ids[i]);
    if (!post.ok()) return post.status();
    page.posts.push_back(std::move(*post));
  }
  std::vector<Post*> views;
  for (auto& p : page.posts) views.push_back(&p);
  if (auto s = DeriveDispatched(views); !s.ok()) return s;
  return page;
}

}  // namespace herald::scheduler
