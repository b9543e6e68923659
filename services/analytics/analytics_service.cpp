#include "analytics/analytics_service.h"

#include <algorithm>

#include "analytics/csv_export.h"
#include "analytics/post_figures.h"
#include "analytics/report/best_times.h"
#include "analytics/report_query.h"
#include "analytics/rollup.h"
#include "common/ids.h"
#include "common/status.h"
#include "common/time_util.h"
#include "common/unary.h"

namespace herald::analytics {
namespace {

constexpr char kIdRule[] = "required, 1-64 of [A-Za-z0-9_-]";
// Posts a ranking or the best-times model reads at most.
constexpr int64_t kMaxPostsRead = 10000;

int64_t Get(const std::map<std::string, int64_t>& totals, std::string_view figure) {
  auto it = totals.find(std::string(figure));
  return it == totals.end() ? 0 : it->second;
}

}  // namespace

absl::StatusOr<std::map<std::string, int64_t>> AnalyticsService::Totals(const std::string& ws,
                                                                        const std::string& series) {
  auto totals = reader_.Totals(ws, {series});
  if (!totals.ok()) return totals.status();
  return std::move((*totals)[0]);
}

grpc::ServerUnaryReactor* AnalyticsService::GetChannelStats(grpc::CallbackServerContext* ctx,
                                                            const v1::GetChannelStatsRequest* request,
                                                            v1::ChannelStats* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoGetChannelStats(*request, response); });
}
grpc::ServerUnaryReactor* AnalyticsService::GetWorkspaceStats(grpc::CallbackServerContext* ctx,
                                                              const v1::GetWorkspaceStatsRequest* request,
                                                              v1::WorkspaceStats* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoGetWorkspaceStats(*request, response); });
}
grpc::ServerUnaryReactor* AnalyticsService::GetCampaignStats(grpc::CallbackServerContext* ctx,
                                                             const v1::GetCampaignStatsRequest* request,
                                                             v1::CampaignStats* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoGetCampaignStats(*request, response); });
}
grpc::ServerUnaryReactor* AnalyticsService::GetReport(grpc::CallbackServerContext* ctx,
                                                      const v1::GetReportRequest* request, v1::Report* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoGetReport(*request, response); });
}
grpc::ServerWriteReactor<v1::CsvChunk>* AnalyticsService::ExportReport(grpc::CallbackServerContext* ctx,
                                                                       const v1::GetReportRequest* request) {
  return StartCsvExport(ctx, *request, reader_, executor_);
}
grpc::ServerUnaryReactor* AnalyticsService::GetTopPosts(grpc::CallbackServerContext* ctx,
                                                        const v1::GetTopPostsRequest* request,
                                                        v1::TopPosts* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoGetTopPosts(*request, response); });
}
grpc::ServerUnaryReactor* AnalyticsService::GetPostTimeline(grpc::CallbackServerContext* ctx,
                                                            const v1::GetPostTimelineRequest* request,
                                                            v1::PostTimeline* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoGetPostTimeline(*request, response); });
}
grpc::ServerUnaryReactor* AnalyticsService::GetBestTimes(grpc::CallbackServerContext* ctx,
                                                         const v1::GetBestTimesRequest* request,
                                                         v1::BestTimes* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoGetBestTimes(*request, response); });
}

grpc::Status AnalyticsService::DoGetChannelStats(const v1::GetChannelStatsRequest& r, v1::ChannelStats* response) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(r.channel_id())) errors.Add("channel_id", kIdRule);
  if (!errors.ok()) return errors.ToGrpc();
  auto totals = Totals(r.workspace_id(), "c:" + r.channel_id());
  if (!totals.ok()) return ToGrpc(totals.status());
  response->set_channel_id(r.channel_id());
  response->set_posts_published(Get(*totals, fig::kPublished));
  response->set_posts_failed(Get(*totals, fig::kFailed));
  return grpc::Status::OK;
}

