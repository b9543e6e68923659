#include "analytics/report/best_times.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "absl/time/civil_time.h"

namespace herald::analytics {

namespace {

constexpr int kHours = 7 * 24;

int HourOfWeek(absl::TimeZone zone, int64_t ms) {
  const absl::CivilSecond local = zone.At(absl::FromUnixMillis(ms)).cs;
  const int weekday = static_cast<int>(absl::GetWeekday(absl::CivilDay(local)));  // absl: Monday = 0
  return weekday * 24 + local.hour();
}

// A post's result: its engagement rate where the channel reports impressions
// for most posts, else its engagements.
struct ChannelScale {
  bool by_rate = false;
  double mean = 0;
};

double ValueOf(const PostResult& p, bool by_rate) {
  if (by_rate) return p.impressions && *p.impressions > 0 ? static_cast<double>(p.engagements) / *p.impressions : 0;
  return static_cast<double>(p.engagements);
}

struct Hourly {
  std::array<double, kHours> weighted{};  // sum of weight × relative value
  std::array<double, kHours> weight{};
};

}  // namespace

std::vector<HourScore> BestTimes(const std::vector<PostResult>& posts, const std::string& channel_id,
                                 absl::TimeZone zone, int64_t now_ms, const BestTimesOptions& options) {
  // Each channel's scale: rate or count, and its mean.
  std::map<std::string, std::pair<int, int>> with_impressions;  // channel → (with, all)
  for (const auto& p : posts) {
    auto& [with, all] = with_impressions[p.channel_id];
    ++all;
    if (p.impressions && *p.impressions > 0) ++with;
  }
  std::map<std::string, ChannelScale> scales;
  std::map<std::string, int> counts;
  for (const auto& p : posts) {
    auto& s = scales[p.channel_id];
    const auto& [with, all] = with_impressions[p.channel_id];
    s.by_rate = with * 2 > all;
    s.mean += ValueOf(p, s.by_rate);
    ++counts[p.channel_id];
  }
  for (auto& [id, s] : scales) s.mean /= counts[id];

  // Recency-weighted relative results per hour: the channel's own, and the pool's.
  const double decay_per_ms = std::log(2.0) / (options.half_life_days * 86'400'000.0);
  Hourly own, pool;
  for (const auto& p : posts) {
    const ChannelScale& s = scales[p.channel_id];
    if (s.mean <= 0) continue;  // a channel with no engagement at all says nothing about hours
    const double relative = ValueOf(p, s.by_rate) / s.mean;
    const double w = std::exp(-decay_per_ms * static_cast<double>(std::max<int64_t>(0, now_ms - p.published_ms)));
    // Hours in the channel's zone: for the pool too, so "Tuesday 10:00" means the same hour.
    const int h = HourOfWeek(zone, p.published_ms);
    pool.weighted[h] += w * relative;
    pool.weight[h] += w;
    if (p.channel_id == channel_id) {
      own.weighted[h] += w * relative;
      own.weight[h] += w;
    }
  }

  std::vector<HourScore> out;
  out.reserve(kHours);
  for (int h = 0; h < kHours; ++h) {
    const double prior = pool.weight[h] >= options.min_pooled_posts ? pool.weighted[h] / pool.weight[h] : 1.0;
    const double score = (own.weighted[h] + options.prior_posts * prior) / (own.weight[h] + options.prior_posts);
    out.push_back({h, score, own.weight[h]});
  }
  std::stable_sort(out.begin(), out.end(), [](const HourScore& a, const HourScore& b) { return a.score > b.score; });
  return out;
}

std::string HourOfWeekName(int hour_of_week) {
  static const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  const int h = ((hour_of_week % kHours) + kHours) % kHours;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%s %02d:00", kDays[h / 24], h % 24);
  return buf;
}

}  // namespace herald::analytics
