#include "analytics/store/apply_args.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "analytics/report/local_periods.h"
#include "analytics/store/rollup_keys.h"

namespace herald::analytics {
namespace {

constexpr int64_t kBucketsPerDay = 96;

std::string Str(int64_t v) { return std::to_string(v); }

// One series' changes in one bucket: a handful of figures, kept in a small
// vector (a mention touches four). Facts in a poll share series and buckets,
// so a poll folds into few cells and one hash lookup serves every figure.
struct Cell {
  std::vector<std::pair<std::string_view, int64_t>> deltas;
  void Add(std::string_view figure, int64_t delta) {
    for (auto& [f, d] : deltas) {
      if (f == figure) {
        d += delta;
        return;
      }
    }
    deltas.emplace_back(figure, delta);
  }
};

}  // namespace

std::pair<RedisClient::Args, RedisClient::Args> ApplyArgs(const Slice& s, const ApplyRound& round, int window,
                                                          int64_t now_ms, std::vector<const Fact*>& included,
                                                          std::vector<uint32_t>& sent) {
  std::string prefix = keys::Prefix(s.workspace_id);
  RedisClient::Args args{prefix, Str(window), Str(now_ms), ""};
  std::vector<int64_t> from(s.segments.size());
  for (uint32_t i = 0; i < s.segments.size(); ++i) {
    bool dropped = !round.dropped.empty() && round.dropped[i];
    from[i] = round.from.empty() ? s.segments[i].first_offset : std::max(round.from[i], s.segments[i].first_offset);
    if (dropped || from[i] >= s.segments[i].next_offset) {
      from[i] = INT64_MAX;  // nothing of it goes
      continue;
    }
    const Segment& g = s.segments[i];
    args.insert(args.end(), {keys::TopicPartition(g.topic, g.partition), Str(g.epoch), Str(from[i]), Str(g.next_offset)});
    sent.push_back(i);
  }
  args[3] = Str(static_cast<int64_t>(sent.size()));

  absl::flat_hash_set<std::string_view> ids;
  ids.reserve(s.facts.size());
  absl::flat_hash_map<std::pair<std::string_view, int64_t>, Cell> cells;  // (series, bucket)
  absl::flat_hash_map<int64_t, keys::MonthSlot> slots;                     // a poll's facts share few buckets
  // The groups a report can list ("c", "k", "v", "r", "t", "q" series), from the
  // series the slice touches.
  absl::flat_hash_set<std::pair<std::string_view, std::string_view>> groups;
  auto AddGroup = [&groups](std::string_view series) {
    if (series.size() > 2 && series[1] == ':' && std::string_view("ckvrtq").find(series[0]) != std::string_view::npos) {
      groups.emplace(series.substr(0, 1), series.substr(2));
    }
  };
  auto slot_of = [&](int64_t bucket_ms) -> const keys::MonthSlot& {
    auto [it, fresh] = slots.try_emplace(bucket_ms);
    if (fresh) it->second = keys::SlotOf(bucket_ms);
    return it->second;
  };
  RedisClient::Args ops;
  for (size_t i = 0; i < s.facts.size(); ++i) {
    const Fact& f = *s.facts[i];
    if (s.offsets[i] < from[s.segment_of[i]]) continue;
    if (!f.dedupe_id.empty()) {
      if ((!round.excluded.empty() && round.excluded.contains(f.dedupe_id)) || !ids.insert(f.dedupe_id).second) continue;
    }
    included.push_back(&f);
    for (size_t k = 0; k < f.series.size(); ++k) {
      Cell* cell = nullptr;  // looked up once per series, and only when it counts something
      for (const Count& c : f.counts) {
        if (!c.In(k)) continue;
        if (cell == nullptr) cell = &cells[{f.series[k], f.bucket_ms}];
        cell->Add(c.figure, c.delta);
      }
    }
    if (f.post) {
      ops.emplace_back("S");
      ops.emplace_back(f.post->post_id);
      ops.emplace_back(Str(static_cast<int64_t>(f.post->fields.size())));
      for (const auto& [k, v] : f.post->fields) {
        ops.emplace_back(k);
        ops.emplace_back(v);
      }
      ops.emplace_back(Str(f.post->published_ms));
      ops.emplace_back(Str(f.post->first_read_ms));
    }
    if (f.snapshot) {
      const keys::MonthSlot& slot = slot_of(f.bucket_ms);
      const Snapshot& m = *f.snapshot;
      bool post = m.subject == Snapshot::Subject::kPost;
      ops.emplace_back("M");
      ops.emplace_back((post ? "post:" : "chan:") + m.id);
      ops.emplace_back(Str(m.observed_ms));
      ops.emplace_back(slot.month);
      ops.emplace_back(Str(slot.index / kBucketsPerDay));
      ops.emplace_back(Str(slot.index % kBucketsPerDay));
      ops.emplace_back(post ? "1" : "0");
      ops.emplace_back(Str(static_cast<int64_t>(m.series.size())));
      for (const auto& series : m.series) ops.emplace_back(series);
      ops.emplace_back(Str(static_cast<int64_t>(m.values.size())));
      for (const auto& [figure, value] : m.values) {
        ops.emplace_back(figure);
        ops.emplace_back(Str(value));
      }
    }
    if (f.snapshot) {
      for (const auto& series : f.snapshot->series) AddGroup(series);
    }
  }
  args.push_back(Str(static_cast<int64_t>(ids.size())));
  for (const Fact* f : included) {
    if (!f->dedupe_id.empty()) args.push_back(f->dedupe_id);
  }
  // Per series, day by day: each figure's quarters of the day travel
  // together (one field), then the series' all-time totals.
  std::vector<std::pair<std::pair<std::string_view, int64_t>, const Cell*>> sorted;
  sorted.reserve(cells.size());
  for (const auto& [k, cell] : cells) sorted.emplace_back(k, &cell);
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < sorted.size();) {
    std::string_view series = sorted[i].first.first;
    AddGroup(series);
    std::vector<std::pair<std::string_view, int64_t>> totals;
    while (i < sorted.size() && sorted[i].first.first == series) {
      const keys::MonthSlot& slot = slot_of(sorted[i].first.second);
      int64_t day = slot.index / kBucketsPerDay;
      int64_t day_start = slot.month_start_ms + day * kBucketsPerDay * kBucketMs;
      int64_t day_end = day_start + kBucketsPerDay * kBucketMs;
      // figure → (quarter, delta) for this series' day.
      std::vector<std::pair<std::string_view, std::vector<std::pair<int64_t, int64_t>>>> by_figure;
      for (; i < sorted.size() && sorted[i].first.first == series && sorted[i].first.second < day_end; ++i) {
        int64_t quarter = (sorted[i].first.second - day_start) / kBucketMs;
        for (const auto& [figure, delta] : sorted[i].second->deltas) {
          auto it = std::find_if(by_figure.begin(), by_figure.end(), [&](const auto& e) { return e.first == figure; });
          if (it == by_figure.end()) it = by_figure.insert(by_figure.end(), {figure, {}});
          it->second.emplace_back(quarter, delta);
          auto t = std::find_if(totals.begin(), totals.end(), [&](const auto& e) { return e.first == figure; });
          if (t == totals.end()) t = totals.insert(totals.end(), {figure, 0});
          t->second += delta;
        }
      }
      std::string key = keys::BucketKey(series, slot.month);
      for (const auto& [figure, quarters] : by_figure) {
        std::string changes;  // "q:delta,…", the field's own format
        for (const auto& [q, d] : quarters) {
          if (!changes.empty()) changes.push_back(',');
          absl::StrAppend(&changes, q, ":", d);
        }
        ops.insert(ops.end(), {"B", key, keys::BucketField(figure, day), std::move(changes)});
      }
    }
    std::string total_key = keys::TotalKey(series);
    for (const auto& [figure, delta] : totals) ops.insert(ops.end(), {"H", total_key, std::string(figure), Str(delta)});
  }
  std::vector<std::pair<std::string_view, std::string_view>> group_list(groups.begin(), groups.end());
  std::sort(group_list.begin(), group_list.end());
  for (const auto& [kind, id] : group_list) {
    ops.insert(ops.end(), {"G", std::string(kind), std::string(id), Str(now_ms)});
  }
  args.insert(args.end(), std::make_move_iterator(ops.begin()), std::make_move_iterator(ops.end()));
  return {{prefix + "pos", prefix + "seen"}, std::move(args)};
}

}  // namespace herald::analytics