grpc::Status AnalyticsService::DoGetWorkspaceStats(const v1::GetWorkspaceStatsRequest& r,
                                                   v1::WorkspaceStats* response) {
  if (!IsValidId(r.workspace_id())) return InvalidArgument("workspace_id", kIdRule);
  auto totals = Totals(r.workspace_id(), "w");
  if (!totals.ok()) return ToGrpc(totals.status());
  response->set_posts_published(Get(*totals, fig::kPublished));
  response->set_posts_failed(Get(*totals, fig::kFailed));
  response->set_mentions(Get(*totals, fig::kMentions));
  response->set_campaigns(Get(*totals, fig::kCampaigns));
  return grpc::Status::OK;
}

grpc::Status AnalyticsService::DoGetCampaignStats(const v1::GetCampaignStatsRequest& r, v1::CampaignStats* response) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(r.campaign_id())) errors.Add("campaign_id", kIdRule);
  if (!errors.ok()) return errors.ToGrpc();
  auto totals = Totals(r.workspace_id(), "k:" + r.campaign_id());
  if (!totals.ok()) return ToGrpc(totals.status());
  response->set_campaign_id(r.campaign_id());
  response->set_posts(Get(*totals, fig::kAttached));
  response->set_posts_published(Get(*totals, fig::kPublished));
  response->set_clicks(Get(*totals, fig::kClicks));
  response->set_unique_clicks(Get(*totals, fig::kUniqueClicks));
  response->set_bot_clicks(Get(*totals, fig::kBotClicks));
  response->set_leads(static_cast<double>(Get(*totals, fig::kLeadsMilli)) / 1000.0);
  response->set_sales(static_cast<double>(Get(*totals, fig::kSalesMilli)) / 1000.0);
  response->set_revenue_micros(Get(*totals, fig::kRevenueMicros));
  response->set_spend_micros(Get(*totals, fig::kSpendMicros));
  if (response->sales() > 0) response->set_cpa(static_cast<double>(response->spend_micros()) / 1e6 / response->sales());
  if (response->spend_micros() > 0) {
    response->set_roas(static_cast<double>(response->revenue_micros()) / static_cast<double>(response->spend_micros()));
  }
  return grpc::Status::OK;
}

grpc::Status AnalyticsService::DoGetReport(const v1::GetReportRequest& request, v1::Report* response) {
  auto plan = PlanReport(request, reader_, /*whole=*/true);
  if (!plan.ok()) return ToGrpc(plan.status());
  auto report = RunReport(*plan, reader_, 0, plan->periods.size());
  if (!report.ok()) return ToGrpc(report.status());
  *response = *std::move(report);
  return grpc::Status::OK;
}

grpc::Status AnalyticsService::DoGetTopPosts(const v1::GetTopPostsRequest& r, v1::TopPosts* response) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", kIdRule);
  CheckRange(r.from(), r.to(), errors);
  if (!IsRankable(r.rank_by())) errors.Add("rank_by", "a post figure: impressions … engagements, or engagement_rate");
  if (r.limit() < 0 || r.limit() > 100) errors.Add("limit", "0-100 (0: 10)");
  if (!r.channel_id().empty() && !IsValidId(r.channel_id())) errors.Add("channel_id", "1-64 of [A-Za-z0-9_-]");
  if (!errors.ok()) return errors.ToGrpc();
  auto published = reader_.PublishedPosts(r.workspace_id(), ToMs(r.from()), ToMs(r.to()), kMaxPostsRead);
  if (!published.ok()) return ToGrpc(published.status());
  std::vector<std::string> ids;
  for (const auto& [id, ms] : published->posts) ids.push_back(id);
  auto records = reader_.Posts(r.workspace_id(), ids);
  if (!records.ok()) return ToGrpc(records.status());
  std::vector<std::pair<double, size_t>> ranked;
  for (size_t i = 0; i < ids.size(); ++i) {
    const PostRecord& rec = (*records)[i];
    if (!r.channel_id().empty() && Field(rec, "ch") != r.channel_id()) continue;
    if (auto v = RankValue(rec, r.rank_by())) ranked.emplace_back(*v, i);
  }
  size_t limit = r.limit() == 0 ? 10 : static_cast<size_t>(r.limit());
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t k = 0; k < ranked.size() && k < limit; ++k) {
    *response->add_posts() = PostFiguresOf(ids[ranked[k].second], (*records)[ranked[k].second]);
  }
  response->set_posts_in_range(static_cast<int32_t>(published->in_range));
  return grpc::Status::OK;
}

