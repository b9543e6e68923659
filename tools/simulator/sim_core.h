#pragma once
// The state behind every simulated network: accounts (one bearer token works on
// every network), a fixed quota window per (network, account) like the real
// networks keep, idempotency keys, and a ledger of every post accepted — tests
// read it to prove "exactly once". Engagement grows with a post's age.
// No HTTP here: routes.cpp gives each network its own paths and shapes.
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"

namespace herald::sim {

enum class Net { kMastodon, kX, kBluesky, kLinkedIn, kFacebook, kInstagram };
const char* NetName(Net net);

struct Account {
  std::string id;
  std::string username;
  std::string token;
};

// An upload a post carries.
struct SimAttachment {
  std::string id;
  std::string type;
  int64_t bytes = 0;
};

struct SimPost {
  Net net = Net::kMastodon;
  std::string id;
  std::string account_id;
  std::string text;
  std::string in_reply_to_id;
  // The network's idempotency key (Mastodon) or record key (Bluesky).
  std::string key;
  int64_t created_ms = 0;
  std::vector<SimAttachment> media;
  // Said by someone outside the simulated accounts (a fan): to whom, how
  // ("mention", "reply", "comment", "dm"), by which handle, in which language.
  std::string to_account_id;
  std::string kind;
  std::string author_handle;
  std::string language;
};

// What an outsider says to an account (AddInbound).
struct InboundSpec {
  std::string to_account_id;
  std::string kind = "mention";
  std::string author_handle = "someone";
  std::string text;
  std::string language = "en";
  std::string parent_id;
  // The id to use ("" : the next one).
  std::string id;
};

// One posting request as it arrived, whatever became of it.
struct RequestRecord {
  std::string method, path;
  std::string key;    // its idempotency key or record key, if any
  std::string fault;  // the fault it met ("" when none)
  int64_t at_ms = 0;
};

struct RateLimit {
  int limit = 300;
  int64_t window_ms = 300'000;
  // One window per network for every account (an app-wide limit, like X's
  // per-app caps) instead of one per account.
  bool per_app = false;
  // X's per-user posts per 24 hours (2,400 on X).
  int x_user_daily = 2400;
  // How long an Instagram media container takes to process.
  int64_t ig_container_ready_ms = 300;
  // How long Mastodon and X process an uploaded image (0: ready at once;
  // otherwise Mastodon answers 202 and X reports processing_info).
  int64_t media_processing_ms = 0;
};

// The quota check of one request.
struct Admission {
  bool ok = false;
  int limit = 0;
  int remaining = 0;
  int64_t reset_ms = 0;
};

// An OAuth 2.0 grant (X and LinkedIn issue expiring access tokens).
struct Grant {
  std::string access_token;
  std::string refresh_token;
  int64_t expires_in_s = 0;
};

struct Engagement {
  int64_t impressions = 0, likes = 0, reposts = 0, replies = 0;
};

class SimCore {
 public:
  SimCore(std::vector<Account> accounts, RateLimit limit, const Clock& clock);

