#include "listener/inbox/inbox_settings_store.h"

#include <algorithm>
#include <tuple>

#include "listener/store/capped_hash.h"

namespace herald::listener {

namespace {

std::string Key(const std::string& ws, const char* what) { return "lst:{" + ws + "}:" + what; }

// KEYS: agents. ARGV: id, agent, cap. 0 at the cap for a new agent.
const RedisScript kPutAgent(R"lua(
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
)lua");

template <class M>
std::vector<M> ParseAll(const RedisReply& reply) {
  std::vector<M> out;
  for (const auto& e : reply.elements) {
    M m;
    if (m.ParseFromString(e.str)) out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

absl::Status InboxSettingsStore::PutAgent(const std::string& ws, const v1::Agent& agent) {
  v1::Agent stored = agent;
  stored.clear_open_conversations();  // counted by the conversation store
  auto r = redis_.Eval(kPutAgent, {Key(ws, "agents")},
                       {agent.id(), stored.SerializeAsString(), std::to_string(kMaxAgents)});
  if (!r.ok()) return r.status();
  if (r->integer == 0) return absl::ResourceExhaustedError("the workspace has 1000 agents, the most it may have");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Agent>> InboxSettingsStore::Agents(const std::string& ws) {
  auto r = redis_.Command({"HVALS", Key(ws, "agents")});
  if (!r.ok()) return r.status();
  auto agents = ParseAll<v1::Agent>(*r);
  std::sort(agents.begin(), agents.end(), [](const auto& a, const auto& b) { return a.id() < b.id(); });
  return agents;
}

absl::StatusOr<v1::SavedReply> InboxSettingsStore::CreateSavedReply(const std::string& ws, const v1::SavedReply& reply) {
  auto r = PutIfAbsentCapped(redis_, Key(ws, "saved"), reply.id(), reply.SerializeAsString(), kMaxSavedReplies);
  if (!r.ok()) return r.status();
  if (!r->has_value()) {
    return absl::ResourceExhaustedError("the workspace has 500 saved replies, the most it may have; delete one first");
  }
  v1::SavedReply stored;
  if (!stored.ParseFromString(**r)) return absl::DataLossError("stored saved reply is unreadable");
  return stored;
}

absl::StatusOr<std::vector<v1::SavedReply>> InboxSettingsStore::SavedReplies(const std::string& ws) {
  auto r = redis_.Command({"HVALS", Key(ws, "saved")});
  if (!r.ok()) return r.status();
  auto replies = ParseAll<v1::SavedReply>(*r);
  std::sort(replies.begin(), replies.end(), [](const auto& a, const auto& b) { return a.name() < b.name(); });
  return replies;
}

absl::StatusOr<std::optional<v1::SavedReply>> InboxSettingsStore::SavedReply(const std::string& ws,
                                                                           const std::string& id) {
  auto r = redis_.Command({"HGET", Key(ws, "saved"), id});
  if (!r.ok()) return r.status();
  v1::SavedReply reply;
  if (r->is_nil() || !reply.ParseFromString(r->str)) return std::optional<v1::SavedReply>();
  return std::optional<v1::SavedReply>(std::move(reply));
}

absl::StatusOr<bool> InboxSettingsStore::DeleteSavedReply(const std::string& ws, const std::string& id) {
  auto r = redis_.Command({"HDEL", Key(ws, "saved"), id});
  if (!r.ok()) return r.status();
  return r->integer > 0;
}

absl::StatusOr<v1::AutoAnswer> InboxSettingsStore::CreateAutoAnswer(const std::string& ws, const v1::AutoAnswer& a) {
  auto r = PutIfAbsentCapped(redis_, Key(ws, "auto"), a.id(), a.SerializeAsString(), kMaxAutoAnswers);
  if (!r.ok()) return r.status();
  if (!r->has_value()) {
    return absl::ResourceExhaustedError("the workspace has 50 automated answers, the most it may have; delete one first");
  }
  v1::AutoAnswer stored;
  if (!stored.ParseFromString(**r)) return absl::DataLossError("stored automated answer is unreadable");
  return stored;
}

absl::StatusOr<std::vector<v1::AutoAnswer>> InboxSettingsStore::AutoAnswers(const std::string& ws) {
  auto r = redis_.Command({"HVALS", Key(ws, "auto")});
  if (!r.ok()) return r.status();
  auto answers = ParseAll<v1::AutoAnswer>(*r);
  std::sort(answers.begin(), answers.end(), [](const auto& a, const auto& b) {
    return std::make_tuple(a.create_time().seconds(), a.create_time().nanos(), a.id()) <
           std::make_tuple(b.create_time().seconds(), b.create_time().nanos(), b.id());
  });
  return answers;
}

absl::StatusOr<bool> InboxSettingsStore::DeleteAutoAnswer(const std::string& ws, const std::string& id) {
  auto r = redis_.Command({"HDEL", Key(ws, "auto"), id});
  if (!r.ok()) return r.status();
  return r->integer > 0;
}

absl::Status InboxSettingsStore::SetSlaPolicy(const std::string& ws, const v1::SlaPolicy& policy) {
  auto r = redis_.Command({"SET", Key(ws, "sla"), policy.SerializeAsString()});
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::StatusOr<v1::SlaPolicy> InboxSettingsStore::SlaPolicy(const std::string& ws) {
  auto r = redis_.Command({"GET", Key(ws, "sla")});
  if (!r.ok()) return r.status();
  v1::SlaPolicy policy;
  if (!r->is_nil() && !policy.ParseFromString(r->str)) return absl::DataLossError("stored SLA policy is unreadable");
  return policy;
}

}  // namespace herald::listener
