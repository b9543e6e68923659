#pragma once
// What analytics counted that recommendations rest on: a campaign's spend,
// revenue and sales per channel, and how each hour of a channel's week does
// (best times). Read through analytics' API; the campaign service keeps no
// counts of its own.
#include <grpcpp/grpcpp.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "campaign/recommendations/recommendation_rules.h"

namespace herald::campaign {

struct HourScores {
  std::array<double, 168> scores{};  // 0 = Monday 00:00 local
  int channel_posts = 0;
};

class CampaignFigures {
 public:
  virtual ~CampaignFigures() = default;
  // Totals over [from_ms, to_ms) per channel of the campaign (`channel_ids`
  // empty: every channel it has figures on).
  virtual absl::StatusOr<std::vector<ChannelResult>> Channels(const std::string& workspace_id,
                                                              const std::string& campaign_id,
                                                              const std::vector<std::string>& channel_ids,
                                                              int64_t from_ms, int64_t to_ms) = 0;
  virtual absl::StatusOr<HourScores> BestTimes(const std::string& workspace_id, const std::string& channel_id,
                                               const std::string& time_zone, int lookback_days) = 0;
};

std::unique_ptr<CampaignFigures> MakeAnalyticsCampaignFigures(std::shared_ptr<grpc::Channel> analytics);

}  // namespace herald::campaign
