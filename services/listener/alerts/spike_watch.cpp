#include "listener/alerts/spike_watch.h"

#include <algorithm>
#include <cstdio>

#include "common/events.h"
#include "common/ids.h"
#include "common/time_util.h"

namespace herald::listener {
namespace {

constexpr int64_t kVolumeTtlSeconds = 2 * 24 * 3600;
constexpr int64_t kMaxCatchUpBuckets = 288;  // a day of 5-minute buckets
constexpr int64_t kLeaseMs = 60'000;

// KEYS: the series set, then one volume hash per series (all of one
// workspace's hash tag, so it runs on Redis Cluster). ARGV: bucket, ttl, series...
const RedisScript kRecord(R"lua(
for i = 2, #KEYS do
  redis.call('SADD', KEYS[1], ARGV[i + 1])
  redis.call('HINCRBY', KEYS[i], ARGV[1], 1)
  redis.call('EXPIRE', KEYS[i], tonumber(ARGV[2]))
end
return 1
)lua");

std::string SeriesSet(const std::string& ws) { return "lst:{" + ws + "}:series"; }
std::string Volume(const std::string& ws, const std::string& series) { return "lst:{" + ws + "}:vol:" + series; }
std::string States(const std::string& ws) { return "lst:{" + ws + "}:spike"; }
std::string Recent(const std::string& ws) { return "lst:{" + ws + "}:alerts"; }

std::string Encode(const SpikeState& s) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%.17g %.17g %d %d %d %lld", s.mean, s.variance, s.buckets_seen, s.in_spike ? 1 : 0,
                s.spike_buckets, static_cast<long long>(s.last_bucket));
  return buf;
}

SpikeState Decode(const std::string& text) {
  SpikeState s;
  int in_spike = 0;
  long long last = -1;
  if (std::sscanf(text.c_str(), "%lf %lf %d %d %d %lld", &s.mean, &s.variance, &s.buckets_seen, &in_spike,
                  &s.spike_buckets, &last) == 6) {
    s.in_spike = in_spike != 0;
    s.last_bucket = last;
  } else {
    s = SpikeState{};
  }
  return s;
}

}  // namespace

