#pragma once
// The segments a workspace's customers are in when they convert: what a
// conversion is labelled with, so analytics can report leads, sales and
// revenue per (campaign, segment). Segments are judged on the customer's CRM
// profile as it was before this conversion; a customer Herald has no profile
// of is judged as an empty CRM profile.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "campaign/audiences/profile_store.h"
#include "campaign/audiences/segment_language.h"

namespace herald::campaign {

// A conversion carries at most this many segment ids (those created first):
// analytics counts one series per (credited campaign, segment).
inline constexpr int kMaxSegmentLabels = 20;

class SegmentLabels {
 public:
  explicit SegmentLabels(ProfileStore& profiles) : profiles_(profiles) {}

  // For each customer hash, the ids of the segments their profile matches at
  // now_ms: at most kMaxSegmentLabels, in the order the segments were created.
  // Two round trips (segments, profiles), none without customers.
  absl::StatusOr<std::vector<std::vector<std::string>>> Of(const std::string& workspace_id,
                                                           const std::vector<std::string>& customer_hashes,
                                                           int64_t now_ms);

 private:
  std::shared_ptr<const Segment> Parsed(const std::string& expression);

  ProfileStore& profiles_;
  std::mutex mu_;
  // Expressions parse once (a workspace keeps at most 100; cleared past 1,000).
  std::map<std::string, std::shared_ptr<const Segment>> parsed_;
};

}  // namespace herald::campaign
