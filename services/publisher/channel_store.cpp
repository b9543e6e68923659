#include "publisher/channel_store.h"

namespace herald::publisher {
namespace {

using herald::publisher::v1::Channel;

// KEYS: channel hash, index. ARGV: channel bytes, sealed token, id
const RedisScript kPut(R"lua(
redis.call('HSET', KEYS[1], 'channel', ARGV[1], 'token', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
return 1
)lua");

}  // namespace

absl::Status ChannelStore::Put(const Channel& channel, const std::string& access_token) {
  auto r = redis_.Eval(kPut, {Key(channel.workspace_id(), channel.id()), Index(channel.workspace_id())},
                       {channel.SerializeAsString(), box_.Seal(access_token), channel.id()});
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::StatusOr<Channel> ChannelStore::Get(const std::string& ws, const std::string& id) {
  auto r = redis_.Command({"HGET", Key(ws, id), "channel"});
  if (!r.ok()) return r.status();
  if (r->is_nil()) return absl::NotFoundError("channel " + id + " not found");
  Channel c;
  if (!c.ParseFromString(r->str)) return absl::DataLossError("stored channel does not parse");
  return c;
}

absl::StatusOr<ChannelWithToken> ChannelStore::GetWithToken(const std::string& ws, const std::string& id) {
  auto r = redis_.Command({"HMGET", Key(ws, id), "channel", "token"});
  if (!r.ok()) return r.status();
  if (r->elements.size() != 2 || r->elements[0].is_nil()) return absl::NotFoundError("channel " + id + " not found");
  ChannelWithToken out;
  if (!out.channel.ParseFromString(r->elements[0].str)) return absl::DataLossError("stored channel does not parse");
  auto token = box_.Open(r->elements[1].str);
  if (!token.ok()) return token.status();
  out.access_token = std::move(*token);
  return out;
}

absl::StatusOr<std::vector<Channel>> ChannelStore::List(const std::string& ws) {
  auto ids = redis_.Command({"SMEMBERS", Index(ws)});
  if (!ids.ok()) return ids.status();
  std::vector<RedisClient::Args> cmds;
  for (const auto& id : ids->elements) cmds.push_back({"HGET", Key(ws, id.str), "channel"});
  std::vector<Channel> out;
  if (cmds.empty()) return out;
  auto replies = redis_.Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    Channel c;
    if (!r.is_nil() && c.ParseFromString(r.str)) out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const Channel& a, const Channel& b) { return a.id() < b.id(); });
  return out;
}

absl::Status ChannelStore::SetStatus(const std::string& ws, const std::string& id,
                                     herald::publisher::v1::ChannelStatus status) {
  // Read-modify-write of one field; only this service writes channels and a
  // lost race just repeats a status change.
  auto c = Get(ws, id);
  if (!c.ok()) return c.status();
  c->set_status(status);
  auto r = redis_.Command({"HSET", Key(ws, id), "channel", c->SerializeAsString()});
  return r.ok() ? absl::OkStatus() : r.status();
}

}  // namespace herald::publisher
