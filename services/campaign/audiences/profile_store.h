#pragma once
// Profiles and segments in Redis, every key of a workspace in its slot:
//   aud:{<ws>}:p:<profile id>   HASH, fields in profile_rules.h (pf::)
//   aud:{<ws>}:ids              SET of profile ids: the count, and uniform
//                               samples (SRANDMEMBER)
//   aud:{<ws>}:m:<mention id>   a mention applied (kept 30 days): one
//                               redelivered counts once
//   aud:{<ws>}:s:<segment id>   serialized Segment
//   aud:{<ws>}:segs             ZSET of segment ids by creation
//   aud:{<ws>}:r:<request id>   the segment a create request made
// Conversions update CRM profiles in their own script (ConversionStore),
// through ProfileKey / ProfileIdsKey.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "campaign/audiences/profile.h"
#include "common/redis.h"
#include "herald/campaign/v1/audiences.pb.h"

namespace herald::campaign {

std::string ProfileKey(const std::string& workspace_id, const std::string& profile_id);
std::string ProfileIdsKey(const std::string& workspace_id);

inline constexpr int kMaxSegments = 100;

class ProfileStore {
 public:
  explicit ProfileStore(RedisClient& redis) : redis_(redis) {}

  // What a mention adds to its author's profile.
  struct MentionUpdate {
    std::string workspace_id, mention_id, profile_id, network, author, language;
    bool reply = false;
    std::optional<int64_t> sentiment_milli;
    int64_t at_ms = 0;
  };
  // Applies each mention once (one round trip); how many were new.
  absl::StatusOr<int> ApplyMentions(const std::vector<MentionUpdate>& updates);
  // Replaces the CRM fields (country, language, tags, followers,
  // attributes) of each profile with `fields`, in one round trip per 1,000.
  absl::Status ImportRows(const std::string& workspace_id,
                          const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>& rows);

  // The profile and its author ("" for CRM profiles); nullopt when unknown.
  absl::StatusOr<std::optional<std::pair<Profile, std::string>>> Get(const std::string& workspace_id,
                                                                      const std::string& profile_id);
  // Each profile, nullopt where unknown, in one round trip.
  absl::StatusOr<std::vector<std::optional<Profile>>> GetMany(const std::string& workspace_id,
                                                              const std::vector<std::string>& profile_ids);
  absl::StatusOr<int64_t> Count(const std::string& workspace_id);
  // Up to n distinct profiles, uniformly at random (all of them when n ≥ the count).
  absl::StatusOr<std::vector<Profile>> Sample(const std::string& workspace_id, int64_t n);

  // Stores a segment (its id set) unless the request id already made one:
  // then returns that one.
  absl::StatusOr<v1::Segment> CreateSegment(const v1::Segment& segment, const std::string& request_id);
  absl::StatusOr<std::optional<v1::Segment>> GetSegment(const std::string& workspace_id, const std::string& segment_id);
  absl::StatusOr<std::vector<v1::Segment>> ListSegments(const std::string& workspace_id);
  absl::Status DeleteSegment(const std::string& workspace_id, const std::string& segment_id);

 private:
  RedisClient& redis_;
};

}  // namespace herald::campaign
