#include "common/redis.h"

#include "common/tls_tunnel.h"

#include <hiredis/hiredis.h>
#include <openssl/sha.h>

#include "common/ids.h"

namespace herald {
namespace {

RedisReply Convert(const redisReply* r) {
  RedisReply out;
  if (!r) return out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      break;
  }
  return out;
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

struct RedisClient::Connection {
  redisContext* ctx = nullptr;
  ~Connection() {
    if (ctx) redisFree(ctx);
  }
  bool broken() const { return !ctx || ctx->err; }
};

RedisClient::RedisClient(RedisOptions options) : options_(std::move(options)) {
  if (options_.tls_ca_file.empty()) return;
  auto tunnel = TlsTunnel::Start(TlsTunnelOptions{.host = options_.host,
                                                  .port = options_.port,
                                                  .ca_file = options_.tls_ca_file,
                                                  .server_name = options_.tls_server_name,
                                                  .cert_file = options_.tls_cert_file,
                                                  .key_file = options_.tls_key_file,
                                                  .connect_timeout_ms = static_cast<int>(options_.timeout.count())});
  if (tunnel.ok()) {
    tunnel_ = *std::move(tunnel);
  } else {
    tunnel_status_ = tunnel.status();
  }
}
RedisClient::~RedisClient() = default;

std::unique_ptr<RedisClient::Connection> RedisClient::Acquire(absl::Status& status) {
  if (!tunnel_status_.ok()) {
    status = absl::UnavailableError("redis " + std::string(tunnel_status_.message()));
    return nullptr;
  }
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !idle_.empty() || open_ < options_.pool_size; });
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    ++open_;
  }
  auto conn = std::make_unique<Connection>();
  timeval tv{static_cast<time_t>(options_.timeout.count() / 1000),
             static_cast<suseconds_t>((options_.timeout.count() % 1000) * 1000)};
  conn->ctx = tunnel_ ? redisConnectUnixWithTimeout(tunnel_->socket_path().c_str(), tv)
                      : redisConnectWithTimeout(options_.host.c_str(), options_.port, tv);
  if (!conn->ctx || conn->ctx->err) {
    status = absl::UnavailableError("redis connect " + options_.host + ":" + std::to_string(options_.port) + ": " +
                                    (conn->ctx ? conn->ctx->errstr : "out of memory"));
    std::lock_guard lock(mu_);
    --open_;
    cv_.notify_one();
    return nullptr;
  }
  redisSetTimeout(conn->ctx, tv);
  if (!options_.password.empty()) {
    auto* reply = static_cast<redisReply*>(
        options_.username.empty() ? redisCommand(conn->ctx, "AUTH %s", options_.password.c_str())
                                  : redisCommand(conn->ctx, "AUTH %s %s", options_.username.c_str(),
                                                 options_.password.c_str()));
    bool ok = reply && reply->type != REDIS_REPLY_ERROR;
    if (reply) freeReplyObject(reply);
    if (!ok) {
      status = absl::PermissionDeniedError("redis AUTH refused");
      std::lock_guard lock(mu_);
      --open_;
      cv_.notify_one();
      return nullptr;
    }
  }
  return conn;
}

void RedisClient::Release(std::unique_ptr<Connection> conn) {
  std::lock_guard lock(mu_);
  if (conn->broken()) {
    --open_;  // dropped; the next Acquire reconnects
  } else {
    idle_.push_back(std::move(conn));
  }
  cv_.notify_one();
}

absl::StatusOr<std::vector<RedisReply>> RedisClient::Pipeline(const std::vector<Args>& commands) {
  absl::Status status;
  auto conn = Acquire(status);
  if (!conn) return status;
  for (const auto& args : commands) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    redisAppendCommandArgv(conn->ctx, static_cast<int>(argv.size()), argv.data(), lens.data());
  }
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(conn->ctx, &raw) != REDIS_OK) {
      std::string err = conn->ctx->errstr;
      if (raw) freeReplyObject(raw);
      // The connection may hold unread replies: never reuse it.
      if (!conn->ctx->err) conn->ctx->err = REDIS_ERR_IO;
      Release(std::move(conn));
      return absl::UnavailableError("redis: " + err);
    }
    replies.push_back(Convert(static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
  Release(std::move(conn));
  return replies;
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
  auto build = [&](const std::vector<size_t>& which) {
    std::vector<Args> cmds;
    cmds.reserve(which.size());
    for (size_t i : which) {
      const auto& [keys, args] = calls[i];
      Args cmd{"EVALSHA", script.sha1(), std::to_string(keys.size())};
      cmd.insert(cmd.end(), keys.begin(), keys.end());
      cmd.insert(cmd.end(), args.begin(), args.end());
      cmds.push_back(std::move(cmd));
    }
    return cmds;
  };
  std::vector<size_t> all(calls.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  auto replies = Pipeline(build(all));
  if (!replies.ok()) return replies.status();
  // Another client may load the script while this pipeline runs, so only some
  // calls may have failed: load it and repeat exactly those (a NOSCRIPT call
  // did not run; repeating one that ran would apply it twice).
  for (int attempt = 0; attempt < 10; ++attempt) {
    std::vector<size_t> missing;
    for (size_t i = 0; i < replies->size(); ++i) {
      const auto& r = (*replies)[i];
      if (r.is_error() && r.str.rfind("NOSCRIPT", 0) == 0) missing.push_back(i);
    }
    if (missing.empty()) break;
    auto load = Command({"SCRIPT", "LOAD", script.source()});
    if (!load.ok()) return load.status();
    auto retried = Pipeline(build(missing));
    if (!retried.ok()) return retried.status();
    for (size_t k = 0; k < missing.size(); ++k) (*replies)[missing[k]] = std::move((*retried)[k]);
  }
  return replies;
}

absl::StatusOr<RedisReply> RedisClient::Eval(const RedisScript& script, const Args& keys, const Args& args) {
  auto replies = EvalPipeline(script, {{keys, args}});
  if (!replies.ok()) return replies.status();
  RedisReply& r = (*replies)[0];
  if (r.is_error()) return absl::InternalError("redis script: " + r.str);
  return std::move(r);
}

absl::Status RedisClient::Ping() {
  auto r = Command({"PING"});
  return r.ok() ? absl::OkStatus() : r.status();
}

}  // namespace herald