  // nullopt when the token is unknown. A call with an expired token is
  // counted (tests prove a token was never used after it expired) unless
  // `count` is false (the simulator's own bookkeeping, not a client's call).
  std::optional<Account> Authenticate(const std::string& bearer, bool count = true) const;
  std::optional<Account> ByUsername(const std::string& username) const;
  std::optional<Account> ById(const std::string& id) const;
  const std::vector<Account>& accounts() const { return accounts_; }
  // A post of the account with exactly this text, created within `within_ms`
  // (X refuses a duplicate of a recent post).
  bool HasRecentDuplicate(Net net, const std::string& account_id, const std::string& text, int64_t within_ms) const;
  // Takes `cost` from the account's current window of the network, if it fits.
  Admission Charge(Net net, const std::string& account_id, int cost = 1);
  // Any fixed window by name (cost 0 only reads it).
  Admission ChargeWindow(const std::string& name, int limit, int64_t window_ms, int cost);
  // A post accepted earlier under the same key (a found one is counted as a
  // repeat the key absorbed).
  std::optional<SimPost> FindByKey(Net net, const std::string& account_id, const std::string& key) const;
  // The same lookup, not counted (a read such as Bluesky's getRecord).
  std::optional<SimPost> PeekByKey(Net net, const std::string& account_id, const std::string& key) const;
  // Posting requests being served right now (a test kills a client while one
  // is in flight, and can prove it was).
  void PostingBegan() {
    ++posting_in_flight_;
    ++posting_requests_;
  }
  void PostingEnded() { --posting_in_flight_; }
  SimPost Accept(Net net, const std::string& account_id, const std::string& text, const std::string& in_reply_to_id,
                 const std::string& key, std::vector<SimAttachment> media = {});
  // A post someone outside the simulated accounts made (a fan's mention),
  // under the id the test chose; not counted as accepted.
  void Record(Net net, const std::string& id, const std::string& author_id, const std::string& text,
              const std::string& in_reply_to_id);
  // Something an outsider said to an account: a mention, a reply or a
  // comment under one of its posts, or a direct message.
  SimPost AddInbound(Net net, const InboundSpec& spec);
  // What was said to the account, newest first, ids below max_id when set.
  std::vector<SimPost> InboundFor(Net net, const std::string& account_id, const std::string& max_id,
                                  size_t limit) const;
  // Public posts (an account's or an outsider's) containing any of the terms
  // (case-insensitive; quotes around a phrase are dropped), newest first.
  std::vector<SimPost> Search(Net net, const std::vector<std::string>& terms, const std::string& max_id,
                              size_t limit) const;
  // Numeric ids grow: a before b.
  static bool IdBefore(const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  }
  // Newest first, created at or after since_ms.
  std::vector<SimPost> Recent(Net net, const std::string& account_id, size_t limit, int64_t since_ms = 0) const;
  std::optional<SimPost> Find(Net net, const std::string& id) const;
  // A post by its record key (Bluesky's uri ends with it), anyone's.
  std::optional<SimPost> FindByRecordKey(Net net, const std::string& key) const;
  // Replies to (comments on) a post, newest first.
  std::vector<SimPost> Replies(Net net, const std::string& parent_id, size_t limit) const;
  // Grows with age: deterministic per post, so tests can predict it.
  Engagement EngagementOf(const SimPost& post) const;
  // The account's followers now: a steady audience that gains one a second
  // while the simulator runs (so two readings a few seconds apart differ).
  int64_t FollowersOf(const std::string& account_id) const;

  nlohmann::json Ledger() const;
  // Every posting request, in arrival order (the last kMaxRequests): a
  // re-send shows here even when a key absorbed it and the ledger did not
  // change.
  void RecordRequest(RequestRecord request);
  nlohmann::json Requests() const;
  static constexpr size_t kMaxRequests = 100000;
  size_t accepted() const;
  // {"accepted": posts, "rate_limited": requests answered over-limit}.
  nlohmann::json Stats() const;
  // The network stops accepting this token (a user revoked the app).
  // `why`: "revoked" (the user removed the app), "expired" (the token's
  // time ran out) or "suspended" (the network locked the account); each
  // network answers each its own way.
  void Revoke(const std::string& token, const std::string& why = "revoked");
  // Why a token stopped working ("" when it was never valid or still is).
  std::string WhyRefused(const std::string& token) const;

  // A grant for an account: an access token valid for expires_in_s and a
  // refresh token whose access tokens live refreshed_expires_in_s. nullopt
  // for an unknown username.
  std::optional<Grant> IssueGrant(const std::string& username, int64_t expires_in_s, int64_t refreshed_expires_in_s);
  // The refresh_token grant. `rotate`: a new refresh token replaces the old
  // one, which stops working (X); otherwise the old one stays valid and the
  // answer carries none (RFC 6749 §6 allows both). nullopt: unknown or used.
  std::optional<Grant> Refresh(const std::string& refresh_token, bool rotate);
  const RateLimit& limit() const { return limit_; }
  const Clock& clock() const { return clock_; }

 private:
  std::vector<Account> accounts_;
  RateLimit limit_;
  const Clock& clock_;
  const int64_t started_ms_ = clock_.NowMs();
  mutable std::mutex mu_;
  std::vector<SimPost> posts_;
  std::vector<SimPost> external_;
  std::vector<RequestRecord> requests_;  // posts by people outside the accounts (mentions)
  std::map<std::string, size_t> by_key_;  // net|account|key → index
  struct Window {
    int64_t start_ms = -1;
    int used = 0;
  };
  std::map<std::string, Window> windows_;  // net|account
  std::map<std::string, std::string> revoked_;  // token → why
  struct Issued {
    size_t account = 0;
    int64_t expires_ms = 0;   // access tokens
    int64_t lifetime_s = 0;   // refresh tokens: lifetime of the access tokens they yield
  };
  std::map<std::string, Issued> access_tokens_, refresh_tokens_;
  uint64_t next_grant_ = 1, refreshes_ = 0, refresh_refused_ = 0;
  mutable uint64_t expired_token_calls_ = 0;  // counted by Authenticate
  uint64_t rate_limited_ = 0;
  mutable uint64_t repeats_absorbed_ = 0;  // counted by FindByKey
  std::atomic<int64_t> posting_in_flight_{0};
  std::atomic<int64_t> posting_requests_{0};
  uint64_t next_id_ = 110000000000000000ULL;
};

}  // namespace herald::sim
