#include "publisher/channel_store.h"

#include <algorithm>

namespace herald::publisher {
namespace {

using herald::publisher::v1::Channel;

constexpr char kReauthIndex[] = "pub:reauth";

// KEYS: channel hash, index. ARGV: channel bytes, sealed token, id, sealed
// refresh token ('' keeps the stored one).
const RedisScript kPut(R"lua(
redis.call('HSET', KEYS[1], 'channel', ARGV[1], 'token', ARGV[2])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'refresh', ARGV[4]) end
redis.call('SADD', KEYS[2], ARGV[3])
return 1
)lua");

// KEYS: channel hash. ARGV: channel bytes as read, new channel bytes, sealed
// token, sealed refresh token ('' keeps the stored one).
const RedisScript kReplaceTokens(R"lua(
if redis.call('HGET', KEYS[1], 'channel') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'channel', ARGV[2], 'token', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'refresh', ARGV[4]) end
return 1
)lua");

// KEYS: channel hash. ARGV: channel bytes.
const RedisScript kDisconnect(R"lua(
redis.call('HSET', KEYS[1], 'channel', ARGV[1])
redis.call('HDEL', KEYS[1], 'token', 'refresh')
return 1
)lua");

// HMGET channel, refresh → the channel with `refreshable` filled in.
absl::StatusOr<Channel> ParseChannel(const RedisReply& channel, const RedisReply& refresh) {
  Channel c;
  if (!c.ParseFromString(channel.str)) return absl::DataLossError("stored channel does not parse");
  c.set_refreshable(!refresh.is_nil() && !refresh.str.empty());
  return c;
}

}  // namespace

