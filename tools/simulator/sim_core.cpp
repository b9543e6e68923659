#include "simulator/sim_core.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "common/ids.h"
#include "common/time_util.h"

namespace herald::sim {

const char* NetName(Net net) {
  static const char* kNames[] = {"mastodon", "x", "bluesky", "linkedin", "facebook", "instagram"};
  return kNames[static_cast<int>(net)];
}

SimCore::SimCore(std::vector<Account> accounts, RateLimit limit, const Clock& clock)
    : accounts_(std::move(accounts)), limit_(limit), clock_(clock) {}

std::optional<Account> SimCore::Authenticate(const std::string& bearer, bool count) const {
  {
    std::lock_guard lock(mu_);
    if (revoked_.count(bearer)) return std::nullopt;
    if (auto it = access_tokens_.find(bearer); it != access_tokens_.end()) {
      if (it->second.expires_ms > clock_.NowMs()) return accounts_[it->second.account];
      if (count) ++expired_token_calls_;
      return std::nullopt;
    }
  }
  for (const auto& a : accounts_) {
    if (!bearer.empty() && a.token == bearer) return a;
  }
  return std::nullopt;
}

std::optional<Account> SimCore::ByUsername(const std::string& username) const {
  for (const auto& a : accounts_) {
    if (a.username == username) return a;
  }
  return std::nullopt;
}

std::optional<Account> SimCore::ById(const std::string& id) const {
  for (const auto& a : accounts_) {
    if (a.id == id) return a;
  }
  return std::nullopt;
}

bool SimCore::HasRecentDuplicate(Net net, const std::string& account_id, const std::string& text,
                                 int64_t within_ms) const {
  std::lock_guard lock(mu_);
  int64_t since = clock_.NowMs() - within_ms;
  for (auto it = posts_.rbegin(); it != posts_.rend() && it->created_ms >= since; ++it) {
    if (it->net == net && it->account_id == account_id && it->text == text) return true;
  }
  return false;
}

Admission SimCore::Charge(Net net, const std::string& account_id, int cost) {
  Admission a = ChargeWindow(std::string(NetName(net)) + "|" + (limit_.per_app ? std::string("*app*") : account_id),
                             limit_.limit, limit_.window_ms, cost);
  return a;
}

Admission SimCore::ChargeWindow(const std::string& name, int limit, int64_t window_ms, int cost) {
  std::lock_guard lock(mu_);
  int64_t now = clock_.NowMs();
  Window& w = windows_[name];
  // Fixed windows aligned to the clock, as most networks keep them.
  if (w.start_ms < 0 || now - w.start_ms >= window_ms) w = {now - now % window_ms, 0};
  Admission a;
  a.limit = limit;
  a.reset_ms = w.start_ms + window_ms;
  if (w.used + cost > limit) {
    a.remaining = std::max(0, limit - w.used);
    ++rate_limited_;
    return a;
  }
  w.used += cost;
  a.ok = true;
  a.remaining = limit - w.used;
  return a;
}

std::optional<SimPost> SimCore::FindByKey(Net net, const std::string& account_id, const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = by_key_.find(std::string(NetName(net)) + "|" + account_id + "|" + key);
  if (it == by_key_.end()) return std::nullopt;
  ++repeats_absorbed_;
  return posts_[it->second];
}

std::optional<SimPost> SimCore::PeekByKey(Net net, const std::string& account_id, const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = by_key_.find(std::string(NetName(net)) + "|" + account_id + "|" + key);
  if (it == by_key_.end()) return std::nullopt;
  return posts_[it->second];
}

SimPost SimCore::Accept(Net net, const std::string& account_id, const std::string& text,
                        const std::string& in_reply_to_id, const std::string& key,
                        std::vector<SimAttachment> media) {
  std::lock_guard lock(mu_);
  SimPost p;
  p.net = net;
  p.id = std::to_string(next_id_++);
  p.account_id = account_id;
  p.text = text;
  p.in_reply_to_id = in_reply_to_id;
  p.key = key;
  p.created_ms = clock_.NowMs();
  p.media = std::move(media);
  posts_.push_back(p);
  if (!key.empty()) by_key_[std::string(NetName(net)) + "|" + account_id + "|" + key] = posts_.size() - 1;
  return p;
}

void SimCore::Record(Net net, const std::string& id, const std::string& author_id, const std::string& text,
                     const std::string& in_reply_to_id) {
  std::lock_guard lock(mu_);
  SimPost p;
  p.net = net;
  p.id = id;
  p.account_id = author_id;
  p.text = text;
  p.in_reply_to_id = in_reply_to_id;
  p.created_ms = clock_.NowMs();
  external_.push_back(std::move(p));
}

SimPost SimCore::AddInbound(Net net, const InboundSpec& in) {
  std::lock_guard lock(mu_);
  SimPost p;
  p.net = net;
  p.id = in.id.empty() ? std::to_string(next_id_++) : in.id;
  p.account_id = "ext:" + in.author_handle;
  p.text = in.text;
  p.in_reply_to_id = in.parent_id;
  p.key = p.id;
  p.created_ms = clock_.NowMs();
  p.to_account_id = in.to_account_id;
  p.kind = in.kind;
  p.author_handle = in.author_handle;
  p.language = in.language;
  external_.push_back(p);
  return p;
}

std::vector<SimPost> SimCore::InboundFor(Net net, const std::string& account_id, const std::string& max_id,
                                         size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<SimPost> out;
  for (auto it = external_.rbegin(); it != external_.rend() && out.size() < limit; ++it) {
    if (it->net != net || it->to_account_id != account_id) continue;
    if (!max_id.empty() && !IdBefore(it->id, max_id)) continue;
    out.push_back(*it);
  }
  return out;
}

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::vector<SimPost> SimCore::Search(Net net, const std::vector<std::string>& terms, const std::string& max_id,
                                     size_t limit) const {
  std::vector<std::string> wanted;
  for (auto t : terms) {
    if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
    if (!t.empty()) wanted.push_back(Lower(t));
  }
  std::lock_guard lock(mu_);
  std::vector<const SimPost*> all;
  for (const auto& p : posts_) {
    if (p.net == net) all.push_back(&p);
  }
  for (const auto& p : external_) {
    if (p.net == net && p.kind != "dm") all.push_back(&p);
  }
  std::sort(all.begin(), all.end(), [](const SimPost* a, const SimPost* b) { return IdBefore(b->id, a->id); });
  std::vector<SimPost> out;
  for (const SimPost* p : all) {
    if (out.size() >= limit) break;
    if (!max_id.empty() && !IdBefore(p->id, max_id)) continue;
    std::string text = Lower(p->text);
    if (std::any_of(wanted.begin(), wanted.end(), [&](const std::string& w) { return text.find(w) != std::string::npos; })) {
      out.push_back(*p);
    }
  }
  return out;
}

std::vector<SimPost> SimCore::Recent(Net net, const std::string& account_id, size_t limit, int64_t since_ms) const {
  std::lock_guard lock(mu_);
  std::vector<SimPost> out;
  for (auto it = posts_.rbegin(); it != posts_.rend() && out.size() < limit; ++it) {
    if (it->created_ms < since_ms) break;  // the ledger is in creation order
    if (it->net == net && it->account_id == account_id) out.push_back(*it);
  }
  return out;
}

void SimCore::RecordRequest(RequestRecord request) {
  std::lock_guard lock(mu_);
  if (requests_.size() >= kMaxRequests) requests_.erase(requests_.begin(), requests_.begin() + kMaxRequests / 10);
  request.at_ms = clock_.NowMs();
  requests_.push_back(std::move(request));
}

nlohmann::json SimCore::Requests() const {
  std::lock_guard lock(mu_);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : requests_) {
    out.push_back({{"method", r.method}, {"path", r.path}, {"key", r.key}, {"fault", r.fault}, {"at_ms", r.at_ms}});
  }
  return out;
}

