#pragma once
// The networks Herald publishes to, as one versioned data file
// (services/publisher/networks.json, compiled in as the default; an operator
// points --networks-file at an edited copy without a rebuild): how each counts
// text, what media it takes, and every quota window it enforces. No I/O here.
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/network_names.h"
#include "herald/common/v1/common.pb.h"
#include "publisher/quota_window.h"

namespace herald::publisher {

enum class Counting {
  kCodePoints,  // Unicode code points (Mastodon, LinkedIn, Facebook, Instagram)
  kXWeighted,   // X's weighted length: CJK, emoji and most non-Latin count 2
  kGraphemes,   // user-perceived characters (Bluesky)
};

struct TextRules {
  int max_length = 0;
  Counting counting = Counting::kCodePoints;
  // Every URL counts as this many characters; 0 = as written.
  int url_length = 0;
  int max_hashtags = -1;  // -1: no limit
};

struct MediaRules {
  int max = 0;
  bool required = false;
  // Images the network takes as uploads (or fetches itself): their types and
  // largest size in bytes. The publisher downloads no larger file.
  int64_t max_image_bytes = 0;
  std::vector<std::string> image_types;
};

struct ThreadRules {
  bool supported = false;
  int max_parts = 1;
};

// What one kind of call takes from a quota.
enum class CallKind { kPublish, kReply, kRead };

struct QuotaRule {
  enum class Scope { kAccount, kApp };
  Scope scope = Scope::kAccount;
  std::vector<QuotaWindow> windows;
  int64_t cost_publish = 1, cost_reply = 1, cost_read = 1;
  int64_t Cost(CallKind kind) const;
};

// Refreshing expiring OAuth 2.0 access tokens (networks that issue them).
struct OAuthRules {
  // "{base_url}" stands for the channel's API root; empty: no refresh.
  std::string token_url;
  // The app's client id and secret: in an HTTP Basic header, or in the form.
  bool client_auth_basic = true;
};

// The API version a versioned network is called with (LinkedIn-Version
// "202610", Graph "v21.0") and the oldest one it still serves: the network
// retires versions, so this is configuration, not code.
struct ApiRules {
  std::string version;
  std::string oldest_version;
};

struct NetworkProfile {
  herald::common::v1::Network network = herald::common::v1::NETWORK_UNSPECIFIED;
  std::string name;  // "x", "bluesky", ...
  TextRules text;
  MediaRules media;
  ThreadRules threads;
  std::vector<QuotaRule> quotas;
  OAuthRules oauth;
  ApiRules api;
};

class NetworkCatalog {
 public:
  // INVALID_ARGUMENT naming the offending path, e.g. "networks.x.text.max_length".
  static absl::StatusOr<NetworkCatalog> Parse(const std::string& json_text);
  // The compiled-in networks.json.
  static const NetworkCatalog& Embedded();

  const std::string& version() const { return version_; }
  // nullptr for a network the file does not describe.
  const NetworkProfile* Find(herald::common::v1::Network network) const;
  // A priority class's rank and the share of the burst allowance (0..1) it
  // leaves to the classes above it.
  QuotaClass Class(Priority priority) const {
    return {static_cast<int>(priority), reserve_[static_cast<int>(priority)], priority >= Priority::kListen};
  }

 private:
  std::string version_;
  std::map<int, NetworkProfile> networks_;
  double reserve_[kPriorities] = {0, 0.1, 0.3, 0.5};
};

using herald::NetworkFromName;
using herald::NetworkName;

}  // namespace herald::publisher
