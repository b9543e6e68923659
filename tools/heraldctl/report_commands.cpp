#include "heraldctl/report_commands.h"

#include <cstdio>
#include <iostream>

#include "common/time_util.h"
#include "herald/analytics/v1/analytics.grpc.pb.h"
#include "heraldctl/table.h"

namespace heraldctl {
namespace {

namespace an = herald::analytics::v1;
using herald::FromMs;

std::unique_ptr<an::AnalyticsService::Stub> Analytics(const Ctx& c) {
  return an::AnalyticsService::NewStub(Dial(c.args, "analytics", "HERALD_ANALYTICS_ADDR", "localhost:7105"));
}

int Usage(const std::string& msg) {
  std::cerr << "error: " << msg << "\n";
  return 2;
}

// "engagement_rate" → FIGURE_ENGAGEMENT_RATE.
bool FigureOf(const std::string& name, an::Figure* out) {
  std::string upper = "FIGURE_";
  for (char ch : name) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
  return an::Figure_Parse(upper, out) && *out != an::FIGURE_UNSPECIFIED;
}

std::string Cell(const an::OptionalValue& v) {
  if (!v.has_value()) return "-";
  double d = v.value();
  char buf[32];
  if (d == static_cast<double>(static_cast<int64_t>(d))) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(d));
  } else {
    std::snprintf(buf, sizeof buf, "%.4g", d);
  }
  return buf;
}

// The request every report form shares, from the flags; "" or the problem.
std::string BuildRequest(const Ctx& c, an::GetReportRequest* req) {
  req->set_workspace_id(c.workspace);
  auto from = ParseTime(c.args.Get("from", "", "-7d"));
  auto to = ParseTime(c.args.Get("to", "", "now"));
  if (!from) return "--from: want -7d, +1h, now or RFC 3339";
  if (!to) return "--to: want -7d, +1h, now or RFC 3339";
  *req->mutable_from() = FromMs(*from);
  *req->mutable_to() = FromMs(*to);
  req->set_time_zone(c.args.Get("zone", "", ""));
  std::string by = c.args.Get("by", "", "day");
  an::Granularity g;
  std::string gname = "GRANULARITY_";
  for (char ch : by) gname.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
  if (!an::Granularity_Parse(gname, &g) || g == an::GRANULARITY_UNSPECIFIED) return "--by: want hour, day, week or total";
  req->set_granularity(g);
  std::string group = c.args.Get("group", "", "");
  if (!group.empty()) {
    an::GroupBy gb;
    std::string name = "GROUP_BY_";
    for (char ch : group) name.push_back(ch == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
    if (!an::GroupBy_Parse(name, &gb) || gb == an::GROUP_BY_UNSPECIFIED) {
      return "--group: want channel, campaign, variant, post, rule, tag, campaign-channel or campaign-segment";
    }
    req->set_group_by(gb);
  }
  for (const auto& id : SplitCommas(c.args.Get("ids", "", ""))) req->add_group_ids(id);
  for (const auto& f : SplitCommas(c.args.Get("figures", "", "posts_published,impressions,engagements,engagement_rate,mentions"))) {
    an::Figure fig;
    if (!FigureOf(f, &fig)) return "--figures: no figure \"" + f + "\"";
    req->add_figures(fig);
  }
  return "";
}

int ReportTable(const Ctx& c) {
  an::GetReportRequest req;
  if (auto bad = BuildRequest(c, &req); !bad.empty()) return Usage(bad);
  an::Report out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Analytics(c)->GetReport(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  std::vector<std::string> header{"PERIOD (" + out.time_zone() + ")"};
  bool grouped = req.group_by() != an::GROUP_BY_UNSPECIFIED;
  if (grouped) header.push_back("GROUP");
  for (int f : req.figures()) header.push_back(Lower(an::Figure_Name(static_cast<an::Figure>(f)), "FIGURE_"));
  Table t(header);
  for (int p = 0; p < out.periods_size(); ++p) {
    for (const auto& g : out.groups()) {
      std::vector<std::string> row{out.periods(p).local_start()};
      if (grouped) row.push_back(g.group_id());
      for (const auto& f : g.figures()) row.push_back(Cell(f.values(p)));
      t.Row(row);
    }
  }
  for (const auto& g : out.groups()) {
    std::vector<std::string> row{"TOTAL"};
    if (grouped) row.push_back(g.group_id());
    for (const auto& f : g.figures()) row.push_back(Cell(f.total()));
    t.Row(row);
  }
  t.Print(std::cout);
  return 0;
}

int Export(const Ctx& c) {
  an::GetReportRequest req;
  if (auto bad = BuildRequest(c, &req); !bad.empty()) return Usage(bad);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));
  auto reader = Analytics(c)->ExportReport(&ctx, req);
  an::CsvChunk chunk;
  while (reader->Read(&chunk)) std::cout << chunk.data();
  if (auto s = reader->Finish(); !s.ok()) return Fail(s);
  return 0;
}