std::vector<SimPost> SimCore::Replies(Net net, const std::string& parent_id, size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<SimPost> out;
  for (const auto* list : {&posts_, &external_}) {
    for (const auto& p : *list) {
      if (p.net == net && p.in_reply_to_id == parent_id && p.kind != "dm") out.push_back(p);
    }
  }
  // Newest first, whoever wrote them.
  std::sort(out.begin(), out.end(), [](const SimPost& a, const SimPost& b) { return IdBefore(b.id, a.id); });
  if (out.size() > limit) out.resize(limit);
  return out;
}

std::optional<SimPost> SimCore::FindByRecordKey(Net net, const std::string& key) const {
  std::lock_guard lock(mu_);
  for (const auto* list : {&posts_, &external_}) {
    for (const auto& p : *list) {
      if (p.net == net && p.key == key) return p;
    }
  }
  return std::nullopt;
}

std::optional<SimPost> SimCore::Find(Net net, const std::string& id) const {
  std::lock_guard lock(mu_);
  for (const auto& p : posts_) {
    if (p.net == net && p.id == id) return p;
  }
  for (const auto& p : external_) {
    if (p.net == net && p.id == id) return p;
  }
  return std::nullopt;
}

int64_t SimCore::FollowersOf(const std::string& account_id) const {
  return 1000 + static_cast<int64_t>(StableHash(account_id) % 9000) + (clock_.NowMs() - started_ms_) / 1000;
}

