#pragma once
// Best times to post: how a channel's posts did by hour of the week, in the
// channel's zone. Each post's result is taken relative to its channel's
// mean (so channels of different sizes pool fairly), weighted by recency
// (a half-life), and each hour's mean is pulled toward a prior in
// proportion to how little evidence it has: the workspace's pooled hour when
// that has enough posts, else the channel's own mean. A new channel thus
// gets the workspace's pattern; a channel with history, its own. No I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace herald::analytics {

struct PostResult {
  std::string channel_id;
  int64_t published_ms = 0;
  int64_t engagements = 0;
  std::optional<int64_t> impressions;  // absent where the network gives none
};

struct BestTimesOptions {
  double half_life_days = 28;
  // How many posts' worth of evidence the prior counts as.
  double prior_posts = 3;
  // Pooled hours with less effective evidence than this are not a prior.
  double min_pooled_posts = 3;
};

struct HourScore {
  int hour_of_week = 0;  // 0 = Monday 00:00 local … 167 = Sunday 23:00
  double score = 0;      // relative to the channel's mean (1 = average)
  double evidence = 0;   // the channel's own recency-weighted posts in this hour
};

// All 168 hours for `channel_id`, best first. `posts`: the workspace's
// recent posts, every channel (the pool). `zone`: the channel's.
std::vector<HourScore> BestTimes(const std::vector<PostResult>& posts, const std::string& channel_id,
                                 absl::TimeZone zone, int64_t now_ms, const BestTimesOptions& options = {});

// "Tue 10:00" for an hour of the week.
std::string HourOfWeekName(int hour_of_week);

}  // namespace herald::analytics
