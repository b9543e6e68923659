#pragma once
// Turns a group's 15-minute buckets into the figures a report asks for, per
// period and over the whole range. Counts are sums; ratios, means and
// percentiles are computed from the period's sums, never averaged from
// smaller periods. A snapshot figure (impressions, likes, …) is absent in a
// period no snapshot reported it in; a rate with nothing under it is absent.
// No I/O.
#include <optional>
#include <vector>

#include "analytics/report/local_periods.h"
#include "analytics/store/rollup_reader.h"
#include "herald/analytics/v1/analytics.pb.h"

namespace herald::analytics {

struct FigureResult {
  std::vector<std::optional<double>> values;  // one per period
  std::optional<double> total;                // over every period
};

// Mentions per period (and in total) of every group of a report: the
// denominator of share of voice.
struct MentionTotals {
  std::vector<int64_t> per_period;
  int64_t total = 0;
};

// "impressions" for FIGURE_IMPRESSIONS: CSV headers, map keys, heraldctl.
std::string FigureName(v1::Figure figure);

// The stored figure code of a count figure ("imp" for FIGURE_IMPRESSIONS);
// empty for a computed one (ratios, percentiles, share of voice).
std::string_view CountCode(v1::Figure figure);
// Figures a network reports (impressions … engagements): absent where
// nothing reported them.
bool IsSnapshotFigure(v1::Figure figure);

// The raw figures (bucket hash fields) a figure is computed from.
std::vector<std::string> RawFiguresOf(v1::Figure figure);

std::vector<FigureResult> BuildFigures(const std::vector<Period>& periods, const SeriesBuckets& group,
                                       const std::vector<v1::Figure>& figures,
                                       const MentionTotals* all_groups = nullptr);

// Sums the groups' mentions for share of voice.
MentionTotals SumMentions(const std::vector<Period>& periods, const std::vector<SeriesBuckets>& groups);

}  // namespace herald::analytics
