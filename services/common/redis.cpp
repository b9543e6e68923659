#include "common/redis.h"

#include <openssl/sha.h>

#include <algorithm>
#include <thread>

#include "absl/strings/match.h"
#include "common/ids.h"
#include "common/redis_pool.h"
#include "common/redis_slots.h"

namespace herald {
namespace {

// Rounds of redirection one pipeline may take (a slot moved, then asked
// elsewhere mid-migration, then a failover...), and the pause before a round
// that follows TRYAGAIN/CLUSTERDOWN.
constexpr int kMaxRounds = 16;
constexpr auto kTransientPause = std::chrono::milliseconds(100);

const RedisClient::Args kAsking{"ASKING"};
const RedisClient::Args kClusterSlots{"CLUSTER", "SLOTS"};

std::vector<const RedisClient::Args*> Pointers(const std::vector<RedisClient::Args>& commands) {
  std::vector<const RedisClient::Args*> out;
  out.reserve(commands.size());
  for (const auto& c : commands) out.push_back(&c);
  return out;
}

bool IsMulti(const RedisClient::Args& args) {
  return !args.empty() && (absl::EqualsIgnoreCase(args[0], "MULTI") || absl::EqualsIgnoreCase(args[0], "EXEC"));
}

}  // namespace

long long RedisReply::AsInt() const {
  if (type == Type::kInteger) return integer;
  if (type == Type::kString || type == Type::kStatus) {
    try {
      return std::stoll(str);
    } catch (...) {
      return 0;
    }
  }
  return 0;
}

RedisScript::RedisScript(std::string source) : source_(std::move(source)) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(source_.data()), source_.size(), digest);
  sha1_ = ToHex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

RedisClient::RedisClient(RedisOptions options) : options_(std::move(options)) {
  if (!options_.cluster) seed_ = std::make_unique<RedisNodePool>(options_);
}
RedisClient::~RedisClient() = default;

absl::StatusOr<std::vector<RedisReply>> RedisClient::Pipeline(const std::vector<Args>& commands) {
  if (commands.empty()) return std::vector<RedisReply>{};
  if (options_.cluster) return ClusterPipeline(commands);
  for (const auto& c : commands) {
    if (CommandKeys(c).size() > 1) {
      if (auto slot = CommandSlot(c); !slot.ok()) return slot.status();
    }
  }
  auto replies = seed_->Pipeline(Pointers(commands));
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    if (r.is_error() && absl::StartsWith(r.str, "MOVED ")) {
      return absl::FailedPreconditionError("redis at " + seed_->address() +
                                           " is a cluster node: run with --redis-cluster");
    }
  }
  return replies;
}