grpc::Status AnalyticsService::DoGetPostTimeline(const v1::GetPostTimelineRequest& r, v1::PostTimeline* response) {
  FieldErrors errors;
  absl::TimeZone zone;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(r.post_id())) errors.Add("post_id", kIdRule);
  if (!ZoneNamed(r.time_zone(), &zone)) errors.Add("time_zone", "not an IANA time zone name");
  if (r.hours() < 0 || r.hours() > 672) errors.Add("hours", "0-672 (0: 168)");
  if (!errors.ok()) return errors.ToGrpc();
  auto records = reader_.Posts(r.workspace_id(), {r.post_id()});
  if (!records.ok()) return ToGrpc(records.status());
  const PostRecord& rec = (*records)[0];
  int64_t published_ms = std::atoll(Field(rec, "pub").c_str());
  if (published_ms <= 0) return {grpc::StatusCode::NOT_FOUND, "no published post " + r.post_id() + " in analytics"};
  *response->mutable_post() = PostFiguresOf(r.post_id(), rec);
  v1::GetReportRequest report;
  report.set_workspace_id(r.workspace_id());
  *report.mutable_from() = FromMs(published_ms);
  *report.mutable_to() = FromMs(published_ms + int64_t{r.hours() == 0 ? 168 : r.hours()} * 3600000);
  report.set_time_zone(r.time_zone());
  report.set_granularity(v1::GRANULARITY_HOUR);
  report.set_group_by(v1::GROUP_BY_POST);
  report.add_group_ids(r.post_id());
  for (auto f : PostTimelineFigures()) report.add_figures(f);
  return DoGetReport(report, response->mutable_hourly());
}

grpc::Status AnalyticsService::DoGetBestTimes(const v1::GetBestTimesRequest& r, v1::BestTimes* response) {
  FieldErrors errors;
  absl::TimeZone zone;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(r.channel_id())) errors.Add("channel_id", kIdRule);
  if (!ZoneNamed(r.time_zone(), &zone)) errors.Add("time_zone", "not an IANA time zone name");
  if (r.lookback_days() != 0 && (r.lookback_days() < 7 || r.lookback_days() > 365)) {
    errors.Add("lookback_days", "7-365 (0: 90)");
  }
  if (r.limit() < 0 || r.limit() > 168) errors.Add("limit", "0-168 (0: 168)");
  if (!errors.ok()) return errors.ToGrpc();
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch()).count();
  int64_t lookback = int64_t{r.lookback_days() == 0 ? 90 : r.lookback_days()} * 86400000;
  auto published = reader_.PublishedPosts(r.workspace_id(), now - lookback, now, kMaxPostsRead);
  if (!published.ok()) return ToGrpc(published.status());
  std::vector<std::string> ids;
  for (const auto& [id, ms] : published->posts) ids.push_back(id);
  auto records = reader_.Posts(r.workspace_id(), ids);
  if (!records.ok()) return ToGrpc(records.status());
  std::vector<PostResult> posts;
  int channel_posts = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    auto result = ResultOf((*records)[i], published->posts[i].second);
    if (!result) continue;
    channel_posts += result->channel_id == r.channel_id();
    posts.push_back(*std::move(result));
  }
  auto hours = BestTimes(posts, r.channel_id(), zone, now);
  size_t limit = r.limit() == 0 ? 168 : static_cast<size_t>(r.limit());
  for (size_t i = 0; i < hours.size() && i < limit; ++i) {
    auto* h = response->add_hours();
    h->set_hour_of_week(hours[i].hour_of_week);
    h->set_name(HourOfWeekName(hours[i].hour_of_week));
    h->set_score(hours[i].score);
    h->set_evidence(hours[i].evidence);
  }
  response->set_channel_posts(channel_posts);
  response->set_workspace_posts(static_cast<int32_t>(posts.size()));
  return grpc::Status::OK;
}

}  // namespace herald::analytics
