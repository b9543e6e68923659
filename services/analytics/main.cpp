// analytics: exact rollups of every event, and the query API.
#include "analytics/analytics_service.h"
#include "analytics/event_consumer.h"
#include "analytics/store/rollup_reader.h"
#include "analytics/store/rollup_store.h"
#include "common/service_runtime.h"
#include "herald/topics.h"

using namespace herald;
using namespace herald::analytics;

int main(int argc, char** argv) {
  ServiceRuntime rt("analytics", argc, argv);
  RedisOptions redis_options = rt.RedisSettings();
  ConsumerOptions events = rt.ConsumerSettings(
      "herald-analytics",
      {std::string(topics::k_publish_results), std::string(topics::k_post_metrics), std::string(topics::k_mentions),
       std::string(topics::k_posts_lifecycle), std::string(topics::k_inbox_sla),
       std::string(topics::k_campaign_lifecycle)});
  rt.ValidateSettings();

  auto redis_client = rt.ConnectRedis(redis_options);
  RedisClient& redis = *redis_client;
  RollupStore store(redis);
  RollupReader reader(redis);
  AnalyticsService api(reader, rt.executor(), SystemClock::Instance());
  rt.grpc().AddService(&api);

  KafkaProducer producer(rt.KafkaSettings());  // dead letters
  KafkaDeadLetters dead_letters(producer, events.group_id, events.topics, rt.metrics());
  EventConsumer consumer(store, events, dead_letters, SystemClock::Instance(), rt.metrics());
  rt.OnStop([&] { producer.Flush(std::chrono::seconds(5)); });  // last: after everything that produces
  rt.Launch(consumer);
  return rt.Run();
}
