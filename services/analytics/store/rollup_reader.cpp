#include "analytics/store/rollup_reader.h"

#include <algorithm>
#include <charconv>

#include "analytics/report/local_periods.h"
#include "analytics/store/rollup_keys.h"

namespace herald::analytics {
namespace {

absl::Status Check(const RedisReply& r) {
  return r.is_error() ? absl::InternalError("rollup read: " + r.str) : absl::OkStatus();
}

// One round trip; refused whole when any reply is an error.
absl::StatusOr<std::vector<RedisReply>> ReadAll(RedisClient& redis, const std::vector<RedisClient::Args>& cmds) {
  auto replies = redis.Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    if (auto s = Check(r); !s.ok()) return s;
  }
  return replies;
}

// Flat [field, value, …] replies as a map.
template <class Value, class Convert>
std::map<std::string, Value> AsMap(const RedisReply& r, Convert convert) {
  std::map<std::string, Value> out;
  for (size_t k = 0; k + 1 < r.elements.size(); k += 2) out[r.elements[k].str] = convert(r.elements[k + 1]);
  return out;
}

}  // namespace

absl::StatusOr<std::vector<SeriesBuckets>> RollupReader::Buckets(const std::string& ws,
                                                                 const std::vector<std::string>& series,
                                                                 int64_t from_ms, int64_t to_ms) {
  std::vector<keys::MonthSlot> months = keys::MonthsOf(from_ms, to_ms);
  std::string prefix = keys::Prefix(ws);
  std::vector<RedisClient::Args> cmds;
  for (const auto& s : series) {
    for (const auto& m : months) cmds.push_back({"HGETALL", prefix + keys::BucketKey(s, m.month)});
  }
  std::vector<SeriesBuckets> out(series.size());
  if (cmds.empty()) return out;
  auto replies = ReadAll(redis_, cmds);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < replies->size(); ++i) {
    const RedisReply& r = (*replies)[i];
    SeriesBuckets& buckets = out[i / months.size()];
    int64_t month_start = months[i % months.size()].month_start_ms;
    // Fields are "<figure>@<day of the month>", values "quarter:delta,…".
    for (size_t k = 0; k + 1 < r.elements.size(); k += 2) {
      const std::string& field = r.elements[k].str;
      size_t at = field.rfind('@');
      if (at == std::string::npos) continue;
      int64_t day = 0;
      std::from_chars(field.data() + at + 1, field.data() + field.size(), day);
      int64_t day_start = month_start + day * 96 * kBucketMs;
      auto& list = buckets[field.substr(0, at)];
      const std::string& value = r.elements[k + 1].str;
      const char* p = value.data();
      const char* end = p + value.size();
      while (p < end) {
        int64_t quarter = 0, count = 0;
        auto q = std::from_chars(p, end, quarter);
        if (q.ec != std::errc() || q.ptr >= end || *q.ptr != ':') break;
        auto c = std::from_chars(q.ptr + 1, end, count);
        if (c.ec != std::errc()) break;
        int64_t bucket = day_start + quarter * kBucketMs;
        if (bucket >= from_ms && bucket < to_ms) list.emplace_back(bucket, count);
        p = c.ptr < end && *c.ptr == ',' ? c.ptr + 1 : end;
      }
    }
  }
  // A day's field holds appended changes: sort, then sum repeats of a bucket.
  for (auto& series : out) {
    for (auto& [figure, list] : series) {
      std::sort(list.begin(), list.end());
      size_t w = 0;
      for (size_t r = 0; r < list.size(); ++r) {
        if (w > 0 && list[w - 1].first == list[r].first) {
          list[w - 1].second += list[r].second;
        } else {
          list[w++] = list[r];
        }
      }
      list.resize(w);
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::map<std::string, int64_t>>> RollupReader::Totals(
    const std::string& ws, const std::vector<std::string>& series) {
  std::vector<RedisClient::Args> cmds;
  for (const auto& s : series) cmds.push_back({"HGETALL", keys::Prefix(ws) + keys::TotalKey(s)});
  std::vector<std::map<std::string, int64_t>> out;
  if (cmds.empty()) return out;
  auto replies = ReadAll(redis_, cmds);
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) out.push_back(AsMap<int64_t>(r, [](const RedisReply& v) { return v.AsInt(); }));
  return out;
}

absl::StatusOr<std::vector<PostRecord>> RollupReader::Posts(const std::string& ws,
                                                            const std::vector<std::string>& post_ids) {
  std::vector<RedisClient::Args> cmds;
  for (const auto& id : post_ids) cmds.push_back({"HGETALL", keys::Prefix(ws) + "post:" + id});
  std::vector<PostRecord> out;
  if (cmds.empty()) return out;
  auto replies = ReadAll(redis_, cmds);
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) out.push_back(AsMap<std::string>(r, [](const RedisReply& v) { return v.str; }));
  return out;
}

absl::StatusOr<RollupReader::Published> RollupReader::PublishedPosts(const std::string& ws, int64_t from_ms,
                                                                     int64_t to_ms, int64_t limit) {
  std::string key = keys::Prefix(ws) + "posts";
  std::string lo = std::to_string(from_ms), hi = "(" + std::to_string(to_ms);
  // Newest first: past the limit, the oldest are what is left out.
  auto replies = ReadAll(redis_, {{"ZREVRANGEBYSCORE", key, hi, lo, "WITHSCORES", "LIMIT", "0", std::to_string(limit)},
                                   {"ZCOUNT", key, lo, hi}});
  if (!replies.ok()) return replies.status();
  Published out;
  const auto& list = (*replies)[0].elements;
  for (size_t k = 0; k + 1 < list.size(); k += 2) out.posts.emplace_back(list[k].str, list[k + 1].AsInt());
  out.in_range = (*replies)[1].AsInt();
  return out;
}

absl::StatusOr<std::vector<std::string>> RollupReader::Groups(const std::string& ws, const std::string& kind,
                                                              int64_t limit) {
  auto r = redis_.Command({"ZRANGE", keys::Prefix(ws) + "g:" + kind, "0", std::to_string(limit - 1)});
  if (!r.ok()) return r.status();
  if (auto s = Check(*r); !s.ok()) return s;
  std::vector<std::string> out;
  for (const auto& e : r->elements) out.push_back(e.str);
  return out;
}

}  // namespace herald::analytics