absl::StatusOr<std::vector<RedisReply>> RedisClient::ClusterPipeline(const std::vector<Args>& commands) {
  std::vector<std::optional<uint16_t>> slots(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    if (IsMulti(commands[i])) {
      return absl::InvalidArgumentError("redis cluster: MULTI/EXEC spans nodes; use a script");
    }
    auto slot = CommandSlot(commands[i]);
    if (!slot.ok()) return slot.status();
    slots[i] = *slot;
  }
  std::vector<RedisReply> out(commands.size());
  std::vector<size_t> pending(commands.size());
  for (size_t i = 0; i < pending.size(); ++i) pending[i] = i;
  std::map<size_t, RedisNodeAddress> asked;  // command → the node an ASK sent it to

  for (int round = 0; round < kMaxRounds; ++round) {
    auto map = Map();
    if (!map.ok()) return map.status();
    // Group by node; std::map's order is also the order leases are taken
    // in, so two pipelines never wait on each other's pools.
    struct Batch {
      RedisNodeAddress node;
      std::vector<size_t> which;
      std::vector<const Args*> sent;  // with ASKING before asked commands
    };
    std::map<std::string, Batch> batches;
    for (size_t i : pending) {
      std::optional<RedisNodeAddress> node;
      bool ask = asked.count(i) > 0;
      if (ask) {
        node = asked[i];
      } else if (slots[i]) {
        node = (*map)->MasterFor(*slots[i]);
      } else {
        node = (*map)->masters().front();
      }
      if (!node) {
        RefreshSoon();
        return absl::UnavailableError("redis cluster: no master serves slot " + std::to_string(*slots[i]));
      }
      Batch& b = batches[node->Key()];
      b.node = *node;
      b.which.push_back(i);
      if (ask) b.sent.push_back(&kAsking);
      b.sent.push_back(&commands[i]);
    }
    asked.clear();

    // Every batch is written before any reply is read.
    std::vector<std::pair<Batch*, RedisNodePool::Lease>> leases;
    for (auto& [key, batch] : batches) {
      auto lease = Pool(batch.node).Acquire();
      if (!lease.ok()) {
        RefreshSoon();  // a failed master: its replica may have taken over
        return lease.status();
      }
      if (auto st = lease->Send(batch.sent); !st.ok()) {
        RefreshSoon();
        return st;
      }
      leases.emplace_back(&batch, *std::move(lease));
    }
    std::vector<size_t> next;
    bool pause = false;
    for (auto& [batch, lease] : leases) {
      auto replies = lease.Receive();
      if (!replies.ok()) {
        RefreshSoon();
        return replies.status();
      }
      size_t r = 0;
      for (size_t i : batch->which) {
        if (batch->sent[r] == &kAsking) ++r;  // ASKING's +OK
        RedisReply& reply = (*replies)[r++];
        if (reply.is_error()) {
          if (auto redirect = ParseRedirect(reply.str, batch->node.host)) {
            if (redirect->ask) {
              asked[i] = redirect->to;
            } else {
              MoveSlot(redirect->slot, redirect->to);
            }
            next.push_back(i);
            continue;
          }
          if (IsTransientClusterError(reply.str)) {
            pause = true;
            next.push_back(i);
            continue;
          }
        }
        out[i] = std::move(reply);
      }
    }
    if (next.empty()) return out;
    std::sort(next.begin(), next.end());
    pending = std::move(next);
    if (pause) std::this_thread::sleep_for(kTransientPause);
  }
  return absl::UnavailableError("redis cluster: still redirected after " + std::to_string(kMaxRounds) + " rounds");
}

RedisNodePool& RedisClient::Pool(const RedisNodeAddress& node) {
  std::lock_guard lock(nodes_mu_);
  auto& pool = nodes_[node.Key()];
  if (!pool) {
    RedisOptions o = options_;
    o.host = node.host;
    o.port = node.port;
    pool = std::make_unique<RedisNodePool>(o);
  }
  return *pool;
}

absl::StatusOr<std::shared_ptr<const SlotMap>> RedisClient::Map() {
  if (!map_stale_) {
    std::lock_guard lock(nodes_mu_);
    if (map_) return map_;
  }
  std::lock_guard refresh(refresh_mu_);
  std::shared_ptr<const SlotMap> current;
  {
    std::lock_guard lock(nodes_mu_);
    current = map_;
  }
  if (!map_stale_ && current) return current;  // another thread just read it
  // Ask the masters known so far, then the configured node.
  std::vector<RedisNodeAddress> ask;
  if (current) ask = current->masters();
  ask.push_back(RedisNodeAddress{options_.host, options_.port});
  std::string last = "no node asked";
  for (const auto& node : ask) {
    auto reply = Pool(node).Pipeline({&kClusterSlots});
    if (!reply.ok()) {
      last = node.Key() + ": " + std::string(reply.status().message());
      continue;
    }
    if ((*reply)[0].is_error()) {
      last = node.Key() + ": " + (*reply)[0].str;
      continue;
    }
    auto map = SlotMap::FromClusterSlots((*reply)[0], node.host);
    if (!map.ok()) {
      last = node.Key() + ": " + std::string(map.status().message());
      continue;
    }
    auto fresh = std::make_shared<const SlotMap>(*std::move(map));
    {
      std::lock_guard lock(nodes_mu_);
      map_ = fresh;
    }
    map_stale_ = false;
    return fresh;
  }
  // Nobody answered: route by what was known (stale, so the next call asks again).
  if (current) return current;
  return absl::UnavailableError("redis cluster: no node answered CLUSTER SLOTS (" + last + ")");
}

