#pragma once
// A Mastodon server as far as Herald needs one: accounts by bearer token,
// statuses with Idempotency-Key, per-account rate limits with the real
// X-RateLimit-* headers, and a ledger of everything accepted (tests read it
// to prove "exactly once").
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"

namespace herald::sim {

struct Account {
  std::string id;
  std::string username;
  std::string token;
};

struct Status {
  std::string id;
  std::string account_id;
  std::string text;
  std::string in_reply_to_id;
  std::string idempotency_key;
  int64_t created_ms = 0;
};

struct RateLimit {
  int limit = 300;
  int64_t window_ms = 300'000;
};

// Result of a POST /api/v1/statuses: an HTTP status, body and headers.
struct SimResponse {
  int status = 200;
  nlohmann::json body;
  std::map<std::string, std::string> headers;
};

class MastodonSim {
 public:
  MastodonSim(std::vector<Account> accounts, RateLimit limit, std::string base_url, const Clock& clock);

  // nullopt when the token is unknown.
  std::optional<Account> Authenticate(const std::string& bearer) const;
  SimResponse PostStatus(const Account& account, const std::string& text, const std::string& in_reply_to_id,
                         const std::string& idempotency_key);
  nlohmann::json RecentStatuses(const std::string& account_id, size_t limit) const;
  nlohmann::json AccountJson(const Account& account) const;
  nlohmann::json StatusJson(const Status& status) const;
  nlohmann::json Ledger() const;
  size_t accepted() const;

 private:
  std::map<std::string, std::string> RateHeaders(const std::string& account_id, int remaining, int64_t reset_ms) const;

  std::vector<Account> accounts_;
  RateLimit limit_;
  std::string base_url_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::vector<Status> statuses_;
  std::map<std::string, size_t> by_idempotency_key_;  // account|key → index
  struct Window {
    int64_t start_ms = 0;
    int used = 0;
  };
  std::map<std::string, Window> windows_;
  uint64_t next_id_ = 110000000000000000ULL;
};

}  // namespace herald::sim
