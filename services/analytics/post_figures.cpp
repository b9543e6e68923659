#include "analytics/post_figures.h"

#include <cstdlib>

#include "analytics/report/figures.h"
#include "analytics/report/report_builder.h"
#include "analytics/rollup.h"
#include "common/time_util.h"

namespace herald::analytics {
namespace {

std::optional<int64_t> CountOf(const PostRecord& record, std::string_view figure) {
  auto it = record.find("m:" + std::string(figure));
  if (it == record.end()) return std::nullopt;
  return std::atoll(it->second.c_str());
}

// A post's counts are its snapshot figures (a channel's follower growth is
// not a post's).
std::string_view CodeOf(v1::Figure f) {
  return IsSnapshotFigure(f) && f != v1::FIGURE_FOLLOWER_GROWTH ? CountCode(f) : std::string_view();
}

std::optional<double> RateOf(const PostRecord& record) {
  auto engaged = CountOf(record, fig::kEngagements);
  return EngagementRate(engaged.value_or(0), CountOf(record, fig::kImpressions));
}

}  // namespace

std::string Field(const PostRecord& record, const std::string& name) {
  auto it = record.find(name);
  return it == record.end() ? "" : it->second;
}

bool IsRankable(v1::Figure figure) { return !CodeOf(figure).empty() || figure == v1::FIGURE_ENGAGEMENT_RATE; }

std::optional<double> RankValue(const PostRecord& record, v1::Figure figure) {
  if (figure == v1::FIGURE_ENGAGEMENT_RATE) return RateOf(record);
  auto count = CountOf(record, CodeOf(figure));
  if (!count) return std::nullopt;
  return static_cast<double>(*count);
}

v1::PostFigures PostFiguresOf(const std::string& post_id, const PostRecord& record) {
  v1::PostFigures out;
  out.set_post_id(post_id);
  out.set_channel_id(Field(record, "ch"));
  out.set_campaign_id(Field(record, "cmp"));
  out.set_variant(Field(record, "var"));
  if (auto pub = std::atoll(Field(record, "pub").c_str()); pub > 0) *out.mutable_published_at() = FromMs(pub);
  if (auto sch = std::atoll(Field(record, "sch").c_str()); sch > 0) *out.mutable_scheduled_at() = FromMs(sch);
  for (auto f : PostTimelineFigures()) {
    if (auto code = CodeOf(f); !code.empty()) {
      if (auto c = CountOf(record, code)) (*out.mutable_counts())[FigureName(f)] = *c;
    }
  }
  if (auto rate = RateOf(record)) out.set_engagement_rate(*rate);
  return out;
}

std::vector<v1::Figure> PostTimelineFigures() {
  return {v1::FIGURE_IMPRESSIONS, v1::FIGURE_LIKES,       v1::FIGURE_REPLIES,     v1::FIGURE_REPOSTS,
          v1::FIGURE_QUOTES,      v1::FIGURE_SAVES,       v1::FIGURE_LINK_CLICKS, v1::FIGURE_VIDEO_VIEWS,
          v1::FIGURE_ENGAGEMENTS, v1::FIGURE_ENGAGEMENT_RATE};
}

std::optional<PostResult> ResultOf(const PostRecord& record, int64_t published_ms) {
  if (record.find("obs") == record.end()) return std::nullopt;
  PostResult r;
  r.channel_id = Field(record, "ch");
  r.published_ms = published_ms;
  r.engagements = CountOf(record, fig::kEngagements).value_or(0);
  r.impressions = CountOf(record, fig::kImpressions);
  return r;
}

}  // namespace herald::analytics