void RedisClient::MoveSlot(uint16_t slot, const RedisNodeAddress& to) {
  std::lock_guard lock(nodes_mu_);
  if (map_) {
    auto moved = std::make_shared<SlotMap>(*map_);
    moved->Move(slot, to);
    map_ = std::move(moved);
  }
  map_stale_ = true;  // one moved slot usually means more: read the whole map again
}

absl::StatusOr<RedisReply> RedisClient::Command(const Args& args) {
  auto replies = Pipeline({args});
  if (!replies.ok()) return replies.status();
  RedisReply& r = (*replies)[0];
  if (r.is_error()) return absl::InternalError("redis " + args[0] + ": " + r.str);
  return std::move(r);
}

absl::StatusOr<std::vector<RedisReply>> RedisClient::EvalPipeline(const RedisScript& script,
                                                                 const std::vector<std::pair<Args, Args>>& calls) {
  auto build = [&](const std::vector<size_t>& which, bool with_source) {
    std::vector<Args> cmds;
    cmds.reserve(which.size());
    for (size_t i : which) {
      const auto& [keys, args] = calls[i];
      Args cmd{with_source ? "EVAL" : "EVALSHA", with_source ? script.source() : script.sha1(),
               std::to_string(keys.size())};
      cmd.insert(cmd.end(), keys.begin(), keys.end());
      cmd.insert(cmd.end(), args.begin(), args.end());
      cmds.push_back(std::move(cmd));
    }
    return cmds;
  };
  std::vector<size_t> all(calls.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  auto replies = Pipeline(build(all, false));
  if (!replies.ok()) return replies.status();
  // A node without the script (restarted, a promoted replica, SCRIPT FLUSH)
  // answered NOSCRIPT and ran nothing: repeat exactly those calls as EVAL,
  // which also caches the script there. Repeating one that ran would apply it twice.
  std::vector<size_t> missing;
  for (size_t i = 0; i < replies->size(); ++i) {
    const auto& r = (*replies)[i];
    if (r.is_error() && absl::StartsWith(r.str, "NOSCRIPT")) missing.push_back(i);
  }
  if (missing.empty()) return replies;
  auto retried = Pipeline(build(missing, true));
  if (!retried.ok()) return retried.status();
  for (size_t k = 0; k < missing.size(); ++k) (*replies)[missing[k]] = std::move((*retried)[k]);
  return replies;
}

absl::StatusOr<RedisReply> RedisClient::Eval(const RedisScript& script, const Args& keys, const Args& args) {
  auto replies = EvalPipeline(script, {{keys, args}});
  if (!replies.ok()) return replies.status();
  RedisReply& r = (*replies)[0];
  if (r.is_error()) return absl::InternalError("redis script: " + r.str);
  return std::move(r);
}

absl::StatusOr<std::vector<RedisNodeReply>> RedisClient::CommandOnEveryMaster(const Args& args) {
  std::vector<RedisNodeReply> out;
  if (!options_.cluster) {
    auto reply = seed_->Pipeline({&args});
    if (!reply.ok()) return reply.status();
    out.push_back({seed_->address(), std::move((*reply)[0])});
    return out;
  }
  auto map = Map();
  if (!map.ok()) return map.status();
  for (const auto& node : (*map)->masters()) {
    auto reply = Pool(node).Pipeline({&args});
    if (!reply.ok()) {
      RefreshSoon();
      return reply.status();
    }
    out.push_back({node.Key(), std::move((*reply)[0])});
  }
  return out;
}

std::vector<std::string> RedisClient::masters() {
  if (!options_.cluster) return {seed_->address()};
  std::vector<std::string> out;
  if (auto map = Map(); map.ok()) {
    for (const auto& node : (*map)->masters()) out.push_back(node.Key());
  }
  return out;
}

absl::Status RedisClient::Ping() {
  auto replies = CommandOnEveryMaster({"PING"});
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    if (r.reply.is_error()) return absl::UnavailableError("redis PING " + r.node + ": " + r.reply.str);
  }
  return absl::OkStatus();
}

}  // namespace herald
