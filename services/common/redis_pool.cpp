#include "common/redis_pool.h"

#include <hiredis/hiredis.h>

#include "common/redis.h"
#include "common/tls_tunnel.h"

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
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      break;
  }
  return out;
}

}  // namespace

struct RedisNodePool::Connection {
  redisContext* ctx = nullptr;
  ~Connection() {
    if (ctx) redisFree(ctx);
  }
  bool broken() const { return !ctx || ctx->err; }
  void Break() {
    if (ctx && !ctx->err) ctx->err = REDIS_ERR_IO;
  }
};

RedisNodePool::RedisNodePool(const RedisOptions& options)
    : host_(options.host),
      port_(options.port),
      address_(options.host + ":" + std::to_string(options.port)),
      pool_size_(options.pool_size),
      timeout_(options.timeout),
      username_(options.username),
      password_(options.password) {
  if (options.tls_ca_file.empty()) return;
  auto tunnel = TlsTunnel::Start(TlsTunnelOptions{.host = options.host,
                                                  .port = options.port,
                                                  .ca_file = options.tls_ca_file,
                                                  .server_name = options.tls_server_name,
                                                  .cert_file = options.tls_cert_file,
                                                  .key_file = options.tls_key_file,
                                                  .connect_timeout_ms = static_cast<int>(options.timeout.count())});
  if (tunnel.ok()) {
    tunnel_ = *std::move(tunnel);
  } else {
    tunnel_status_ = tunnel.status();
  }
}

RedisNodePool::~RedisNodePool() = default;

absl::StatusOr<RedisNodePool::Lease> RedisNodePool::Acquire() {
  if (!tunnel_status_.ok()) return absl::UnavailableError("redis " + std::string(tunnel_status_.message()));
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !idle_.empty() || open_ < pool_size_; });
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(c));
    }
    ++open_;
  }
  auto give_back = [this] {
    std::lock_guard lock(mu_);
    --open_;
    cv_.notify_one();
  };
  auto conn = std::make_unique<Connection>();
  timeval tv{static_cast<time_t>(timeout_.count() / 1000), static_cast<suseconds_t>((timeout_.count() % 1000) * 1000)};
  conn->ctx = tunnel_ ? redisConnectUnixWithTimeout(tunnel_->socket_path().c_str(), tv)
                      : redisConnectWithTimeout(host_.c_str(), port_, tv);
  if (!conn->ctx || conn->ctx->err) {
    std::string why = conn->ctx ? conn->ctx->errstr : "out of memory";
    give_back();
    return absl::UnavailableError("redis connect " + address_ + ": " + why);
  }
  redisSetTimeout(conn->ctx, tv);
  if (!password_.empty()) {
    auto* reply = static_cast<redisReply*>(
        username_.empty() ? redisCommand(conn->ctx, "AUTH %s", password_.c_str())
                          : redisCommand(conn->ctx, "AUTH %s %s", username_.c_str(), password_.c_str()));
    bool ok = reply && reply->type != REDIS_REPLY_ERROR;
    if (reply) freeReplyObject(reply);
    if (!ok) {
      give_back();
      return absl::PermissionDeniedError("redis AUTH refused by " + address_);
    }
  }
  return Lease(this, std::move(conn));
}

void RedisNodePool::Release(std::unique_ptr<Connection> conn) {
  std::lock_guard lock(mu_);
  if (conn->broken()) {
    --open_;  // dropped; the next Acquire reconnects
  } else {
    idle_.push_back(std::move(conn));
  }
  cv_.notify_one();
}

absl::StatusOr<std::vector<RedisReply>> RedisNodePool::Pipeline(const std::vector<const Args*>& commands) {
  auto lease = Acquire();
  if (!lease.ok()) return lease.status();
  if (auto st = lease->Send(commands); !st.ok()) return st;
  return lease->Receive();
}

RedisNodePool::Lease::Lease(RedisNodePool* pool, std::unique_ptr<Connection> conn)
    : pool_(pool), conn_(std::move(conn)) {}

RedisNodePool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), conn_(std::move(other.conn_)), unread_(other.unread_) {}

RedisNodePool::Lease::~Lease() {
  if (!conn_) return;
  // Replies left unread would be read by the next user as its own.
  if (unread_ > 0) conn_->Break();
  pool_->Release(std::move(conn_));
}

absl::Status RedisNodePool::Lease::Send(const std::vector<const Args*>& commands) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const Args* args : commands) {
    argv.clear();
    lens.clear();
    for (const auto& a : *args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    redisAppendCommandArgv(conn_->ctx, static_cast<int>(argv.size()), argv.data(), lens.data());
  }
  unread_ += commands.size();
  // Written now, read later: batches to several nodes travel at once.
  int done = 0;
  while (!done) {
    if (redisBufferWrite(conn_->ctx, &done) != REDIS_OK) {
      conn_->Break();
      return absl::UnavailableError("redis " + pool_->address_ + ": " + conn_->ctx->errstr);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<RedisReply>> RedisNodePool::Lease::Receive() {
  std::vector<RedisReply> replies;
  replies.reserve(unread_);
  while (unread_ > 0) {
    void* raw = nullptr;
    if (redisGetReply(conn_->ctx, &raw) != REDIS_OK) {
      std::string err = conn_->ctx->errstr;
      if (raw) freeReplyObject(raw);
      conn_->Break();  // may hold unread replies: never reused
      return absl::UnavailableError("redis " + pool_->address_ + ": " + err);
    }
    replies.push_back(Convert(static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
    --unread_;
  }
  return replies;
}

}  // namespace herald
