#pragma once
// Proposals for a campaign, free of I/O. From the campaign's figures per
// channel, the best-times scores of its channels' queue hours and its
// experiments' verdicts: what to change, the numbers it rests on, what it
// should bring, and an id derived from the kind, the target and those
// numbers — so an id stops naming anything once its ground moves.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "herald/campaign/v1/campaign.pb.h"
#include "herald/campaign/v1/experiments.pb.h"
#include "herald/campaign/v1/recommendations.pb.h"

namespace herald::campaign {

// The better channel needs this many sales before budget follows it, and a
// return at least this much better than the worse one's.
inline constexpr double kMinSalesToFollow = 3;
inline constexpr double kMinRoasRatio = 1.25;
// A channel below this share of the campaign's spend is too small to judge.
inline constexpr double kMinSpendShare = 0.05;
// What one shift moves: a fifth of the worse channel's share (at least 1 %).
inline constexpr double kShareMoved = 0.2;
// Queue hours are judged on at least this many of the channel's posts, and a
// free hour must score this much better than the slot it replaces.
inline constexpr int kMinPostsForSlots = 20;
inline constexpr double kMinScoreRatio = 1.2;

struct ChannelResult {
  std::string channel_id;
  int64_t spend_micros = 0, revenue_micros = 0;
  double sales = 0;
};

struct QueueHour {
  int day_of_week = 1;  // 1 = Monday … 7 = Sunday
  int hour = 0, minute = 0;
};

// A channel's queue, and analytics' score of each hour of its week.
struct QueueView {
  std::string channel_id, time_zone;
  std::vector<QueueHour> slots;
  // Index 0 = Monday 00:00 … 167 = Sunday 23:00; 1 = the channel's average.
  std::array<double, 168> scores{};
  int channel_posts = 0;
};

std::string RecommendationId(const std::string& basis);

// Shares of the daily budget per channel in basis points: the campaign's
// budget_split, or (without one) the channels' shares of the spend.
std::vector<std::pair<std::string, int32_t>> CurrentSplit(const v1::Campaign& campaign,
                                                          const std::vector<ChannelResult>& channels);

std::optional<v1::Recommendation> ShiftBudget(const v1::Campaign& campaign, const std::vector<ChannelResult>& channels,
                                              int lookback_days);
// The campaign's budget_split once the shift is applied.
std::vector<v1::ChannelShare> SplitAfter(const v1::Campaign& campaign, const std::vector<ChannelResult>& channels,
                                         const v1::BudgetShift& shift);

std::optional<v1::Recommendation> MoveQueueSlot(const v1::Campaign& campaign, const QueueView& queue);
// The queue's slots once the move is applied (nullopt: the slot is gone).
std::optional<std::vector<QueueHour>> SlotsAfter(const std::vector<QueueHour>& slots, const v1::SlotMove& move);

// `experiment` with its verdict as of now; `now_ms` tells the posts still to go out.
std::optional<v1::Recommendation> PauseLosingVariants(const v1::Campaign& campaign, const v1::Experiment& experiment,
                                                      int64_t now_ms);

}  // namespace herald::campaign
