#pragma once
// A post's figures from its record in the rollups (the last snapshot's
// counts): for top-post rankings, timelines and the best-times model. No I/O.
#include <optional>
#include <string>
#include <vector>

#include "analytics/report/best_times.h"
#include "analytics/store/rollup_reader.h"
#include "herald/analytics/v1/analytics.pb.h"

namespace herald::analytics {

// A record's field ("" when absent).
std::string Field(const PostRecord& record, const std::string& name);

// Figures a post can be ranked by: its snapshot counts and engagement rate.
bool IsRankable(v1::Figure figure);
// The post's value of a rankable figure; nullopt when its network never
// reported it.
std::optional<double> RankValue(const PostRecord& record, v1::Figure figure);

v1::PostFigures PostFiguresOf(const std::string& post_id, const PostRecord& record);

// What a post's timeline shows.
std::vector<v1::Figure> PostTimelineFigures();

// The post as the best-times model sees it; nullopt before its first snapshot.
std::optional<PostResult> ResultOf(const PostRecord& record, int64_t published_ms);

}  // namespace herald::analytics
