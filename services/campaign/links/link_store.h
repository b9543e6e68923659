#pragma once
// Tracked links in Redis.
//   lnk:c:{<code>}               serialized TrackedLink (no short_url): what
//                                the redirect reads, one key per code
//   lnk:c:{<code>}:r:<ip hash>   a client's recent click of the link (TTL =
//                                the repeat window)
//   lnk:k:{<click id>}           the click (serialized LinkClick), kept for the
//                                attribution of conversions that name it (TTL =
//                                the click retention, ~300 bytes a click)
//   lnk:w:{<ws>}:i:<identity>    code of the link with this identity
//                                (LinkIdentity), for idempotent creation
//   lnk:w:{<ws>}:k:<campaign>    ZSET "<created ms, 13 digits>:<code>", all
//                                scores 0: the campaign's links, oldest first
// A link is created in two steps in different slots: the code (SET NX, so
// codes never collide), then its identity and listing in one script. A crash
// between leaves a code nothing names — never a listed link without a code.
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis.h"
#include "herald/campaign/v1/links.pb.h"

namespace herald::campaign {

class LinkStore {
 public:
  explicit LinkStore(RedisClient& redis) : redis_(redis) {}

  // The link of this identity if one exists.
  absl::StatusOr<std::optional<v1::TrackedLink>> FindByIdentity(const std::string& workspace_id,
                                                                const std::string& identity);
  // Stores the link under its code (false: the code is taken), then names it
  // by identity and lists it; when another link took the identity meanwhile,
  // returns that one.
  absl::StatusOr<std::optional<v1::TrackedLink>> Create(const v1::TrackedLink& link, const std::string& identity);
  absl::StatusOr<std::optional<v1::TrackedLink>> Get(const std::string& code);
  struct Page {
    std::vector<v1::TrackedLink> links;
    std::string next;
  };
  absl::StatusOr<Page> List(const std::string& workspace_id, const std::string& campaign_id, size_t limit,
                            const std::string& after);
  // True the first time this client clicks the link within `window_ms`.
  absl::StatusOr<bool> FirstClick(const std::string& code, const std::string& ip_hash, int64_t window_ms);
  // FirstClick, and the click kept under its id for `retention_ms` (for
  // conversions that name it), in one round trip.
  absl::StatusOr<bool> RecordClick(const std::string& code, const std::string& ip_hash, int64_t window_ms,
                                   const std::string& click_id, const std::string& click, int64_t retention_ms);
  // A kept click; nullopt when unknown or past its retention.
  absl::StatusOr<std::optional<std::string>> FindClick(const std::string& click_id);
  // FindClick of each, in one round trip.
  absl::StatusOr<std::vector<std::optional<std::string>>> FindClicks(const std::vector<std::string>& click_ids);

 private:
  RedisClient& redis_;
};

}  // namespace herald::campaign
