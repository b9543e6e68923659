// Analytics benchmarks; every figure beside a baseline measured in the same run.
//
// 1. Ingest: events per second from Kafka (the dev broker) into exact rollups
//    in a real redis-server, by the service's own consumer; beside a bare
//    consume (poll and copy, no processing) of the same records.
// 2. In process (no Redis, one thread): decode + fact + the apply script's
//    arguments per event; beside decoding alone.
// 3. Reports over 90 days of hourly data: one channel hourly, the workspace
//    hourly, and 50 channels side by side by day; p50/p99 through the
//    service's own code (no gRPC), beside raw pipelined HGETALLs of the same
//    keys.
//
// Flags: --events=N (ingest, default 300000), --inproc=N (default 500000),
//        --mix=mentions (every record a mention; default: 70% mentions, 20%
//        publish results, 10% metrics snapshots),
//        --report-iters=N (default 200), --channels=N (default 50).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include <prometheus/registry.h>

#include "analytics/analytics_service.h"
#include "analytics/event_consumer.h"
#include "analytics/report/local_periods.h"
#include "analytics/store/apply_args.h"
#include "analytics/store/rollup_keys.h"
#include "analytics/store/rollup_reader.h"
#include "analytics/store/rollup_store.h"
#include "bench_util.h"
#include "common/events.h"
#include "common/executor.h"
#include "common/kafka.h"
#include "common/time_util.h"
#include "herald/events/v1/events.pb.h"
#include "herald/topics.h"
#include "support/devbroker.h"
#include "support/redis_server.h"

using namespace herald;
using namespace herald::analytics;
using herald::bench::Flag;
using herald::bench::Fmt;
using herald::bench::Seconds;
namespace ev = herald::events::v1;