int Top(const Ctx& c) {
  an::GetTopPostsRequest req;
  req.set_workspace_id(c.workspace);
  auto from = ParseTime(c.args.Get("from", "", "-30d"));
  auto to = ParseTime(c.args.Get("to", "", "now"));
  if (!from || !to) return Usage("--from/--to: want -7d, +1h, now or RFC 3339");
  *req.mutable_from() = FromMs(*from);
  *req.mutable_to() = FromMs(*to);
  an::Figure fig;
  if (!FigureOf(c.args.Get("figure", "", "engagements"), &fig)) return Usage("--figure: not a figure");
  req.set_rank_by(fig);
  req.set_limit(std::atoi(c.args.Get("limit", "", "10").c_str()));
  req.set_channel_id(c.args.Get("channel", "", ""));
  an::TopPosts out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Analytics(c)->GetTopPosts(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  Table t({"POST", "CHANNEL", "PUBLISHED", "IMPRESSIONS", "ENGAGEMENTS", "RATE"});
  for (const auto& p : out.posts()) {
    auto count = [&](const char* k) {
      auto it = p.counts().find(k);
      return it == p.counts().end() ? std::string("-") : std::to_string(it->second);
    };
    char rate[32] = "-";
    if (p.has_engagement_rate()) std::snprintf(rate, sizeof rate, "%.2f%%", p.engagement_rate() * 100);
    t.Row({p.post_id(), p.channel_id(), When(p.published_at()), count("impressions"), count("engagements"), rate});
  }
  t.Print(std::cout);
  std::cout << out.posts_in_range() << " posts published in the range\n";
  return 0;
}

int BestTimes(const Ctx& c) {
  an::GetBestTimesRequest req;
  req.set_workspace_id(c.workspace);
  req.set_channel_id(c.args.Get("channel", "", ""));
  if (req.channel_id().empty()) return Usage("report besttimes: --channel required");
  req.set_time_zone(c.args.Get("zone", "", ""));
  req.set_lookback_days(std::atoi(c.args.Get("lookback-days", "", "0").c_str()));
  an::BestTimes out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Analytics(c)->GetBestTimes(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  // A week as 7 rows of 24 hours; darker is better than the channel's mean.
  double score[168] = {};
  for (const auto& h : out.hours()) {
    if (h.hour_of_week() >= 0 && h.hour_of_week() < 168) score[h.hour_of_week()] = h.score();
  }
  const char* shades[] = {" ", ".", ":", "+", "#", "@"};
  std::cout << "     00  03  06  09  12  15  18  21\n";
  const char* days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  for (int d = 0; d < 7; ++d) {
    std::cout << days[d] << "  ";
    for (int h = 0; h < 24; ++h) {
      double s = score[d * 24 + h];
      int level = s <= 0 ? 0 : s < 0.75 ? 1 : s < 1.0 ? 2 : s < 1.25 ? 3 : s < 1.75 ? 4 : 5;
      std::cout << shades[level] << (h % 3 == 2 ? " " : "");
    }
    std::cout << "\n";
  }
  std::cout << "(. below average  + average  # above  @ far above; " << out.channel_posts() << " of the channel's posts, "
            << out.workspace_posts() << " in the workspace)\n";
  for (int i = 0; i < out.hours_size() && i < 3; ++i) {
    std::printf("best #%d: %s (%.2fx the channel's mean)\n", i + 1, out.hours(i).name().c_str(), out.hours(i).score());
  }
  return 0;
}

}  // namespace

int Report(const Ctx& c, const std::string& what) {
  if (what.empty()) return ReportTable(c);
  if (what == "top") return Top(c);
  if (what == "besttimes") return BestTimes(c);
  if (what == "export") return Export(c);
  return Usage("report: want nothing, top, besttimes or export");
}

}  // namespace heraldctl