Engagement SimCore::EngagementOf(const SimPost& post) const {
  // Impressions rise quickly then level off; a post-specific factor spreads
  // the numbers the way real posts differ.
  double minutes = std::max<double>(0, static_cast<double>(clock_.NowMs() - post.created_ms) / 60000.0);
  double appeal = 0.5 + static_cast<double>(StableHash(post.id) % 100) / 100.0;
  Engagement e;
  e.impressions = static_cast<int64_t>(appeal * 400.0 * (1.0 - std::exp(-minutes / 30.0)) + appeal * 2.0 * minutes);
  e.likes = e.impressions / 25;
  e.reposts = e.impressions / 120;
  e.replies = e.impressions / 200;
  return e;
}

nlohmann::json SimCore::Ledger() const {
  std::lock_guard lock(mu_);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : posts_) {
    nlohmann::json media = nlohmann::json::array();
    for (const auto& m : p.media) media.push_back({{"id", m.id}, {"type", m.type}, {"bytes", m.bytes}});
    out.push_back({{"media", media},
                   {"network", NetName(p.net)},
                   {"id", p.id},
                   {"account_id", p.account_id},
                   {"text", p.text},
                   {"key", p.key},
                   {"in_reply_to_id", p.in_reply_to_id},
                   {"created_at", FormatRfc3339(p.created_ms)}});
  }
  return out;
}

nlohmann::json SimCore::Stats() const {
  std::lock_guard lock(mu_);
  return {{"accepted", posts_.size()},
          {"rate_limited", rate_limited_},
          {"token_refreshes", refreshes_},
          {"token_refreshes_refused", refresh_refused_},
          {"expired_token_calls", expired_token_calls_},
          {"repeats_absorbed", repeats_absorbed_},
          {"posting_in_flight", posting_in_flight_.load()},
          {"posting_requests", posting_requests_.load()}};
}

std::optional<Grant> SimCore::IssueGrant(const std::string& username, int64_t expires_in_s,
                                         int64_t refreshed_expires_in_s) {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < accounts_.size(); ++i) {
    if (accounts_[i].username != username) continue;
    Grant g{"at-" + std::to_string(next_grant_) + "-" + username, "rt-" + std::to_string(next_grant_) + "-" + username,
            expires_in_s};
    ++next_grant_;
    access_tokens_[g.access_token] = {i, clock_.NowMs() + expires_in_s * 1000, 0};
    refresh_tokens_[g.refresh_token] = {i, 0, refreshed_expires_in_s};
    return g;
  }
  return std::nullopt;
}

std::optional<Grant> SimCore::Refresh(const std::string& refresh_token, bool rotate) {
  std::lock_guard lock(mu_);
  auto it = refresh_tokens_.find(refresh_token);
  if (it == refresh_tokens_.end()) {
    ++refresh_refused_;
    return std::nullopt;
  }
  Issued issued = it->second;
  const std::string& username = accounts_[issued.account].username;
  Grant g;
  g.access_token = "at-" + std::to_string(next_grant_) + "-" + username;
  g.expires_in_s = issued.lifetime_s;
  if (rotate) {
    g.refresh_token = "rt-" + std::to_string(next_grant_) + "-" + username;
    refresh_tokens_.erase(it);
    refresh_tokens_[g.refresh_token] = issued;
  }
  ++next_grant_;
  ++refreshes_;
  access_tokens_[g.access_token] = {issued.account, clock_.NowMs() + issued.lifetime_s * 1000, 0};
  return g;
}

void SimCore::Revoke(const std::string& token, const std::string& why) {
  std::lock_guard lock(mu_);
  revoked_[token] = why;
}

std::string SimCore::WhyRefused(const std::string& token) const {
  std::lock_guard lock(mu_);
  auto it = revoked_.find(token);
  return it == revoked_.end() ? "" : it->second;
}

size_t SimCore::accepted() const {
  std::lock_guard lock(mu_);
  return posts_.size();
}

}  // namespace herald::sim