absl::Status SpikeWatch::Record(const herald::events::v1::MentionReceived& m) {
  const std::string& ws = m.meta().workspace_id();
  std::vector<std::string> series{"channel:" + m.channel_id()};
  for (const auto& rule : m.rule_ids()) series.push_back("rule:" + rule);
  {
    // The workspace list lives under its own hash tag: added outside the
    // script, once per workspace per process.
    std::lock_guard lock(mu_);
    if (!known_workspaces_.count(ws)) {
      auto added = redis_.Command({"SADD", "{lst}:workspaces", ws});
      if (!added.ok()) return added.status();
      known_workspaces_.insert(ws);
    }
  }
  std::vector<std::string> keys{SeriesSet(ws)};
  std::vector<std::string> args{std::to_string(detector_.BucketOf(clock_.NowMs())), std::to_string(kVolumeTtlSeconds)};
  for (const auto& s : series) {
    keys.push_back(Volume(ws, s));
    args.push_back(s);
  }
  auto r = redis_.Eval(kRecord, keys, args);
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::StatusOr<std::vector<herald::events::v1::ListeningSpike>> SpikeWatch::CloseDue() {
  static const std::string kLease = "{lst}:spike-closer";
  auto lease = redis_.Command({"SET", kLease, "1", "NX", "PX", std::to_string(kLeaseMs)});
  if (!lease.ok()) return lease.status();
  if (lease->type == RedisReply::Type::kNil) return absl::FailedPreconditionError("another listener is closing buckets");
  std::vector<herald::events::v1::ListeningSpike> out;
  const int64_t current = detector_.BucketOf(clock_.NowMs());
  auto workspaces = redis_.Command({"SMEMBERS", "{lst}:workspaces"});
  if (!workspaces.ok()) return workspaces.status();
  absl::Status first_error;
  for (const auto& w : workspaces->elements) {
    auto series = redis_.Command({"SMEMBERS", SeriesSet(w.str)});
    if (!series.ok()) return series.status();
    for (const auto& s : series->elements) {
      auto spikes = CloseSeries(w.str, s.str, current);
      if (!spikes.ok()) {
        if (first_error.ok()) first_error = spikes.status();
        continue;
      }
      out.insert(out.end(), spikes->begin(), spikes->end());
    }
  }
  (void)redis_.Command({"DEL", kLease});
  if (!first_error.ok() && out.empty()) return first_error;
  return out;
}

absl::StatusOr<std::vector<herald::events::v1::ListeningSpike>> SpikeWatch::CloseSeries(const std::string& ws,
                                                                                       const std::string& series,
                                                                                       int64_t current) {
  auto stored = redis_.Command({"HGET", States(ws), series});
  if (!stored.ok()) return stored.status();
  SpikeState state = stored->type == RedisReply::Type::kNil ? SpikeState{} : Decode(stored->str);
  auto counts = redis_.Command({"HGETALL", Volume(ws, series)});
  if (!counts.ok()) return counts.status();
  std::vector<std::pair<int64_t, int64_t>> buckets;  // ended and not judged yet
  for (size_t i = 0; i + 1 < counts->elements.size(); i += 2) {
    int64_t b = std::atoll(counts->elements[i].str.c_str());
    if (b < current && b > state.last_bucket) buckets.emplace_back(b, std::atoll(counts->elements[i + 1].str.c_str()));
  }
  if (buckets.empty() && (state.last_bucket < 0 || state.last_bucket >= current - 1)) return std::vector<herald::events::v1::ListeningSpike>{};
  std::sort(buckets.begin(), buckets.end());
  // Empty buckets count as zeros; judge up to the last ended bucket, at most a day back.
  int64_t from = state.last_bucket < 0 ? (buckets.empty() ? current - 1 : buckets.front().first) : state.last_bucket + 1;
  from = std::max(from, current - kMaxCatchUpBuckets);
  std::vector<herald::events::v1::ListeningSpike> out;
  auto next = buckets.begin();
  std::vector<std::string> judged;
  for (int64_t b = from; b < current; ++b) {
    int64_t count = 0;
    while (next != buckets.end() && next->first < b) ++next;
    if (next != buckets.end() && next->first == b) count = next->second;
    SpikeState before = state;
    if (auto spike = detector_.Close(state, b, count)) {
      herald::events::v1::ListeningSpike e;
      auto colon = series.find(':');
      e.set_series_kind(series.substr(0, colon));
      e.set_series_id(series.substr(colon + 1));
      *e.mutable_bucket_start() = FromMs(b * detector_.policy().bucket_ms);
      e.set_count(spike->count);
      e.set_baseline(spike->baseline);
      e.set_z(spike->z);
      // The same spike has the same event id: a repeat after a crash is dropped downstream.
      uint64_t h = StableHash(ws + "|" + series + "|" + std::to_string(b));
      *e.mutable_meta() = NewEventMeta(e, ws, clock_, "ev_spike_" + ToHex(std::string_view(reinterpret_cast<const char*>(&h), sizeof h)));
      if (auto s = emit_(e); !s.ok()) {
        state = before;  // not saved past this bucket: judged again next time
        break;
      }
      out.push_back(std::move(e));
    }
    judged.push_back(std::to_string(b));
  }
  auto saved = redis_.Command({"HSET", States(ws), series, Encode(state)});
  if (!saved.ok()) return saved.status();
  // Kept for people to look back on (heraldctl get alerts), the latest 200.
  if (!out.empty()) {
    std::vector<RedisClient::Args> keep;
    for (const auto& e : out) keep.push_back({"LPUSH", Recent(ws), e.SerializeAsString()});
    keep.push_back({"LTRIM", Recent(ws), "0", std::to_string(kRecentKept - 1)});
    if (auto kept = redis_.Pipeline(keep); !kept.ok()) return kept.status();
  }
  // Judged buckets are not needed again.
  std::vector<std::string> del{"HDEL", Volume(ws, series)};
  for (auto& b : judged) del.push_back(std::move(b));
  if (del.size() > 2) (void)redis_.Command(del);
  return out;
}

absl::StatusOr<std::vector<herald::events::v1::ListeningSpike>> SpikeWatch::RecentSpikes(const std::string& ws,
                                                                                        int limit) {
  auto r = redis_.Command({"LRANGE", Recent(ws), "0", std::to_string(limit - 1)});
  if (!r.ok()) return r.status();
  std::vector<herald::events::v1::ListeningSpike> out;
  for (const auto& e : r->elements) {
    herald::events::v1::ListeningSpike spike;
    if (spike.ParseFromString(e.str)) out.push_back(std::move(spike));
  }
  return out;
}

}  // namespace herald::listener
