#include "campaign/experiments/experiment_store.h"

#include "campaign/outbox.h"
#include "common/time_util.h"

namespace herald::campaign {
namespace {

constexpr size_t kMaxListed = 200;

std::string Key(const std::string& ws, const std::string& id) { return "exp:{" + ws + "}:e:" + id; }
std::string CampaignKey(const std::string& ws, const std::string& campaign) { return "exp:{" + ws + "}:k:" + campaign; }

// KEYS: experiment, campaign list. ARGV: body, status, id, created ms.
const RedisScript kPut(R"lua(
if redis.call('HGET', KEYS[1], 's') == 'concluded' then return 0 end
redis.call('HSET', KEYS[1], 'b', ARGV[1], 's', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
return 1
)lua");

// KEYS: experiment, outbox. ARGV: body, outbox member, now ms.
const RedisScript kConclude(R"lua(
if redis.call('HGET', KEYS[1], 's') == 'concluded' then return {0, redis.call('HGET', KEYS[1], 'b')} end
redis.call('HSET', KEYS[1], 'b', ARGV[1], 's', 'concluded')
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
return {1}
)lua");

absl::StatusOr<v1::Experiment> Parse(const std::string& bytes) {
  v1::Experiment e;
  if (!e.ParseFromString(bytes)) return absl::DataLossError("stored experiment does not parse");
  return e;
}

}  // namespace

absl::StatusOr<std::optional<v1::Experiment>> ExperimentStore::Get(const std::string& ws, const std::string& id) {
  auto r = redis_.Command({"HGET", Key(ws, id), "b"});
  if (!r.ok()) return r.status();
  if (r->is_nil()) return std::optional<v1::Experiment>();
  auto e = Parse(r->str);
  if (!e.ok()) return e.status();
  return std::optional<v1::Experiment>(std::move(*e));
}

absl::Status ExperimentStore::Put(const v1::Experiment& e) {
  auto r = redis_.Eval(kPut, {Key(e.workspace_id(), e.id()), CampaignKey(e.workspace_id(), e.campaign_id())},
                       {e.SerializeAsString(), e.status(), e.id(), std::to_string(ToMs(e.create_time()))});
  if (!r.ok()) return r.status();
  if (r->is_error()) return absl::InternalError("store experiment: " + r->str);
  if (r->AsInt() == 0) return absl::FailedPreconditionError("experiment " + e.id() + " is concluded");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Experiment>> ExperimentStore::List(const std::string& ws, const std::string& campaign) {
  auto ids = redis_.Command({"ZRANGE", CampaignKey(ws, campaign), "0", std::to_string(kMaxListed - 1)});
  if (!ids.ok()) return ids.status();
  std::vector<v1::Experiment> out;
  if (ids->elements.empty()) return out;
  std::vector<RedisClient::Args> reads;
  for (const auto& id : ids->elements) reads.push_back({"HGET", Key(ws, id.str), "b"});
  auto r = redis_.Pipeline(reads);
  if (!r.ok()) return r.status();
  for (const auto& reply : *r) {
    if (reply.is_nil() || reply.is_error()) continue;
    auto e = Parse(reply.str);
    if (e.ok()) out.push_back(std::move(*e));
  }
  return out;
}

absl::StatusOr<v1::Experiment> ExperimentStore::Conclude(const v1::Experiment& e, const std::string& member,
                                                          int64_t now_ms) {
  auto r = redis_.Eval(kConclude, {Key(e.workspace_id(), e.id()), OutboxKey(e.workspace_id())},
                       {e.SerializeAsString(), member, std::to_string(now_ms)});
  if (!r.ok()) return r.status();
  if (r->is_error() || r->elements.empty()) return absl::InternalError("conclude experiment: " + r->str);
  if (r->elements[0].AsInt() == 1) return e;
  return Parse(r->elements.size() > 1 ? r->elements[1].str : "");
}

}  // namespace herald::campaign
