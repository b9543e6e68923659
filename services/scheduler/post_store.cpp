#include "scheduler/post_store.h"

#include <algorithm>
#include <map>

#include "common/time_util.h"
#include "scheduler/post_rules.h"

namespace herald::scheduler {
namespace {

using herald::scheduler::v1::Post;

// KEYS: post, due, ws index. ARGV: body, due_ms ('' = not due), id, listing score
const RedisScript kCreate(R"lua(
local existing = redis.call('GET', KEYS[1])
if existing then return {0, existing} end
redis.call('SET', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3]) end
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
return {1, ARGV[1]}
)lua");

// KEYS: due, inflight, lease, fence. ARGV: now_ms, lease_ms, limit, post key prefix
// Returns {token, next due time after the claim or '', id, body, id, body, ...}.
const RedisScript kClaim(R"lua(
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {0, ''}
if #ids > 0 then
  local token = redis.call('INCR', KEYS[4])
  local expiry = tonumber(ARGV[1]) + tonumber(ARGV[2])
  out[1] = token
  for _, id in ipairs(ids) do
    redis.call('ZREM', KEYS[1], id)
    redis.call('ZADD', KEYS[2], expiry, id)
    redis.call('HSET', KEYS[3], id, token)
    out[#out + 1] = id
    out[#out + 1] = redis.call('GET', ARGV[4] .. id) or ''
  end
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #first == 2 then out[2] = first[2] end
return out
)lua");

// KEYS: inflight, lease. ARGV: id, token
const RedisScript kAck(R"lua(
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
)lua");

// KEYS: inflight, due, lease. ARGV: now_ms
const RedisScript kReap(R"lua(
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1000)
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZADD', KEYS[2], ARGV[1], id)
end
return #ids
)lua");

// KEYS: post, due, inflight, lease, held, ws index.
// ARGV: old body, new body, action ('' | add | remove | hold), at_ms, id,
//       fencing token ('' = no claim to end), listing score ('' = unchanged),
//       '1' if the post must still be due or held
// Returns 1 done, 0 the post changed meanwhile, -1 the claim was lost,
// -2 the post is no longer pending.
const RedisScript kCompareAndSet(R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[8] == '1' and not redis.call('ZSCORE', KEYS[2], ARGV[5]) and not redis.call('ZSCORE', KEYS[5], ARGV[5]) then
  return -2
end
if ARGV[6] ~= '' then
  if redis.call('HGET', KEYS[4], ARGV[5]) ~= ARGV[6] then return -1 end
  redis.call('HDEL', KEYS[4], ARGV[5])
  redis.call('ZREM', KEYS[3], ARGV[5])
end
redis.call('SET', KEYS[1], ARGV[2])
local action = ARGV[3]
if action == 'add' then
  redis.call('ZREM', KEYS[5], ARGV[5])
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
elseif action == 'remove' then
  redis.call('ZREM', KEYS[2], ARGV[5])
  redis.call('ZREM', KEYS[5], ARGV[5])
elseif action == 'hold' then
  redis.call('ZREM', KEYS[2], ARGV[5])
  redis.call('ZADD', KEYS[5], ARGV[4], ARGV[5])
end
if ARGV[7] ~= '' then redis.call('ZADD', KEYS[6], ARGV[7], ARGV[5]) end
return 1
)lua");

// kCompareAndSet for many claimed posts of one shard in one call (the Lua
// call itself is the main cost at high rates).
// KEYS: due, inflight, lease, held, then (post, ws index) per post.
// ARGV: per post 7 values as for kCompareAndSet. Returns one result per post.
const RedisScript kCompareAndSetMany(R"lua(
local out = {}
local n = (#KEYS - 4) / 2
for i = 1, n do
  local post, ws = KEYS[3 + 2 * i], KEYS[4 + 2 * i]
  local a = (i - 1) * 7
  local old, new, action, at, id, token, score =
    ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6], ARGV[a + 7]
  if redis.call('GET', post) ~= old then
    out[i] = 0
  elseif redis.call('HGET', KEYS[3], id) ~= token then
    out[i] = -1
  else
    redis.call('HDEL', KEYS[3], id)
    redis.call('ZREM', KEYS[2], id)
    redis.call('SET', post, new)
    if action == 'add' then
      redis.call('ZREM', KEYS[4], id)
      redis.call('ZADD', KEYS[1], at, id)
    elseif action == 'remove' then
      redis.call('ZREM', KEYS[1], id)
      redis.call('ZREM', KEYS[4], id)
    elseif action == 'hold' then
      redis.call('ZREM', KEYS[1], id)
      redis.call('ZADD', KEYS[4], at, id)
    end
    if score ~= '' then redis.call('ZADD', ws, score, id) end
    out[i] = 1
  end
end
return out
)lua");

// KEYS: inflight, lease. ARGV: (id, token) pairs. Returns 1 or -1 per pair.
const RedisScript kAckMany(R"lua(
local out = {}
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[i + 1] then
    redis.call('HDEL', KEYS[2], ARGV[i])
    redis.call('ZREM', KEYS[1], ARGV[i])
    out[#out + 1] = 1
  else
    out[#out + 1] = -1
  end
end
return out
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

absl::StatusOr<Post> Parse(const std::string& bytes) {
  Post post;
  if (!post.ParseFromString(bytes)) return absl::DataLossError("stored post does not parse");
  return post;
}

}  // namespace

std::string PostStore::TagOf(const std::string& post_id) const { return Tag(ShardOf(post_id, shards_)); }

absl::StatusOr<Post> PostStore::Create(const Post& post) {
  std::string tag = TagOf(post.id());
  std::string due = InDueIndex(post.state()) ? std::to_string(ToMs(post.publish_at())) : "";
  auto reply = redis_.Eval(kCreate, {tag + ":post:" + post.id(), tag + ":due", tag + ":ws:" + post.workspace_id()},
                           {post.SerializeAsString(), due, post.id(), std::to_string(ListingScore(post))});
  if (!reply.ok()) return reply.status();
  if (reply->elements.size() != 2) return absl::InternalError("create: unexpected reply");
  return Parse(reply->elements[1].str);
}

absl::StatusOr<std::vector<Post>> PostStore::CreateMany(const std::vector<Post>& posts) {
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  calls.reserve(posts.size());
  for (const auto& post : posts) {
    std::string tag = TagOf(post.id());
    std::string due = InDueIndex(post.state()) ? std::to_string(ToMs(post.publish_at())) : "";
    calls.push_back({{tag + ":post:" + post.id(), tag + ":due", tag + ":ws:" + post.workspace_id()},
                     {post.SerializeAsString(), due, post.id(), std::to_string(ListingScore(post))}});
  }
  std::vector<Post> out;
  if (calls.empty()) return out;
  auto replies = redis_.EvalPipeline(kCreate, calls);
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    if (r.is_error() || r.elements.size() != 2) return absl::InternalError("create: " + r.str);
    auto post = Parse(r.elements[1].str);
    if (!post.ok()) return post.status();
    out.push_back(std::move(*post));
  }
  return out;
}

absl::StatusOr<std::optional<int64_t>> PostStore::NextDueMs() {
  std::vector<RedisClient::Args> cmds;
  for (int s = 0; s < shards_; ++s) cmds.push_back({"ZRANGE", Tag(s) + ":due", "0", "0", "WITHSCORES"});
  auto replies = redis_.Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  std::optional<int64_t> next;
  for (const auto& r : *replies) {
    if (r.elements.size() == 2) {
      int64_t at = r.elements[1].AsInt();
      if (!next || at < *next) next = at;
    }
  }
  return next;
}

absl::StatusOr<Post> PostStore::Get(const std::string& post_id) {
  auto reply = redis_.Command({"GET", TagOf(post_id) + ":post:" + post_id});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return absl::NotFoundError("post " + post_id + " not found");
  auto post = Parse(reply->str);
  if (!post.ok()) return post.status();
  if (auto s = DeriveDispatched({&*post}); !s.ok()) return s;
  return post;
}

absl::Status PostStore::DeriveDispatched(std::vector<Post*> posts) {
  std::vector<RedisClient::Args> cmds;
  std::vector<Post*> scheduled;
  for (Post* p : posts) {
    if (p->state() != herald::scheduler::v1::POST_STATE_SCHEDULED) continue;
    std::string tag = TagOf(p->id());
    for (const char* set : {":due", ":inflight", ":held"}) cmds.push_back({"ZSCORE", tag + set, p->id()});
    scheduled.push_back(p);
  }
  if (cmds.empty()) return absl::OkStatus();
  auto replies = redis_.Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < scheduled.size(); ++i) {
    bool waiting = false;
    for (size_t k = 0; k < 3; ++k) waiting |= !(*replies)[3 * i + k].is_nil();
    if (!waiting) MarkDispatched(*scheduled[i], ToMs(scheduled[i]->update_time()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int>> PostStore::AckMany(const std::vector<const ClaimedPost*>& claims) {
  std::map<int, std::vector<size_t>> by_shard;
  for (size_t i = 0; i < claims.size(); ++i) by_shard[ShardOf(claims[i]->post.id(), shards_)].push_back(i);
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  std::vector<const std::vector<size_t>*> members;
  for (const auto& [shard, idx] : by_shard) {
    std::string tag = Tag(shard);
    RedisClient::Args args;
    for (size_t i : idx) {
      args.push_back(claims[i]->post.id());
      args.push_back(std::to_string(claims[i]->fencing_token));
    }
    calls.push_back({{tag + ":inflight", tag + ":lease"}, std::move(args)});
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

absl::StatusOr<std::vector<Post>> PostStore::List(const std::string& workspace_id, size_t limit,
                                                  const std::string& after_cursor, int64_t from_ms, int64_t to_ms) {
  // Each shard holds part of the workspace's index; merge the first `limit` of each.
  int64_t after_ms = -1;
  std::string after_id;
  if (!after_cursor.empty()) {
    auto colon = after_cursor.find(':');
    if (colon == std::string::npos) return absl::InvalidArgumentError("page_token: malformed");
    try {
      after_ms = std::stoll(after_cursor.substr(0, colon));
    } catch (...) {
      return absl::InvalidArgumentError("page_token: malformed");
    }
    after_id = after_cursor.substr(colon + 1);
  }
  std::vector<RedisClient::Args> cmds;
  after_ms = std::max(after_ms, from_ms);
  std::string min = after_ms < 0 ? "-inf" : std::to_string(after_ms);
  std::string max = to_ms == INT64_MAX ? "+inf" : std::to_string(to_ms);
  for (int s = 0; s < shards_; ++s) {
    cmds.push_back({"ZRANGEBYSCORE", Tag(s) + ":ws:" + workspace_id, min, max, "WITHSCORES", "LIMIT", "0",
                    std::to_string(limit + 64)});
  }
  auto replies = redis_.Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  std::vector<std::pair<int64_t, std::string>> entries;
  for (const auto& r : *replies) {
    if (r.is_error()) return absl::InternalError(r.str);
    for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
      int64_t ms = r.elements[i + 1].AsInt();
      const std::string& id = r.elements[i].str;
      if (ms < after_ms || (ms == after_ms && id <= after_id)) continue;
      entries.emplace_back(ms, id);
    }
  }
  std::sort(entries.begin(), entries.end());
  if (entries.size() > limit) entries.resize(limit);
  std::vector<RedisClient::Args> gets;
  for (const auto& [ms, id] : entries) gets.push_back({"GET", TagOf(id) + ":post:" + id});
  std::vector<Post> posts;
  if (gets.empty()) return posts;
  auto bodies = redis_.Pipeline(gets);
  if (!bodies.ok()) return bodies.status();
  for (const auto& b : *bodies) {
    if (b.is_nil()) continue;
    auto post = Parse(b.str);
    if (!post.ok()) return post.status();
    posts.push_back(std::move(*post));
  }
  std::vector<Post*> views;
  for (auto& p : posts) views.push_back(&p);
  if (auto s = DeriveDispatched(views); !s.ok()) return s;
  return posts;
}

absl::StatusOr<std::vector<ClaimedPost>> PostStore::Claim(int shard, int64_t now_ms, int64_t lease_ms, int limit) {
  std::string tag = Tag(shard);
  auto reply = redis_.Eval(kClaim, {tag + ":due", tag + ":inflight", tag + ":lease", tag + ":fence"},
                           {std::to_string(now_ms), std::to_string(lease_ms), std::to_string(limit), tag + ":post:"});
  if (!reply.ok()) return reply.status();
  std::vector<ClaimedPost> out;
  if (reply->elements.size() < 2) return out;
  int64_t token = reply->elements[0].AsInt();
  for (size_t i = 2; i + 1 < reply->elements.size(); i += 2) {
    const auto& body = reply->elements[i + 1].str;
    if (body.empty()) continue;  // deleted post: nothing to send
    auto post = Parse(body);
    if (!post.ok()) return post.status();
    out.push_back({std::move(*post), token, body});
  }
  return out;
}

absl::StatusOr<ClaimRound> PostStore::ClaimAll(int64_t now_ms, int64_t lease_ms, int limit_per_shard) {
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  for (int s = 0; s < shards_; ++s) {
    std::string tag = Tag(s);
    calls.push_back({{tag + ":due", tag + ":inflight", tag + ":lease", tag + ":fence"},
                     {std::to_string(now_ms), std::to_string(lease_ms), std::to_string(limit_per_shard),
                      tag + ":post:"}});
  }
  auto replies = redis_.EvalPipeline(kClaim, calls);
  if (!replies.ok()) return replies.status();
  ClaimRound out;
  for (const auto& reply : *replies) {
    if (reply.is_error()) return absl::InternalError("claim: " + reply.str);
    if (reply.elements.size() < 2) continue;
    int64_t token = reply.elements[0].AsInt();
    if (!reply.elements[1].str.empty()) {
      int64_t next = reply.elements[1].AsInt();
      if (!out.next_due_ms || next < *out.next_due_ms) out.next_due_ms = next;
    }
    size_t claimed = (reply.elements.size() - 2) / 2;
    out.shard_full |= claimed >= static_cast<size_t>(limit_per_shard);
    for (size_t i = 2; i + 1 < reply.elements.size(); i += 2) {
      const auto& body = reply.elements[i + 1].str;
      if (body.empty()) continue;
      auto post = Parse(body);
      if (!post.ok()) return post.status();
      out.posts.push_back({std::move(*post), token, body});
    }
  }
  return out;
}

absl::StatusOr<int64_t> PostStore::ReapAll(int64_t now_ms) {
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  for (int s = 0; s < shards_; ++s) {
    std::string tag = Tag(s);
    calls.push_back({{tag + ":inflight", tag + ":due", tag + ":lease"}, {std::to_string(now_ms)}});
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

absl::StatusOr<bool> PostStore::Ack(const std::string& post_id, int64_t fencing_token) {
  std::string tag = TagOf(post_id);
  auto reply = redis_.Eval(kAck, {tag + ":inflight", tag + ":lease"}, {post_id, std::to_string(fencing_token)});
  if (!reply.ok()) return reply.status();
  return reply->AsInt() == 1;
}

absl::StatusOr<int64_t> PostStore::ReapExpired(int shard, int64_t now_ms) {
  std::string tag = Tag(shard);
  auto reply = redis_.Eval(kReap, {tag + ":inflight", tag + ":due", tag + ":lease"}, {std::to_string(now_ms)});
  if (!reply.ok()) return reply.status();
  return reply->AsInt();
}

absl::StatusOr<std::optional<Post>> PostStore::Update(const std::string& post_id, const Mutation& mutate,
                                                      std::optional<int64_t> ack_token) {
  std::string tag = TagOf(post_id);
  std::string key = tag + ":post:" + post_id;
  for (int attempt = 0; attempt < 50; ++attempt) {
    auto current = redis_.Command({"GET", key});
    if (!current.ok()) return current.status();
    if (current->is_nil()) return absl::NotFoundError("post " + post_id + " not found");
    auto post = Parse(current->str);
    if (!post.ok()) return post.status();
    DueChange change;
    if (!mutate(*post, &change)) {
      if (ack_token) {
        auto acked = Ack(post_id, *ack_token);
        if (!acked.ok()) return acked.status();
        if (!*acked) return absl::FailedPreconditionError("claim of " + post_id + " was lost");
      }
      return std::optional<Post>();
    }
    static const char* kActions[] = {"", "add", "remove", "hold"};
    auto reply = redis_.Eval(
        kCompareAndSet,
        {key, tag + ":due", tag + ":inflight", tag + ":lease", tag + ":held", tag + ":ws:" + post->workspace_id()},
        {current->str, post->SerializeAsString(), kActions[static_cast<int>(change.action)],
         std::to_string(change.at_ms), post_id, ack_token ? std::to_string(*ack_token) : "",
         std::to_string(ListingScore(*post)), change.require_pending ? "1" : ""});
    if (!reply.ok()) return reply.status();
    if (reply->AsInt() == 1) return std::optional<Post>(std::move(*post));
    if (reply->AsInt() == -1) return absl::FailedPreconditionError("claim of " + post_id + " was lost");
    if (reply->AsInt() == -2) return absl::FailedPreconditionError("post " + post_id + " is already with the publisher");
  }
  return absl::AbortedError("post " + post_id + " changed concurrently too often");
}

absl::StatusOr<std::vector<int>> PostStore::UpdateClaimed(const std::vector<ClaimedChange>& changes) {
  static const char* kActions[] = {"", "add", "remove", "hold"};
  // One script call per shard; calls for all shards in one pipeline.
  std::map<int, std::vector<size_t>> by_shard;
  for (size_t i = 0; i < changes.size(); ++i) by_shard[ShardOf(changes[i].claimed->post.id(), shards_)].push_back(i);
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  std::vector<int> shards;
  for (const auto& [shard, members] : by_shard) {
    std::string tag = Tag(shard);
    RedisClient::Args keys{tag + ":due", tag + ":inflight", tag + ":lease", tag + ":held"}, args;
    for (size_t i : members) {
      const auto& c = changes[i];
      const std::string& id = c.claimed->post.id();
      keys.push_back(tag + ":post:" + id);
      keys.push_back(tag + ":ws:" + c.updated.workspace_id());
      args.insert(args.end(),
                  {c.claimed->body, c.updated.SerializeAsString(), kActions[static_cast<int>(c.change.action)],
                   std::to_string(c.change.at_ms), id, std::to_string(c.claimed->fencing_token),
                   // The listing index moves only when the time does.
                   ListingScore(c.updated) == ListingScore(c.claimed->post) ? ""
                                                                            : std::to_string(ListingScore(c.updated))});
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

absl::StatusOr<std::optional<herald::scheduler::v1::Queue>> PostStore::GetQueue(const std::string& channel_id) {
  auto r = redis_.Command({"GET", "sched:{q:" + channel_id + "}"});
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

absl::StatusOr<std::optional<int64_t>> PostStore::ReserveSlot(const std::string& channel_id,
                                                              const std::vector<int64_t>& candidates,
                                                              const std::string& post_id, int64_t now_ms) {
  RedisClient::Args args{std::to_string(now_ms), post_id};
  for (int64_t c : candidates) args.push_back(std::to_string(c));
  auto r = redis_.Eval(kReserveSlot, {"sched:{q:" + channel_id + "}:taken"}, args);
  if (!r.ok()) return r.status();
  int64_t slot = r->AsInt();
  if (slot < 0) return std::optional<int64_t>();
  return std::optional<int64_t>(slot);
}

absl::StatusOr<std::vector<int64_t>> PostStore::TakenSlots(const std::string& channel_id, int64_t from_ms) {
  auto r = redis_.Command({"ZRANGEBYSCORE", "sched:{q:" + channel_id + "}:taken", std::to_string(from_ms), "+inf",
                           "WITHSCORES"});
  if (!r.ok()) return r.status();
  std::vector<int64_t> out;
  for (size_t i = 1; i < r->elements.size(); i += 2) out.push_back(r->elements[i].AsInt());
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

absl::StatusOr<std::pair<int64_t, int64_t>> PostStore::Backlog() {
  std::vector<RedisClient::Args> cmds;
  for (int s = 0; s < shards_; ++s) {
    cmds.push_back({"ZCARD", Tag(s) + ":due"});
    cmds.push_back({"ZCARD", Tag(s) + ":inflight"});
  }
  auto replies = redis_.Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  std::pair<int64_t, int64_t> out{0, 0};
  for (size_t i = 0; i < replies->size(); ++i) ((i % 2) ? out.second : out.first) += (*replies)[i].AsInt();
  return out;
}

}  // namespace herald::scheduler
