#include "analytics/report_query.h"

#include "absl/time/civil_time.h"
#include "analytics/report/report_builder.h"
#include "common/ids.h"
#include "common/time_util.h"

namespace herald::analytics {
namespace {

constexpr char kIdRule[] = "1-64 of [A-Za-z0-9_-]";

// The series a group's counts are in, and the group kind listed in g:<kind>.
std::string SeriesKind(v1::GroupBy g) {
  switch (g) {
    case v1::GROUP_BY_CHANNEL: return "c";
    case v1::GROUP_BY_CAMPAIGN: return "k";
    case v1::GROUP_BY_VARIANT: return "v";
    case v1::GROUP_BY_POST: return "p";
    case v1::GROUP_BY_RULE: return "r";
    case v1::GROUP_BY_TAG: return "t";
    case v1::GROUP_BY_CAMPAIGN_CHANNEL: return "q";
    case v1::GROUP_BY_CAMPAIGN_SEGMENT: return "s";
    default: return "";
  }
}

bool IsGroupId(v1::GroupBy g, const std::string& id) {
  if (g != v1::GROUP_BY_VARIANT && g != v1::GROUP_BY_CAMPAIGN_CHANNEL && g != v1::GROUP_BY_CAMPAIGN_SEGMENT) {
    return IsValidId(id);
  }
  size_t slash = id.find('/');
  return slash != std::string::npos && IsValidId(id.substr(0, slash)) && IsValidId(id.substr(slash + 1));
}

}  // namespace

bool ZoneNamed(const std::string& name, absl::TimeZone* zone) {
  if (name.empty()) {
    *zone = absl::UTCTimeZone();
    return true;
  }
  auto loaded = LoadZone(name);
  if (!loaded) return false;
  *zone = *loaded;
  return true;
}

void CheckRange(const google::protobuf::Timestamp& from, const google::protobuf::Timestamp& to, FieldErrors& errors) {
  constexpr int64_t kEarliest = 946684800000, kLatest = 4102444800000;  // 2000 .. 2100
  if (!ValidTimestamp(from)) errors.Add("from", "not a timestamp");
  if (!ValidTimestamp(to)) errors.Add("to", "not a timestamp");
  if (!ValidTimestamp(from) || !ValidTimestamp(to)) return;
  int64_t f = ToMs(from), t = ToMs(to);
  bool from_ok = f >= kEarliest && f < kLatest, to_ok = t > kEarliest && t <= kLatest;
  if (!from_ok) errors.Add("from", "required, between 2000 and 2100");
  if (!to_ok) errors.Add("to", "required, between 2000 and 2100");
  if (from_ok && to_ok) {
    if (t <= f) {
      errors.Add("to", "must be after from");
    } else if (t - f > kMaxRangeDays * 86400000) {
      errors.Add("to", "at most " + std::to_string(kMaxRangeDays) + " days after from");
    }
  }
}

absl::StatusOr<ReportPlan> PlanReport(const v1::GetReportRequest& r, RollupReader& reader, bool whole) {
  FieldErrors errors;
  ReportPlan plan;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", std::string("required, ") + kIdRule);
  CheckRange(r.from(), r.to(), errors);
  if (!ZoneNamed(r.time_zone(), &plan.zone)) errors.Add("time_zone", "not an IANA time zone name");
  if (!v1::Granularity_IsValid(r.granularity())) errors.Add("granularity", "not a granularity");
  if (!v1::GroupBy_IsValid(r.group_by())) errors.Add("group_by", "not a grouping");
  constexpr int kFigures = v1::Figure_MAX;  // every figure once
  if (r.figures_size() == 0 || r.figures_size() > kFigures) {
    errors.Add("figures", "1 to " + std::to_string(kFigures) + " figures");
  }
  for (int i = 0; i < r.figures_size() && i < kFigures; ++i) {
    if (!v1::Figure_IsValid(r.figures(i)) || r.figures(i) == static_cast<int>(v1::FIGURE_UNSPECIFIED)) {
      errors.Add("figures[" + std::to_string(i) + "]", "not a figure");
    }
  }
  if (r.group_ids_size() > kMaxGroups) errors.Add("group_ids", "at most " + std::to_string(kMaxGroups));
  if (r.group_by() == v1::GROUP_BY_UNSPECIFIED && r.group_ids_size() > 0) {
    errors.Add("group_ids", "only with group_by");
  }
  for (int i = 0; i < r.group_ids_size() && i < kMaxGroups; ++i) {
    if (r.group_by() != v1::GROUP_BY_UNSPECIFIED && !IsGroupId(r.group_by(), r.group_ids(i))) {
      errors.Add("group_ids[" + std::to_string(i) + "]",
                 r.group_by() == v1::GROUP_BY_VARIANT            ? "<campaign_id>/<variant>, each an id"
                 : r.group_by() == v1::GROUP_BY_CAMPAIGN_CHANNEL ? "<campaign_id>/<channel_id>, each an id"
                 : r.group_by() == v1::GROUP_BY_CAMPAIGN_SEGMENT ? "<campaign_id>/<segment_id>, each an id"
                                                                 : kIdRule);
    }
  }
  if (r.group_by() == v1::GROUP_BY_POST && r.group_ids_size() == 0) errors.Add("group_ids", "name the posts");
  int64_t from = ToMs(r.from()), to = ToMs(r.to());
  if (errors.ok()) {
    if (r.granularity() == v1::GRANULARITY_TOTAL) {
      plan.periods.push_back({from, to, absl::ToCivilSecond(absl::FromUnixMillis(from), plan.zone)});
    } else {
      Granularity g = r.granularity() == v1::GRANULARITY_HOUR  ? Granularity::kHour
                      : r.granularity() == v1::GRANULARITY_WEEK ? Granularity::kWeek
                                                                : Granularity::kDay;
      auto periods = LocalPeriods(plan.zone, from, to, g, kMaxPeriods);
      if (!periods.ok()) {
        errors.Add("granularity", std::string(periods.status().message()));
      } else {
        plan.periods = *std::move(periods);
      }
    }
  }
  if (!errors.ok()) return absl::InvalidArgumentError(errors.Message());

  plan.workspace_id = r.workspace_id();
  plan.zone_name = r.time_zone().empty() ? "UTC" : r.time_zone();
  for (int f : r.figures()) plan.figures.push_back(static_cast<v1::Figure>(f));
  for (auto f : plan.figures) plan.share_of_voice |= f == v1::FIGURE_SHARE_OF_VOICE;
  if (r.group_by() == v1::GROUP_BY_UNSPECIFIED) {
    plan.group_ids = {""};
    plan.series = {"w"};
    return plan;
  }
  std::string kind = SeriesKind(r.group_by());
  plan.group_ids.assign(r.group_ids().begin(), r.group_ids().end());
  if (plan.group_ids.empty()) {
    auto groups = reader.Groups(r.workspace_id(), kind, kMaxGroups + 1);
    if (!groups.ok()) return groups.status();
    if (static_cast<int>(groups->size()) > kMaxGroups) {
      return absl::InvalidArgumentError("group_ids: the workspace has over " + std::to_string(kMaxGroups) +
                                        " of these; name at most " + std::to_string(kMaxGroups));
    }
    plan.group_ids = *std::move(groups);
  }
  for (const auto& id : plan.group_ids) plan.series.push_back(kind + ":" + id);
  if (whole && plan.periods.size() * plan.series.size() * plan.figures.size() > kMaxReportValues) {
    return absl::InvalidArgumentError(
        "granularity: " + std::to_string(plan.periods.size()) + " periods × " + std::to_string(plan.series.size()) +
        " groups × " + std::to_string(plan.figures.size()) + " figures is over " + std::to_string(kMaxReportValues) +
        " values; use a coarser granularity, fewer group_ids, or ExportReport");
  }
  return plan;
}

absl::StatusOr<v1::Report> RunReport(const ReportPlan& plan, RollupReader& reader, size_t first, size_t last) {
  std::vector<Period> periods(plan.periods.begin() + static_cast<std::ptrdiff_t>(first),
                              plan.periods.begin() + static_cast<std::ptrdiff_t>(last));
  v1::Report report;
  report.set_time_zone(plan.zone_name);
  if (periods.empty()) return report;
  auto buckets = reader.Buckets(plan.workspace_id, plan.series, periods.front().start_ms, periods.back().end_ms);
  if (!buckets.ok()) return buckets.status();
  for (const auto& p : periods) {
    auto* out = report.add_periods();
    *out->mutable_start() = FromMs(p.start_ms);
    *out->mutable_end() = FromMs(p.end_ms);
    out->set_local_start(absl::FormatCivilTime(p.local_start));
  }
  MentionTotals all;
  if (plan.share_of_voice) all = SumMentions(periods, *buckets);
  for (size_t g = 0; g < plan.series.size(); ++g) {
    auto* group = report.add_groups();
    group->set_group_id(plan.group_ids[g]);
    auto results = BuildFigures(periods, (*buckets)[g], plan.figures, plan.share_of_voice ? &all : nullptr);
    for (size_t f = 0; f < plan.figures.size(); ++f) {
      auto* values = group->add_figures();
      values->set_figure(plan.figures[f]);
      for (const auto& v : results[f].values) {
        auto* out = values->add_values();
        if (v) out->set_value(*v);
      }
      if (results[f].total) values->mutable_total()->set_value(*results[f].total);
    }
  }
  return report;
}

}  // namespace herald::analytics
