#include "listener/inbox/inbox_feed.h"

#include <atomic>
#include <charconv>

#include "absl/strings/match.h"
#include "common/log.h"

namespace herald::listener {

namespace {

std::string FeedKey(const std::string& ws) { return "lst:{" + ws + "}:feed"; }

// "<ms>-<seq>" → the pair, for ordering.
bool ParseToken(const std::string& token, uint64_t* ms, uint64_t* seq) {
  auto dash = token.find('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == token.size() || token.size() > 41) return false;
  auto a = std::from_chars(token.data(), token.data() + dash, *ms);
  auto b = std::from_chars(token.data() + dash + 1, token.data() + token.size(), *seq);
  return a.ec == std::errc() && a.ptr == token.data() + dash && b.ec == std::errc() &&
         b.ptr == token.data() + token.size();
}

}  // namespace

struct InboxFeed::Bell {
  std::string workspace_id;
  std::unique_ptr<RedisClient> redis;
  std::map<int64_t, Ring> rings;  // guarded by ring_mu
  std::mutex ring_mu;
  std::string start;       // the latest entry when the bell was made: it rings for what follows
  bool stopping = false;  // guarded by InboxFeed::mu_
  std::atomic<bool> ended{false};  // its thread has returned (joining it cannot block)
  std::thread thread;
};

InboxFeed::InboxFeed(RedisClient& reads, RedisOptions bell_options, int max_workspaces)
    : reads_(reads), bell_options_(std::move(bell_options)), max_workspaces_(max_workspaces) {
  bell_options_.pool_size = 1;
}

InboxFeed::~InboxFeed() {
  std::vector<std::unique_ptr<Bell>> bells;
  {
    std::lock_guard lock(mu_);
    for (auto& [ws, bell] : bells_) {
      bell->stopping = true;
      bells.push_back(std::move(bell));
    }
    bells_.clear();
    for (auto& bell : retired_) bells.push_back(std::move(bell));
    retired_.clear();
  }
  for (auto& bell : bells) {
    if (bell->thread.joinable()) bell->thread.join();
  }
}

bool InboxFeed::IsToken(const std::string& token) {
  uint64_t ms = 0, seq = 0;
  return ParseToken(token, &ms, &seq);
}

absl::StatusOr<std::string> InboxFeed::Latest(const std::string& ws) {
  auto r = reads_.Command({"XREVRANGE", FeedKey(ws), "+", "-", "COUNT", "1"});
  if (!r.ok()) return r.status();
  if (r->elements.empty() || r->elements[0].elements.empty()) return std::string("0-0");
  return r->elements[0].elements[0].str;
}

absl::Status InboxFeed::CheckResumable(const std::string& ws, const std::string& token) {
  uint64_t ms = 0, seq = 0;
  if (!ParseToken(token, &ms, &seq)) return absl::InvalidArgumentError("resume_token: not a token this feed gave");
  auto r = reads_.Command({"XINFO", "STREAM", FeedKey(ws)});
  if (!r.ok()) {
    // No stream yet: nothing was ever written, so only the beginning is a
    // place to resume from (any other token was never given).
    if (absl::StrContains(r.status().message(), "no such key")) {
      return token == "0-0" ? absl::OkStatus() : absl::InvalidArgumentError("resume_token: not a token this feed gave");
    }
    return r.status();
  }
  // The feed is only ever trimmed from its oldest end. A token before the
  // oldest entry kept, once anything was trimmed, may have lost what
  // followed it (exactly at the boundary it lost nothing; refused all the
  // same: listing again is safe, a gap is not).
  std::string first, last;
  long long length = 0, added = 0;
  for (size_t i = 0; i + 1 < r->elements.size(); i += 2) {
    const std::string& field = r->elements[i].str;
    const RedisReply& value = r->elements[i + 1];
    if (field == "first-entry" && !value.elements.empty()) first = value.elements[0].str;
    if (field == "last-generated-id") last = value.str;
    if (field == "length") length = value.integer;
    if (field == "entries-added") added = value.integer;
  }
  uint64_t fms = 0, fseq = 0, lms = 0, lseq = 0;
  if (added > length && ParseToken(first, &fms, &fseq) && std::pair(ms, seq) < std::pair(fms, fseq)) {
    return absl::FailedPreconditionError(
        "resume_token: changes after it are no longer kept; list the inbox again and watch without a token");
  }
  if (ParseToken(last, &lms, &lseq) && std::pair(ms, seq) > std::pair(lms, lseq)) {
    return absl::InvalidArgumentError("resume_token: not a token this feed gave");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::InboxChange>> InboxFeed::After(const std::string& ws, const std::string& token,
                                                              int limit) {
  auto r = reads_.Command({"XRANGE", FeedKey(ws), "(" + token, "+", "COUNT", std::to_string(limit)});
  if (!r.ok()) return r.status();
  std::vector<v1::InboxChange> out;
  for (const auto& entry : r->elements) {
    if (entry.elements.size() != 2) continue;
    v1::InboxChange change;
    const auto& fields = entry.elements[1].elements;
    if (fields.size() >= 2 && change.ParseFromString(fields[1].str)) {
      change.set_token(entry.elements[0].str);
      out.push_back(std::move(change));
    } else {
      // Unreadable: skipped, but its token still moves the watcher on.
      change.set_token(entry.elements[0].str);
      out.push_back(std::move(change));
    }
  }
  return out;
}

absl::StatusOr<int64_t> InboxFeed::Subscribe(const std::string& ws, Ring ring) {
  // Read before the bell exists, so it rings for every change written after
  // this call (the subscriber reads what came before itself). Its connection
  // is made outside the lock too (with TLS it dials a tunnel).
  auto latest = Latest(ws);
  if (!latest.ok()) return latest.status();
  bool exists;
  {
    std::lock_guard lock(mu_);
    exists = bells_.count(ws) > 0;
  }
  std::unique_ptr<RedisClient> connection = exists ? nullptr : std::make_unique<RedisClient>(bell_options_);
  std::lock_guard lock(mu_);
  ReapLocked();
  auto it = bells_.find(ws);
  if (it == bells_.end()) {
    if (static_cast<int>(bells_.size()) >= max_workspaces_) {
      return absl::ResourceExhaustedError("too many workspaces are watched on this listener; retry later");
    }
    auto bell = std::make_unique<Bell>();
    bell->workspace_id = ws;
    bell->start = *latest;
    bell->redis = connection ? std::move(connection) : std::make_unique<RedisClient>(bell_options_);
    Bell* raw = bell.get();
    it = bells_.emplace(ws, std::move(bell)).first;
    raw->thread = std::thread([this, raw] { RunBell(raw); });
  }
  int64_t id = next_id_++;
  std::lock_guard ring_lock(it->second->ring_mu);
  it->second->rings[id] = std::move(ring);
  return id;
}

void InboxFeed::Unsubscribe(const std::string& ws, int64_t subscription) {
  std::lock_guard lock(mu_);
  auto it = bells_.find(ws);
  if (it == bells_.end()) return;
  bool empty = false;
  {
    // Once erased under this lock, the ring is not running and will not run.
    std::lock_guard ring_lock(it->second->ring_mu);
    it->second->rings.erase(subscription);
    empty = it->second->rings.empty();
  }
  if (empty) {
    // Not joined here (the caller may be a gRPC thread, and the bell may be
    // blocked in XREAD for a second): retired, joined once it has ended.
    it->second->stopping = true;
    retired_.push_back(std::move(it->second));
    bells_.erase(it);
  }
  ReapLocked();
}

void InboxFeed::ReapLocked() {
  for (auto it = retired_.begin(); it != retired_.end();) {
    if ((*it)->ended) {
      if ((*it)->thread.joinable()) (*it)->thread.join();
      it = retired_.erase(it);
    } else {
      ++it;
    }
  }
}

void InboxFeed::RunBell(Bell* bell) {
  const std::string key = FeedKey(bell->workspace_id);
  std::string last = bell->start;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (bell->stopping) {
        bell->ended = true;
        return;
      }
    }
    // Blocks until a change is written (or a second passes, to see `stopping`).
    auto r = bell->redis->Command({"XREAD", "COUNT", "1000", "BLOCK", "1000", "STREAMS", key, last});
    if (!r.ok()) {
      log::Warn("inbox feed bell cannot read", {{"error", r.status().ToString()}});
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    if (r->is_nil() || r->elements.empty()) continue;
    const auto& entries = r->elements[0].elements.size() == 2 ? r->elements[0].elements[1].elements
                                                               : std::vector<RedisReply>{};
    if (entries.empty()) continue;
    last = entries.back().elements.empty() ? last : entries.back().elements[0].str;
    std::lock_guard ring_lock(bell->ring_mu);
    for (auto& [id, ring] : bell->rings) ring();
  }
}

}  // namespace herald::listener
