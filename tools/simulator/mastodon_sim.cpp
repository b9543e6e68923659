#include "simulator/mastodon_sim.h"

#include "common/time_util.h"

namespace herald::sim {

MastodonSim::MastodonSim(std::vector<Account> accounts, RateLimit limit, std::string base_url, const Clock& clock)
    : accounts_(std::move(accounts)), limit_(limit), base_url_(std::move(base_url)), clock_(clock) {}

std::optional<Account> MastodonSim::Authenticate(const std::string& bearer) const {
  for (const auto& a : accounts_) {
    if (a.token == bearer) return a;
  }
  return std::nullopt;
}

std::map<std::string, std::string> MastodonSim::RateHeaders(const std::string&, int remaining, int64_t reset_ms) const {
  return {{"X-RateLimit-Limit", std::to_string(limit_.limit)},
          {"X-RateLimit-Remaining", std::to_string(std::max(0, remaining))},
          {"X-RateLimit-Reset", FormatRfc3339(reset_ms)}};
}

SimResponse MastodonSim::PostStatus(const Account& account, const std::string& text,
                                    const std::string& in_reply_to_id, const std::string& idempotency_key) {
  std::lock_guard lock(mu_);
  int64_t now = clock_.NowMs();
  if (!idempotency_key.empty()) {
    // Mastodon answers a repeated Idempotency-Key with the first status, without counting it again.
    auto it = by_idempotency_key_.find(account.id + "|" + idempotency_key);
    if (it != by_idempotency_key_.end()) return {200, StatusJson(statuses_[it->second]), {}};
  }
  Window& w = windows_[account.id];
  if (now - w.start_ms >= limit_.window_ms) w = {now - now % limit_.window_ms, 0};
  int64_t reset = w.start_ms + limit_.window_ms;
  if (w.used >= limit_.limit) {
    auto headers = RateHeaders(account.id, 0, reset);
    headers["Retry-After"] = std::to_string((reset - now + 999) / 1000);
    return {429, {{"error", "Too many requests"}}, headers};
  }
  if (text.empty()) return {422, {{"error", "Validation failed: Text can't be blank"}}, {}};
  if (text.size() > 500 * 4) return {422, {{"error", "Validation failed: Text character limit of 500 exceeded"}}, {}};
  ++w.used;
  Status s{std::to_string(next_id_++), account.id, text, in_reply_to_id, idempotency_key, now};
  statuses_.push_back(s);
  if (!idempotency_key.empty()) by_idempotency_key_[account.id + "|" + idempotency_key] = statuses_.size() - 1;
  return {200, StatusJson(s), RateHeaders(account.id, limit_.limit - w.used, reset)};
}

nlohmann::json MastodonSim::AccountJson(const Account& a) const {
  return {{"id", a.id}, {"username", a.username}, {"acct", a.username}, {"url", base_url_ + "/@" + a.username}};
}

nlohmann::json MastodonSim::StatusJson(const Status& s) const {
  std::string username;
  for (const auto& a : accounts_) {
    if (a.id == s.account_id) username = a.username;
  }
  return {{"id", s.id},
          {"created_at", FormatRfc3339(s.created_ms)},
          {"content", s.text},
          {"in_reply_to_id", s.in_reply_to_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.in_reply_to_id)},
          {"url", base_url_ + "/@" + username + "/" + s.id},
          {"visibility", "public"},
          {"account", {{"id", s.account_id}, {"acct", username}}}};
}

nlohmann::json MastodonSim::RecentStatuses(const std::string& account_id, size_t limit) const {
  std::lock_guard lock(mu_);
  nlohmann::json out = nlohmann::json::array();
  for (auto it = statuses_.rbegin(); it != statuses_.rend() && out.size() < limit; ++it) {
    if (it->account_id == account_id) out.push_back(StatusJson(*it));
  }
  return out;
}

nlohmann::json MastodonSim::Ledger() const {
  std::lock_guard lock(mu_);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : statuses_) {
    out.push_back({{"id", s.id},
                   {"account_id", s.account_id},
                   {"text", s.text},
                   {"idempotency_key", s.idempotency_key},
                   {"created_at", FormatRfc3339(s.created_ms)}});
  }
  return out;
}

size_t MastodonSim::accepted() const {
  std::lock_guard lock(mu_);
  return statuses_.size();
}

}  // namespace herald::sim
