// analytics: exact rollups of every event, and the query API.
#include "analytics/analytics_service.h"
#include "analytics/event_consumer.h"
#include "analytics/metrics/metrics_reader.h"
#include "analytics/metrics/read_schedule.h"
#include "common/log.h"
#include "analytics/store/rollup_reader.h"
#include "analytics/store/rollup_store.h"
#include "common/service_runtime.h"
#include "herald/topics.h"

using namespace herald;
using namespace herald::analytics;

int main(int argc, char** argv) {
  ServiceRuntime rt("analytics", argc, argv);
  RedisOptions redis_options = rt.RedisSettings();
  ConsumerOptions events = rt.ConsumerSettings(HeraldConsumerGroup("herald-analytics"));
  auto& s = rt.settings();
  std::string publisher = s.String("publisher-addr", "",
                                   "publisher gRPC host:port: post and follower metrics are read through its network gateway "
                                   "(empty: none are read)");
  std::string ages = s.String("metrics-read-ages", "1h,6h,24h,3d,7d,28d",
                              "ages after publishing at which a post's metrics are read (s, m, h, d)");
  auto read_ages = ParseReadAges(ages);
  if (!read_ages.ok()) s.AddError("--metrics-read-ages: " + std::string(read_ages.status().message()));
  std::string every = s.String("follower-read-interval", "6h",
                               "how often each channel's follower count is read (s, m, h, d; 0 = never)");
  auto follower_interval = every == "0" ? absl::StatusOr<std::vector<int64_t>>(std::vector<int64_t>{0})
                                        : ParseReadAges(every);
  if (!follower_interval.ok() || follower_interval->size() != 1) {
    s.AddError("--follower-read-interval: one duration, e.g. 6h");
  }
  rt.ValidateSettings();

  auto redis_client = rt.ConnectRedis(redis_options);
  RedisClient& redis = *redis_client;
  RollupStore store(redis);
  RollupReader reader(redis);
  AnalyticsService api(reader, rt.executor(), SystemClock::Instance());
  rt.grpc().AddService(&api);

  KafkaProducer producer(rt.KafkaSettings());  // dead letters and metric snapshots
  KafkaDeadLetters dead_letters(producer, events.group_id, events.topics, rt.metrics());
  std::vector<int64_t> ages_ms = publisher.empty() ? std::vector<int64_t>{} : *read_ages;
  EventConsumer consumer(store, events, dead_letters, SystemClock::Instance(), rt.metrics(), 5000, ages_ms);
  rt.OnStop([&] { producer.Flush(std::chrono::seconds(5)); });  // last: after everything that produces
  rt.Launch(consumer);
  std::unique_ptr<MetricsSource> gateway;
  std::unique_ptr<MetricsReader> reader_of_metrics;
  if (!publisher.empty()) {
    gateway = MakeGatewayMetricsSource(rt.Dial(publisher));
    MetricsReaderOptions options;
    options.ages_ms = ages_ms;
    options.follower_interval_ms = follower_interval->front();
    reader_of_metrics = std::make_unique<MetricsReader>(redis, *gateway, producer, SystemClock::Instance(),
                                                        rt.metrics(), options);
    rt.Launch(*reader_of_metrics);
  } else {
    log::Warn("no --publisher-addr: no post metrics are read (engagement stays empty)", {});
  }
  return rt.Run();
}
