#include "analytics/report/report_builder.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "analytics/report/figures.h"
#include "analytics/rollup.h"

namespace herald::analytics {
namespace {

using v1::Figure;

// A raw figure summed into periods; `present` tells which periods it
// appeared in at all.
struct Sums {
  std::vector<int64_t> per_period;
  std::vector<bool> present;
  int64_t total = 0;
  bool any = false;
};

// Sums a sorted bucket list into sorted, disjoint periods in one pass.
template <typename Fn>
void ForEachInPeriods(const std::vector<Period>& periods, const std::vector<std::pair<int64_t, int64_t>>& list,
                      Fn&& fn) {
  size_t p = 0;
  for (const auto& [bucket, count] : list) {
    while (p < periods.size() && periods[p].end_ms <= bucket) ++p;
    if (p == periods.size()) break;
    if (bucket >= periods[p].start_ms) fn(p, count);
  }
}

Sums SumOf(const std::vector<Period>& periods, const SeriesBuckets& group, std::string_view figure) {
  Sums s{std::vector<int64_t>(periods.size()), std::vector<bool>(periods.size()), 0, false};
  auto it = group.find(std::string(figure));
  if (it == group.end()) return s;
  ForEachInPeriods(periods, it->second, [&](size_t p, int64_t count) {
    s.per_period[p] += count;
    s.present[p] = true;
    s.total += count;
    s.any = true;
  });
  return s;
}

// Counts kept in thousandths (conversions) or micros (money), reported in units.
double UnitOf(Figure f) {
  switch (f) {
    case v1::FIGURE_LEADS:
    case v1::FIGURE_SALES: return 1e-3;
    case v1::FIGURE_REVENUE:
    case v1::FIGURE_SPEND: return 1e-6;
    default: return 1.0;
  }
}

std::optional<double> Ratio(double part, double whole) {
  return whole > 0 ? std::optional<double>(part / whole) : std::nullopt;
}

// The marketing ratios: numerator and denominator counts, each in its unit.
struct RatioParts {
  std::string_view num, den;
  double num_unit, den_unit;
  double offset;  // ROI: (revenue - spend) / spend = revenue / spend - 1
};

std::optional<RatioParts> RatioOf(Figure f) {
  switch (f) {
    case v1::FIGURE_CONVERSION_RATE: return RatioParts{fig::kSalesMilli, fig::kClicks, 1e-3, 1, 0};
    case v1::FIGURE_CPC: return RatioParts{fig::kSpendMicros, fig::kClicks, 1e-6, 1, 0};
    case v1::FIGURE_CPA: return RatioParts{fig::kSpendMicros, fig::kSalesMilli, 1e-6, 1e-3, 0};
    case v1::FIGURE_ROAS: return RatioParts{fig::kRevenueMicros, fig::kSpendMicros, 1e-6, 1e-6, 0};
    case v1::FIGURE_ROI: return RatioParts{fig::kRevenueMicros, fig::kSpendMicros, 1e-6, 1e-6, -1};
    case v1::FIGURE_CTR: return RatioParts{fig::kClicks, fig::kImpressions, 1, 1, 0};
    default: return std::nullopt;
  }
}

double Lag(Figure f) {
  return f == v1::FIGURE_PUBLISH_LAG_P50 ? 0.5 : f == v1::FIGURE_PUBLISH_LAG_P90 ? 0.9 : 0.99;
}

}  // namespace

std::string_view CountCode(Figure f) {
  switch (f) {
    case v1::FIGURE_POSTS_SCHEDULED: return fig::kScheduled;
    case v1::FIGURE_POSTS_PUBLISHED: return fig::kPublished;
    case v1::FIGURE_POSTS_FAILED: return fig::kFailed;
    case v1::FIGURE_IMPRESSIONS: return fig::kImpressions;
    case v1::FIGURE_LIKES: return fig::kLikes;
    case v1::FIGURE_REPLIES: return fig::kReplies;
    case v1::FIGURE_REPOSTS: return fig::kReposts;
    case v1::FIGURE_QUOTES: return fig::kQuotes;
    case v1::FIGURE_SAVES: return fig::kSaves;
    case v1::FIGURE_LINK_CLICKS: return fig::kLinkClicks;
    case v1::FIGURE_VIDEO_VIEWS: return fig::kVideoViews;
    case v1::FIGURE_ENGAGEMENTS: return fig::kEngagements;
    case v1::FIGURE_MENTIONS: return fig::kMentions;
    case v1::FIGURE_MENTIONS_POSITIVE: return fig::kPositive;
    case v1::FIGURE_MENTIONS_NEUTRAL: return fig::kNeutral;
    case v1::FIGURE_MENTIONS_NEGATIVE: return fig::kNegative;
    case v1::FIGURE_SLA_WARNINGS: return fig::kSlaWarnings;
    case v1::FIGURE_SLA_BREACHES: return fig::kSlaBreaches;
    case v1::FIGURE_CAMPAIGNS_CREATED: return fig::kCampaigns;
    case v1::FIGURE_FOLLOWER_GROWTH: return fig::kFollowerGrowth;
    case v1::FIGURE_CLICKS: return fig::kClicks;
    case v1::FIGURE_UNIQUE_CLICKS: return fig::kUniqueClicks;
    case v1::FIGURE_BOT_CLICKS: return fig::kBotClicks;
    case v1::FIGURE_LEADS: return fig::kLeadsMilli;
    case v1::FIGURE_SALES: return fig::kSalesMilli;
    case v1::FIGURE_REVENUE: return fig::kRevenueMicros;
    case v1::FIGURE_SPEND: return fig::kSpendMicros;
    case v1::FIGURE_UNATTRIBUTED_CONVERSIONS: return fig::kUnattributed;
    default: return {};
  }
}

bool IsSnapshotFigure(Figure f) {
  return (f >= v1::FIGURE_IMPRESSIONS && f <= v1::FIGURE_ENGAGEMENTS) || f == v1::FIGURE_FOLLOWER_GROWTH;
}

std::string FigureName(Figure figure) {
  std::string name = v1::Figure_Name(figure);
  if (name.rfind("FIGURE_", 0) == 0) name = name.substr(7);
  return absl::AsciiStrToLower(name);
}

std::vector<std::string> RawFiguresOf(Figure figure) {
  if (auto code = CountCode(figure); !code.empty()) return {std::string(code)};
  switch (figure) {
    case v1::FIGURE_SUCCESS_RATIO: return {std::string(fig::kPublished), std::string(fig::kFailed)};
    case v1::FIGURE_ENGAGEMENT_RATE:
      return {std::string(fig::kEngagementsWithImpressions), std::string(fig::kImpressions)};
    case v1::FIGURE_SENTIMENT: return {std::string(fig::kSentimentMilli), std::string(fig::kScored)};
    case v1::FIGURE_SHARE_OF_VOICE: return {std::string(fig::kMentions)};
    case v1::FIGURE_CONVERSION_RATE: return {std::string(fig::kSalesMilli), std::string(fig::kClicks)};
    case v1::FIGURE_CPC: return {std::string(fig::kSpendMicros), std::string(fig::kClicks)};
    case v1::FIGURE_CPA: return {std::string(fig::kSpendMicros), std::string(fig::kSalesMilli)};
    case v1::FIGURE_ROAS:
    case v1::FIGURE_ROI: return {std::string(fig::kRevenueMicros), std::string(fig::kSpendMicros)};
    case v1::FIGURE_CTR: return {std::string(fig::kClicks), std::string(fig::kImpressions)};
    case v1::FIGURE_PUBLISH_LAG_P50:
    case v1::FIGURE_PUBLISH_LAG_P90:
    case v1::FIGURE_PUBLISH_LAG_P99: {
      std::vector<std::string> out;
      for (int k = 0; k < kLagBuckets; ++k) out.push_back(std::string(fig::kLagPrefix) + std::to_string(k));
      return out;
    }
    default: return {};
  }
}

MentionTotals SumMentions(const std::vector<Period>& periods, const std::vector<SeriesBuckets>& groups) {
  MentionTotals t{std::vector<int64_t>(periods.size()), 0};
  for (const auto& g : groups) {
    Sums s = SumOf(periods, g, fig::kMentions);
    for (size_t p = 0; p < periods.size(); ++p) t.per_period[p] += s.per_period[p];
    t.total += s.total;
  }
  return t;
}

std::vector<FigureResult> BuildFigures(const std::vector<Period>& periods, const SeriesBuckets& group,
                                       const std::vector<Figure>& figures, const MentionTotals* all_groups) {
  const size_t n = periods.size();
  std::vector<FigureResult> out;
  for (Figure f : figures) {
    FigureResult r{std::vector<std::optional<double>>(n), std::nullopt};
    if (auto code = CountCode(f); !code.empty()) {
      Sums s = SumOf(periods, group, code);
      bool snapshot = IsSnapshotFigure(f);
      const double unit = UnitOf(f);
      for (size_t p = 0; p < n; ++p) {
        if (!snapshot || s.present[p]) r.values[p] = static_cast<double>(s.per_period[p]) * unit;
      }
      if (!snapshot || s.any) r.total = static_cast<double>(s.total) * unit;
    } else if (auto parts = RatioOf(f)) {
      Sums num = SumOf(periods, group, parts->num), den = SumOf(periods, group, parts->den);
      auto ratio = [&](int64_t a, int64_t b) -> std::optional<double> {
        auto q = Ratio(static_cast<double>(a) * parts->num_unit, static_cast<double>(b) * parts->den_unit);
        return q ? std::optional<double>(*q + parts->offset) : std::nullopt;
      };
      for (size_t p = 0; p < n; ++p) r.values[p] = ratio(num.per_period[p], den.per_period[p]);
      r.total = ratio(num.total, den.total);
    } else if (f == v1::FIGURE_SUCCESS_RATIO) {
      Sums pub = SumOf(periods, group, fig::kPublished), fail = SumOf(periods, group, fig::kFailed);
      for (size_t p = 0; p < n; ++p) r.values[p] = SuccessRatio(pub.per_period[p], fail.per_period[p]);
      r.total = SuccessRatio(pub.total, fail.total);
    } else if (f == v1::FIGURE_ENGAGEMENT_RATE) {
      Sums eng = SumOf(periods, group, fig::kEngagementsWithImpressions);
      Sums imp = SumOf(periods, group, fig::kImpressions);
      auto impressions = [](bool present, int64_t v) { return present ? std::optional<int64_t>(v) : std::nullopt; };
      for (size_t p = 0; p < n; ++p) {
        r.values[p] = EngagementRate(eng.per_period[p], impressions(imp.present[p], imp.per_period[p]));
      }
      r.total = EngagementRate(eng.total, impressions(imp.any, imp.total));
    } else if (f == v1::FIGURE_SENTIMENT) {
      Sums sum = SumOf(periods, group, fig::kSentimentMilli), scored = SumOf(periods, group, fig::kScored);
      auto mean = [](int64_t milli, int64_t count) {
        return count > 0 ? std::optional<double>(static_cast<double>(milli) / 1000.0 / static_cast<double>(count))
                         : std::nullopt;
      };
      for (size_t p = 0; p < n; ++p) r.values[p] = mean(sum.per_period[p], scored.per_period[p]);
      r.total = mean(sum.total, scored.total);
    } else if (f == v1::FIGURE_SHARE_OF_VOICE) {
      Sums mine = SumOf(periods, group, fig::kMentions);
      auto share = [](int64_t part, int64_t whole) {
        return whole > 0 ? std::optional<double>(static_cast<double>(part) / static_cast<double>(whole))
                         : std::nullopt;
      };
      MentionTotals own{mine.per_period, mine.total};
      const MentionTotals& whole = all_groups ? *all_groups : own;
      for (size_t p = 0; p < n; ++p) r.values[p] = share(mine.per_period[p], whole.per_period[p]);
      r.total = share(mine.total, whole.total);
    } else if (f == v1::FIGURE_PUBLISH_LAG_P50 || f == v1::FIGURE_PUBLISH_LAG_P90 ||
               f == v1::FIGURE_PUBLISH_LAG_P99) {
      std::vector<std::vector<int64_t>> per_period(n, std::vector<int64_t>(kLagBuckets));
      std::vector<int64_t> total(kLagBuckets);
      for (auto it = group.lower_bound(std::string(fig::kLagPrefix)); it != group.end(); ++it) {
        if (it->first.rfind(fig::kLagPrefix, 0) != 0) break;
        int k = std::atoi(it->first.c_str() + fig::kLagPrefix.size());
        if (k < 0 || k >= kLagBuckets) continue;
        ForEachInPeriods(periods, it->second, [&](size_t p, int64_t count) {
          per_period[p][static_cast<size_t>(k)] += count;
          total[static_cast<size_t>(k)] += count;
        });
      }
      for (size_t p = 0; p < n; ++p) r.values[p] = LagPercentile(per_period[p], Lag(f));
      r.total = LagPercentile(total, Lag(f));
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace herald::analytics