namespace {

constexpr int64_t kHour = 3600000;
constexpr int kWorkspaces = 20;
constexpr int kChannelsPerWorkspace = 10;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Record {
  std::string topic, key, value;
  std::vector<KafkaHeader> headers;
};

// The mix a busy deployment sees: mostly mentions, then publish results and
// metrics snapshots, across 20 workspaces of 10 channels.
// --mix=mentions: every record a mention (to see what each kind costs).
bool g_mentions_only = false;

Record MakeRecord(int i, int64_t now) {
  std::string ws = "ws" + std::to_string(i % kWorkspaces);
  std::string ch = "ch" + std::to_string((i / kWorkspaces) % kChannelsPerWorkspace);
  // Events arrive close to when they happen: times spread over the last 15 minutes.
  int64_t at = now - (i % 900) * 1000;
  Record r;
  int kind = g_mentions_only ? 0 : i % 10;
  if (kind < 7) {
    ev::MentionReceived m;
    m.set_mention_id("m" + std::to_string(i));
    m.set_channel_id(ch);
    m.set_conversation_id("c" + std::to_string(i % 5000));
    m.add_rule_ids("brand");
    m.add_tags("brand");
    m.mutable_sentiment()->set_scored(true);
    m.mutable_sentiment()->set_compound((i % 21 - 10) / 10.0);
    *m.mutable_created_at() = FromMs(at);
    m.set_text("what a lovely day with @brand, again and again");
    *m.mutable_meta() = NewEventMeta(m, ws, SystemClock::Instance());
    r = {std::string(topics::k_mentions), m.conversation_id(), m.SerializeAsString(), EventHeaders(m.meta())};
  } else if (kind < 9) {
    ev::PublishResult p;
    p.set_post_id("p" + std::to_string(i));
    p.set_channel_id(ch);
    p.set_occurrence_ms(at);
    *p.mutable_published_at() = FromMs(at + 1500 + i % 5000);
    p.set_outcome(i % 50 == 0 ? ev::PUBLISH_OUTCOME_FAILED : ev::PUBLISH_OUTCOME_PUBLISHED);
    p.set_network(common::v1::NETWORK_MASTODON);
    *p.mutable_meta() = NewEventMeta(p, ws, SystemClock::Instance());
    r = {std::string(topics::k_publish_results), ch, p.SerializeAsString(), EventHeaders(p.meta())};
  } else {
    ev::PostMetricsSnapshot s;
    s.set_post_id("p" + std::to_string(i % 2000));
    s.set_channel_id(ch);
    *s.mutable_observed_at() = FromMs(at + i);
    s.set_impressions(100 + i);
    s.set_likes(i / 100);
    s.set_reposts(i / 1000);
    s.set_replies(i / 500);
    *s.mutable_meta() = NewEventMeta(s, ws, SystemClock::Instance());
    r = {std::string(topics::k_post_metrics), s.post_id(), s.SerializeAsString(), EventHeaders(s.meta())};
  }
  return r;
}

const std::vector<std::string> kTopics{std::string(topics::k_mentions), std::string(topics::k_publish_results),
                                       std::string(topics::k_post_metrics)};

class CountingDeadLetters final : public DeadLetters {
 public:
  void Send(const KafkaMessage&, const absl::Status&) override { ++count; }
  std::atomic<int64_t> count{0};
};

using Marks = std::map<std::pair<std::string, int32_t>, KafkaConsumer::Watermarks>;

// The dev broker keeps a bounded log per partition (librdkafka's mock
// cluster trims old segments), so what a consumer can read is each
// partition's [low, high), not everything produced.
Marks LogMarks(const std::string& brokers) {
  ConsumerOptions o{{brokers, "bench-marks", {}}, "bench-marks-group", kTopics, {}, {}};
  KafkaConsumer consumer(o);
  Marks marks;
  for (const auto& t : kTopics) {
    for (int p = 0; p < 12; ++p) {
      auto m = consumer.QueryWatermarks(t, p, std::chrono::seconds(10));
      if (m.ok()) marks[{t, p}] = *m;
    }
  }
  return marks;
}

int64_t Readable(const Marks& marks) {
  int64_t n = 0;
  for (const auto& [tp, m] : marks) n += m.high - m.low;
  return n;
}

// Records the rollups' partition positions have passed.
int64_t Ingested(RollupStore& store, const Marks& marks) {
  int64_t total = 0;
  for (const auto& [tp, m] : marks) {
    auto pos = store.Position(tp.first, tp.second);
    if (pos.ok() && pos->has_value()) total += std::max<int64_t>(0, (*pos)->next - m.low);
  }
  return total;
}

// Poll-and-copy of every record, nothing else: the floor for any consumer.
// Returns records/s and the mentions it saw (what the rollups must count).
std::pair<double, int64_t> BareConsume(const std::string& brokers, int64_t n) {
  ConsumerOptions o{{brokers, "bench-bare", {{"auto.offset.reset", "earliest"}}}, "bench-bare-group", kTopics, {}, {}};
  KafkaConsumer consumer(o);
  int64_t got = 0, mentions = 0;
  auto start = std::chrono::steady_clock::now();
  bool started = false;
  while (got < n && Seconds(start) < 300) {
    auto batch = consumer.PollBatch(5000, std::chrono::milliseconds(200));
    if (!started && !batch.empty()) {
      start = std::chrono::steady_clock::now();  // from the first record: joining the group is not consuming
      started = true;
    }
    got += static_cast<int64_t>(batch.size());
    for (const auto& m : batch) mentions += m.topic == topics::k_mentions;
  }
  return {static_cast<double>(got) / Seconds(start), mentions};
}

std::pair<double, double> P50P99(std::vector<double> ms) {
  return {herald::bench::Percentile(ms, 50), herald::bench::Percentile(ms, 99)};
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t events = Flag(argc, argv, "events", 300000);
  const int64_t inproc = Flag(argc, argv, "inproc", 500000);
  const int report_iters = static_cast<int>(Flag(argc, argv, "report-iters", 200));
  const int channels = static_cast<int>(Flag(argc, argv, "channels", 50));
  for (int i = 1; i < argc; ++i) g_mentions_only |= std::string(argv[i]) == "--mix=mentions";
  std::vector<herald::bench::Row> rows;
  int64_t now = NowMs();

  // ---- 2. in process: decode + fact + script arguments, one thread
  {
    const int kDistinct = 20000;
    std::vector<Record> records;
    for (int i = 0; i < kDistinct; ++i) records.push_back(MakeRecord(i, now));
    auto decode = [&](const Record& r) -> std::unique_ptr<google::protobuf::Message> {
      std::unique_ptr<google::protobuf::Message> m;
      if (r.topic == topics::k_mentions) m = std::make_unique<ev::MentionReceived>();
      else if (r.topic == topics::k_publish_results) m = std::make_unique<ev::PublishResult>();
      else m = std::make_unique<ev::PostMetricsSnapshot>();
      m->ParseFromString(r.value);
      return m;
    };
    // Baseline: decoding alone.
    auto start = std::chrono::steady_clock::now();
    int64_t sink = 0;
    for (int64_t i = 0; i < inproc; ++i) sink += decode(records[i % kDistinct])->ByteSizeLong() > 0;
    double decode_rate = static_cast<double>(inproc) / Seconds(start);
    // Herald: fact and, per poll of 5000, the apply arguments of each
    // workspace's slice; once from decoded events (aggregation alone), once
    // with the decode.
    std::vector<std::unique_ptr<google::protobuf::Message>> decoded;
    for (const auto& r : records) decoded.push_back(decode(r));
    auto aggregate = [&](bool with_decode) {
      auto begin = std::chrono::steady_clock::now();
      for (int64_t base = 0; base < inproc; base += 5000) {
        std::vector<Fact> facts;
        facts.reserve(5000);
        for (int64_t i = base; i < std::min(inproc, base + 5000); ++i) {
          const Record& r = records[i % kDistinct];
          auto fact = with_decode ? FactFor(r.topic, *decode(r)) : FactFor(r.topic, *decoded[i % kDistinct]);
          if (fact.ok() && fact->has_value()) facts.push_back(**std::move(fact));
        }
        std::map<std::string, Slice> slices;
        for (size_t k = 0; k < facts.size(); ++k) {
          Slice& s = slices[facts[k].workspace_id];
          if (s.segments.empty()) {
            s.workspace_id = facts[k].workspace_id;
            s.segments = {{"mentions", 0, 0, base, base + 5000}};
          }
          s.Add(&facts[k], 0, base + static_cast<int64_t>(k));
        }
        for (const auto& [ws, s] : slices) {
          std::vector<const Fact*> included;
          std::vector<uint32_t> sent;
          sink += static_cast<int64_t>(ApplyArgs(s, {}, 200000, now, included, sent).second.size());
        }
      }
      return static_cast<double>(inproc) / Seconds(begin);
    };
    double aggregation_rate = aggregate(false);
    double herald_rate = aggregate(true);
    rows.push_back({"in process: fact + aggregation (events/s/core)", Fmt(aggregation_rate), Fmt(decode_rate),
                    "protobuf decode of the same records alone", ">= 2,000,000"});
    rows.push_back({"in process: decode + fact + aggregation (events/s/core)", Fmt(herald_rate), "", "", ""});
    if (sink == 42) std::printf(" ");
  }

  // ---- 1. ingest from Kafka into exact rollups
  herald::testing::DevBroker broker;
  herald::testing::RedisServer redis_server;
  RedisClient redis(redis_server.options());
  {
    KafkaProducer producer(KafkaOptions{broker.brokers(), "bench-producer", {{"linger.ms", "20"}}});
    std::atomic<int64_t> delivered{0};
    for (int64_t i = 0; i < events; ++i) {
      Record r = MakeRecord(static_cast<int>(i), now);
      producer.Produce(r.topic, r.key, r.value, r.headers, [&](const std::string& e) { delivered += e.empty(); });
    }
    producer.Flush(std::chrono::seconds(300));
    std::printf("produced %lld of %lld events\n", static_cast<long long>(delivered.load()),
                static_cast<long long>(events));
  }
  Marks marks = LogMarks(broker.brokers());
  int64_t readable = Readable(marks);
  std::printf("the broker's logs hold %lld of them\n", static_cast<long long>(readable));
  auto [bare, bare_mentions] = BareConsume(broker.brokers(), readable);
  {
    RollupStore store(redis);
    CountingDeadLetters dead;
    prometheus::Registry registry;
    ConsumerOptions o{{broker.brokers(), "bench-analytics", {{"auto.offset.reset", "earliest"}}},
                      "bench-analytics-group", kTopics, {}, {}};
    EventConsumer consumer(store, o, dead, SystemClock::Instance(), registry);
    double redis_cpu_before = herald::bench::RedisCpu(redis);
    auto start = std::chrono::steady_clock::now();
    consumer.Start();
    // From the first applied poll: joining the group is not ingesting.
    while (Ingested(store, marks) == 0 && Seconds(start) < 120) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    int64_t first = Ingested(store, marks);
    auto counting = std::chrono::steady_clock::now();
    int64_t done = first;
    while (done < readable && Seconds(start) < 600) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      done = Ingested(store, marks);
    }
    double seconds = Seconds(counting);
    consumer.Stop();
    double rate = static_cast<double>(done - first) / seconds;
    double redis_cpu = herald::bench::RedisCpu(redis) - redis_cpu_before;
    // Exactness check: every mention counted once.
    RollupReader reader(redis);
    int64_t mentions = 0;
    for (int w = 0; w < kWorkspaces; ++w) {
      auto t = reader.Totals("ws" + std::to_string(w), {"w"});
      if (t.ok()) mentions += (*t)[0]["men"];
    }
    int64_t want = bare_mentions;
    std::printf("ingested %lld events (%lld dead letters); mentions counted %lld of %lld; redis cpu %.1f s\n",
                static_cast<long long>(done), static_cast<long long>(dead.count.load()),
                static_cast<long long>(mentions), static_cast<long long>(want), redis_cpu);
    rows.push_back({"ingest: Kafka -> exact rollups in Redis (events/s)", Fmt(rate), Fmt(bare),
                    "bare consume (poll + copy) of the same topics", ">= 250,000"});
  }