absl::Status ChannelStore::Put(const Channel& channel, const std::string& access_token,
                               const std::string& refresh_token) {
  Channel stored = channel;
  stored.clear_refreshable();
  auto r = redis_.Eval(kPut, {Key(channel.workspace_id(), channel.id()), Index(channel.workspace_id())},
                       {stored.SerializeAsString(), box_.Seal(access_token), channel.id(),
                        refresh_token.empty() ? "" : box_.Seal(refresh_token)});
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::StatusOr<bool> ChannelStore::ReplaceTokens(const ChannelWithToken& read, const Channel& channel,
                                                 const std::string& access_token, const std::string& refresh_token) {
  Channel stored = channel;
  stored.clear_refreshable();
  auto r = redis_.Eval(kReplaceTokens, {Key(channel.workspace_id(), channel.id())},
                       {read.version, stored.SerializeAsString(), box_.Seal(access_token),
                        refresh_token.empty() ? "" : box_.Seal(refresh_token)});
  if (!r.ok()) return r.status();
  return r->AsInt() == 1;
}

absl::Status ChannelStore::PutDisconnected(const Channel& channel) {
  Channel stored = channel;
  stored.clear_refreshable();
  stored.clear_token_expire_time();
  stored.set_status(herald::publisher::v1::CHANNEL_STATUS_DISCONNECTED);
  auto r = redis_.Eval(kDisconnect, {Key(channel.workspace_id(), channel.id())}, {stored.SerializeAsString()});
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::StatusOr<Channel> ChannelStore::Get(const WorkspaceId& workspace, const ChannelId& channel) {
  const std::string& ws = workspace.str();
  const std::string& id = channel.str();
  auto r = redis_.Command({"HMGET", Key(ws, id), "channel", "refresh"});
  if (!r.ok()) return r.status();
  if (r->elements.size() != 2 || r->elements[0].is_nil()) return absl::NotFoundError("channel " + id + " not found");
  return ParseChannel(r->elements[0], r->elements[1]);
}

absl::StatusOr<ChannelWithToken> ChannelStore::GetWithToken(const WorkspaceId& workspace, const ChannelId& channel_id) {
  const std::string& ws = workspace.str();
  const std::string& id = channel_id.str();
  auto r = redis_.Command({"HMGET", Key(ws, id), "channel", "token", "refresh"});
  if (!r.ok()) return r.status();
  if (r->elements.size() != 3 || r->elements[0].is_nil()) return absl::NotFoundError("channel " + id + " not found");
  auto channel = ParseChannel(r->elements[0], r->elements[2]);
  if (!channel.ok()) return channel.status();
  ChannelWithToken out;
  out.channel = *std::move(channel);
  out.version = r->elements[0].str;
  // A disconnected channel has no credentials.
  for (auto [reply, field] : {std::pair{&r->elements[1], &out.access_token}, {&r->elements[2], &out.refresh_token}}) {
    if (reply->is_nil() || reply->str.empty()) continue;
    auto opened = box_.Open(reply->str);
    if (!opened.ok()) return opened.status();
    *field = std::move(*opened);
  }
  return out;
}

absl::StatusOr<std::vector<Channel>> ChannelStore::List(const WorkspaceId& workspace) {
  const std::string& ws = workspace.str();
  auto ids = redis_.Command({"SMEMBERS", Index(ws)});
  if (!ids.ok()) return ids.status();
  std::vector<RedisClient::Args> cmds;
  for (const auto& id : ids->elements) cmds.push_back({"HMGET", Key(ws, id.str), "channel", "refresh"});
  std::vector<Channel> out;
  if (cmds.empty()) return out;
  auto replies = redis_.Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    if (r.elements.size() != 2 || r.elements[0].is_nil()) continue;
    if (auto c = ParseChannel(r.elements[0], r.elements[1]); c.ok()) out.push_back(*std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const Channel& a, const Channel& b) { return a.id() < b.id(); });
  return out;
}

absl::Status ChannelStore::SetStatus(const WorkspaceId& workspace, const ChannelId& channel,
                                     herald::publisher::v1::ChannelStatus status) {
  // Read-modify-write of one field; only this service writes channels and a
  // lost race just repeats a status change.
  auto c = Get(workspace, channel);
  if (!c.ok()) return c.status();
  const bool reauth = status == herald::publisher::v1::CHANNEL_STATUS_NEEDS_REAUTH;
  const std::string member = workspace.str() + "/" + channel.str();
  // Indexed before (a crash between the steps leaves an entry NeedingReauth
  // prunes, never a miss) and after (a prune racing this write re-reads, see there).
  if (reauth) {
    if (auto r = redis_.Command({"SADD", kReauthIndex, member}); !r.ok()) return r.status();
  }
  c->set_status(status);
  c->clear_refreshable();
  auto r = redis_.Command({"HSET", Key(workspace.str(), channel.str()), "channel", c->SerializeAsString()});
  if (!r.ok()) return r.status();
  if (reauth) {
    if (auto again = redis_.Command({"SADD", kReauthIndex, member}); !again.ok()) return again.status();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Channel>> ChannelStore::NeedingReauth(size_t max) {
  auto members = redis_.Command({"SRANDMEMBER", kReauthIndex, std::to_string(max)});
  if (!members.ok()) return members.status();
  std::vector<RedisClient::Args> reads;
  for (const auto& m : members->elements) {
    auto slash = m.str.find('/');
    reads.push_back({"HGET", Key(m.str.substr(0, slash), slash == std::string::npos ? "" : m.str.substr(slash + 1)),
                     "channel"});
  }
  std::vector<Channel> out;
  if (reads.empty()) return out;
  auto channels = redis_.Pipeline(reads);
  if (!channels.ok()) return channels.status();
  std::vector<RedisClient::Args> prune;
  for (size_t i = 0; i < channels->size(); ++i) {
    Channel c;
    const RedisReply& r = (*channels)[i];
    if (!r.is_nil() && c.ParseFromString(r.str) && c.status() == herald::publisher::v1::CHANNEL_STATUS_NEEDS_REAUTH) {
      out.push_back(std::move(c));
    } else {
      prune.push_back({"SREM", kReauthIndex, members->elements[i].str});
    }
  }
  if (prune.empty()) return out;
  if (auto pruned = redis_.Pipeline(prune); !pruned.ok()) return pruned.status();
  // A channel that needed re-authorisation between the read and the SREM
  // (SetStatus indexes it after writing): read again, index again.
  std::vector<RedisClient::Args> again;
  for (const auto& cmd : prune) {
    const std::string& m = cmd[2];
    auto slash = m.find('/');
    again.push_back({"HGET", Key(m.substr(0, slash), slash == std::string::npos ? "" : m.substr(slash + 1)), "channel"});
  }
  auto reread = redis_.Pipeline(again);
  if (!reread.ok()) return reread.status();
  for (size_t i = 0; i < reread->size(); ++i) {
    Channel c;
    const RedisReply& r = (*reread)[i];
    if (r.is_nil() || !c.ParseFromString(r.str) || c.status() != herald::publisher::v1::CHANNEL_STATUS_NEEDS_REAUTH) {
      continue;
    }
    if (auto back = redis_.Command({"SADD", kReauthIndex, prune[i][2]}); !back.ok()) return back.status();
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace herald::publisher
