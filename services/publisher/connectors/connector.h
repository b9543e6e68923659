#pragma once
// One network's API as the publisher needs it. Implementations speak the real
// API's paths, payloads and headers; pointing one at a real server is a
// configuration change (the channel's base_url).
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "herald/common/v1/common.pb.h"

namespace herald::publisher {

struct AccountInfo {
  std::string remote_id;
  std::string handle;
};

// Where and as whom to call: the channel's API root, its token and the
// account id the network addresses (page id, user id, DID, member URN).
struct Endpoint {
  std::string base_url;
  std::string token;
  std::string account_id;
  // Bluesky signs in with a handle and an app password (the token).
  std::string identifier;
};

struct OutgoingPost {
  std::string text;
  std::vector<std::string> media_urls;
  // Stable per delivery: the network's idempotency key where it has one.
  std::string idempotency_key;
  std::string in_reply_to_id;
  // The occurrence being published (Bluesky's record key is derived from it).
  int64_t occurrence_ms = 0;
};

// What a network's reply means for the delivery.
struct PublishAttempt {
  enum class Kind {
    kPublished,
    kRateLimited,     // 429: retry_after_ms says when
    kTransient,       // nothing reached the network (connection refused), or a retired API version: retry with backoff
    kUnknownOutcome,  // timeout, reset or 5xx after sending: reconcile before retrying
    kAuthRejected,    // 401/403: the channel needs re-authorisation
    kContentRejected  // 4xx about the content: do not retry
  };
  Kind kind = Kind::kTransient;
  std::string remote_id;
  std::string remote_url;
  std::string error;
  int64_t retry_after_ms = 0;
  // From the network's rate-limit headers: -1 when absent.
  int64_t limit_remaining = -1;
  int64_t limit_reset_ms = 0;
  // Why the network refused our credentials (kAuthRejected), as far as it
  // says: a refresh cures kExpired, only the account's owner cures kRevoked
  // (reconnect) and kSuspended (the network locked the account).
  enum class AuthProblem { kNone, kInvalid, kExpired, kRevoked, kSuspended };
  AuthProblem auth_problem = AuthProblem::kNone;
};

// A post read back from the account (reconciliation after an unknown outcome).
struct RemotePost {
  std::string id;
  std::string url;
  std::string text;
  // When the network says it was created; 0 when it does not say.
  int64_t created_ms = 0;
  // How many images it carries; -1 when the read does not say.
  int media_count = -1;
};

// Something said to or about an account, as read from its network.
struct InboundPost {
  std::string remote_id;
  herald::common::v1::MentionKind kind = herald::common::v1::MENTION_KIND_MENTION;
  std::string author_id;
  std::string author_handle;
  std::string text;  // as the network gives it (Mastodon: HTML)
  std::string url;
  std::string parent_id;  // what it answers ("" for a new thread)
  std::string thread_id;  // the thread's first post
  std::string language;
  int64_t created_ms = 0;
  // Where it sorts in the network's listing (its id, or a time where the
  // listing is ordered by time): what a cursor remembers.
  std::string order_key;
};

// What to read: the account's mentions (replies, DMs, comments on its
// posts), a search, or one post's replies.
struct InboundQuery {
  enum class Stream { kMentions, kSearch, kReplies };
  Stream stream = Stream::kMentions;
  std::vector<std::string> terms;  // kSearch
  std::string post_id;             // kReplies
  std::string cursor;              // opaque (inbound_sweep.h); "" starts at the newest
  int limit = 50;
};

struct InboundPage {
  std::vector<InboundPost> items;  // oldest first within the page
  std::string next_cursor;
  bool more = false;  // another page is waiting now
};

// How a read went. status: OK; RESOURCE_EXHAUSTED (the network said 429:
// retry_after_ms); PERMISSION_DENIED (it refused the token); INVALID_ARGUMENT
// (it refused the query, or the network has no such listing); UNAVAILABLE.
// What any read from a network reports besides its answer.
struct NetworkRead {
  absl::Status status;
  int64_t retry_after_ms = 0;
  int64_t limit_remaining = -1;
  int64_t limit_reset_ms = 0;
  int calls = 0;  // requests made to the network
};

struct InboundRead : NetworkRead {
  InboundPage page;
};

// A post's cumulative counts as the network gives them; unset where it has
// no such count (Mastodon has no impressions), never zero for "unknown".
struct PostCounts {
  std::optional<int64_t> impressions, likes, replies, reposts, quotes, saves, link_clicks, video_views;
};

struct MetricsRead : NetworkRead {
  PostCounts counts;
};

// The account's own counts; unset where the network gives none.
struct AccountRead : NetworkRead {
  std::optional<int64_t> followers;
};

class Connector {
 public:
  virtual ~Connector() = default;
  virtual absl::StatusOr<AccountInfo> VerifyCredentials(const Endpoint& endpoint) = 0;
  virtual PublishAttempt Publish(const Endpoint& endpoint, const OutgoingPost& post) = 0;
  // True when a repeated request with the same idempotency key cannot post
  // twice (Mastodon's Idempotency-Key): no read-back is needed.
  virtual bool IdempotentRetries() const = 0;
  // Publish honours OutgoingPost.in_reply_to_id (and RecentPosts sees the
  // replies it made, for reconciliation).
  virtual bool SupportsReplies() const { return false; }
  // The account's most recent posts, newest first; where the API can filter
  // by time, only those created at or after since_ms.
  virtual absl::StatusOr<std::vector<RemotePost>> RecentPosts(const Endpoint& endpoint, int limit,
                                                              int64_t since_ms) = 0;
  // Where a reply to `parent_id` shows up, newest first: the account's posts
  // on networks where replies are posts (Mastodon, X, Bluesky), the parent's
  // comments where they are comments (Facebook, Instagram, LinkedIn).
  virtual absl::StatusOr<std::vector<RemotePost>> RecentReplies(const Endpoint& endpoint, const std::string& parent_id,
                                                                int limit, int64_t since_ms) {
    (void)parent_id;
    return RecentPosts(endpoint, limit, since_ms);
  }
  // Requests one ReadInbound of the query makes at most (the quota is paid
  // for each before the read).
  virtual int ReadCalls(const InboundQuery& query) const {
    (void)query;
    return 1;
  }
  // Reads what is said to the account (listening). Networks without the
  // listing asked for answer INVALID_ARGUMENT.
  // Whether ReadMetrics reads anything (asked before any quota is spent).
  virtual bool ReadsMetrics() const { return false; }
  // One published post's counts (the post's remote id). INVALID_ARGUMENT by
  // default: Herald reads no metrics from the network. NOT_FOUND: the
  // network has no such post (deleted).
  virtual MetricsRead ReadMetrics(const Endpoint& endpoint, const std::string& remote_id) {
    (void)endpoint;
    (void)remote_id;
    MetricsRead r;
    r.status = absl::InvalidArgumentError("Herald reads no post metrics from this network yet");
    return r;
  }
  // Whether ReadAccount reads the account's followers (asked before any
  // quota is spent).
  virtual bool ReadsFollowers() const { return false; }
  // The channel's account: its follower count now. INVALID_ARGUMENT by
  // default (the network gives none Herald reads).
  virtual AccountRead ReadAccount(const Endpoint& endpoint) {
    (void)endpoint;
    AccountRead r;
    r.status = absl::InvalidArgumentError("Herald reads no follower count from this network");
    return r;
  }
  virtual InboundRead ReadInbound(const Endpoint& endpoint, const InboundQuery& query) {
    (void)endpoint;
    (void)query;
    InboundRead out;
    out.status = absl::InvalidArgumentError("this network has no such listing for Herald to read");
    return out;
  }
};

class NetworkCatalog;

struct ConnectorOptions {
  std::chrono::milliseconds timeout{10000};
  // Signs generic webhook deliveries when the channel has no secret of its own.
  std::string webhook_secret;
  // The network's API version (networks.json api.version: LinkedIn-Version,
  // Graph's /vNN.N). MakeConnector fills it from `networks` when empty.
  std::string api_version;
  // The networks file in use; nullptr: the compiled-in one.
  const NetworkCatalog* networks = nullptr;
  // Waits between polls (Instagram's container processing) happen on it.
  const Clock* clock = &SystemClock::Instance();
};

// The connector of a network; nullptr for NETWORK_UNSPECIFIED.
std::unique_ptr<Connector> MakeConnector(herald::common::v1::Network network, const ConnectorOptions& options);

}  // namespace herald::publisher