  // ---- 3. reports over 90 days of hourly data
  {
    (void)redis.Command({"FLUSHALL"});
    RollupStore store(redis);
    int64_t day_ms = 24 * kHour;
    int64_t to = (now / day_ms) * day_ms, from = to - 90 * day_ms;
    // Every channel, every hour: 3 mentions, a published post and a snapshot.
    int64_t offset = 0;
    for (int64_t t = from; t < to; t += 24 * kHour) {
      std::vector<Fact> facts;
      for (int64_t h = t; h < t + day_ms; h += kHour) {
        for (int c = 0; c < channels; ++c) {
          std::string ch = "ch" + std::to_string(c), post = "p" + std::to_string(h) + "_" + std::to_string(c);
          Fact m;
          m.workspace_id = "big";
          m.bucket_ms = BucketOf(h);
          m.series = {"w", "c:" + ch};
          m.counts = {{0, fig::kMentions, 3}, {1, fig::kMentions, 3}, {0, fig::kPositive, 2}, {1, fig::kPositive, 2}};
          Fact p;
          p.workspace_id = "big";
          p.bucket_ms = BucketOf(h + 900000);
          p.series = {"w", "c:" + ch};
          p.counts = {{0, fig::kPublished, 1}, {1, fig::kPublished, 1}, {0, LagFigure(4), 1}, {1, LagFigure(4), 1}};
          Fact s;
          s.workspace_id = "big";
          s.bucket_ms = BucketOf(h + 1800000);
          s.snapshot = Snapshot{post, h + 1800000, {"w", "c:" + ch}, {{"imp", 1000}, {"lik", c}, {"rps", 2}}};
          facts.push_back(std::move(m));
          facts.push_back(std::move(p));
          facts.push_back(std::move(s));
        }
      }
      Slice slice;
      slice.workspace_id = "big";
      slice.segments = {{"mentions", 0, 0, offset, offset + static_cast<int64_t>(facts.size())}};
      for (auto& f : facts) slice.Add(&f, 0, offset++);
      auto r = store.Apply({slice}, now);
      if (!r.ok()) {
        std::printf("seeding failed: %s\n", r.status().ToString().c_str());
        return 1;
      }
    }
    RollupReader reader(redis);
    Executor executor(1, 16);
    AnalyticsService api(reader, executor, SystemClock::Instance());
    auto request = [&](v1::GroupBy by, v1::Granularity g, bool one_channel) {
      v1::GetReportRequest r;
      r.set_workspace_id("big");
      *r.mutable_from() = FromMs(from);
      *r.mutable_to() = FromMs(to);
      r.set_time_zone("America/New_York");
      r.set_granularity(g);
      r.set_group_by(by);
      if (one_channel) r.add_group_ids("ch0");
      for (auto f : {v1::FIGURE_MENTIONS, v1::FIGURE_POSTS_PUBLISHED, v1::FIGURE_IMPRESSIONS, v1::FIGURE_ENGAGEMENTS,
                     v1::FIGURE_ENGAGEMENT_RATE, v1::FIGURE_PUBLISH_LAG_P99}) {
        r.add_figures(f);
      }
      return r;
    };
    auto time_report = [&](const v1::GetReportRequest& r, std::vector<std::string> series) {
      std::vector<double> herald_ms, raw_ms;
      auto months = keys::MonthsOf(from, to);
      std::vector<RedisClient::Args> cmds;
      for (const auto& s : series) {
        for (const auto& m : months) cmds.push_back({"HGETALL", keys::Prefix("big") + keys::BucketKey(s, m.month)});
      }
      for (int i = 0; i < report_iters; ++i) {
        v1::Report out;
        auto start = std::chrono::steady_clock::now();
        grpc::Status st = api.DoGetReport(r, &out);
        herald_ms.push_back(Seconds(start) * 1000);
        if (!st.ok()) std::printf("report failed: %s\n", st.error_message().c_str());
        start = std::chrono::steady_clock::now();
        (void)redis.Pipeline(cmds);
        raw_ms.push_back(Seconds(start) * 1000);
      }
      return std::make_pair(P50P99(herald_ms), P50P99(raw_ms));
    };
    std::vector<std::string> all;
    for (int c = 0; c < channels; ++c) all.push_back("c:ch" + std::to_string(c));
    struct Case {
      std::string what;
      v1::GetReportRequest req;
      std::vector<std::string> series;
      std::string goal;
    };
    std::vector<Case> cases{
        {"90-day hourly report, one channel (p50/p99 ms)", request(v1::GROUP_BY_CHANNEL, v1::GRANULARITY_HOUR, true),
         {"c:ch0"}, "p99 <= 10 ms"},
        {"90-day hourly report, " + std::to_string(channels) + "-channel workspace (p50/p99 ms)",
         request(v1::GROUP_BY_UNSPECIFIED, v1::GRANULARITY_HOUR, false), {"w"}, "p99 <= 50 ms"},
        {"90-day daily report, " + std::to_string(channels) + " channels side by side (p50/p99 ms)",
         request(v1::GROUP_BY_CHANNEL, v1::GRANULARITY_DAY, false), all, ""},
    };
    for (const auto& c : cases) {
      auto [h, raw] = time_report(c.req, c.series);
      rows.push_back({c.what, Fmt(h.first, 2) + " / " + Fmt(h.second, 2), Fmt(raw.first, 2) + " / " + Fmt(raw.second, 2),
                      "pipelined HGETALL of the same keys", c.goal});
    }
  }
  herald::bench::PrintTable("Analytics (2 cores; Redis, broker and bench on one machine)", rows);
  return 0;
}
