// scheduler: posts, the due index, dispatch to Kafka, outcomes from the publisher.
#include "common/service_runtime.h"
#include "herald/topics.h"
#include "common/auth/api_key_service.h"
#include "scheduler/channel_directory.h"
#include "scheduler/dispatcher.h"
#include "scheduler/post_store.h"
#include "scheduler/results_consumer.h"
#include "scheduler/scheduler_service.h"

using namespace herald;
using namespace herald::scheduler;

int main(int argc, char** argv) {
  ServiceRuntime rt("scheduler", argc, argv);
  auto& s = rt.settings();
  RedisOptions redis_options = rt.RedisSettings();
  KafkaOptions kafka = rt.KafkaSettings();
  std::string publisher = s.Required("publisher-addr", "publisher gRPC host:port (channel lookups)");
  int shards = static_cast<int>(s.Int("due-shards", 8, 1, 1024, "due index shards (fixed for a deployment)"));
  DispatcherOptions dispatch;
  dispatch.lease_ms = s.Int("lease-ms", 30000, 1000, 3600000, "how long a claim may take before it is retried");
  dispatch.batch = static_cast<int>(s.Int("dispatch-batch", 500, 1, 10000, "posts claimed per shard per pass"));
  SchedulerService::Options api_options;
  api_options.import_idle_timeout = std::chrono::milliseconds(
      s.Int("import-idle-timeout-ms", 30000, 100, 3600000, "an import stream with no row for this long is closed"));
  std::string analytics = s.String("analytics-addr", "",
                                   "analytics gRPC host:port: SuggestTimes offers its best times (empty: queue slots)");
  std::string campaign = s.String("campaign-addr", "",
                                  "campaign gRPC host:port: checks a post's campaign (empty: posts with one are refused)");
  ConsumerOptions results = rt.ConsumerSettings(HeraldConsumerGroup("herald-scheduler"));
  rt.ValidateSettings();

  auto redis_client = rt.ConnectRedis(redis_options);
  RedisClient& redis = *redis_client;
  PostStore store(redis, shards);
  KafkaProducer producer(kafka);
  auto channels = MakePublisherChannelDirectory(rt.Dial(publisher));
  std::unique_ptr<EngagementAdvisor> advisor;
  if (!analytics.empty()) {
    advisor = MakeAnalyticsAdvisor(rt.Dial(analytics));
    api_options.advisor = advisor.get();
  }
  std::unique_ptr<CampaignDirectory> campaigns;
  if (!campaign.empty()) {
    campaigns = MakeCampaignServiceDirectory(rt.Dial(campaign));
    api_options.campaigns = campaigns.get();
  }
  SchedulerService api(store, *channels, producer, rt.executor(), SystemClock::Instance(), api_options);
  rt.grpc().AddService(&api);
  // The admin API for API keys lives here, at the front door heraldctl knows.
  auto keys = auth::MakeRedisKeyStore(redis);
  auth::ApiKeyService key_api(*keys, rt.executor(), SystemClock::Instance());
  rt.grpc().AddService(&key_api);

  Dispatcher dispatcher(store, producer, SystemClock::Instance(), rt.metrics(), dispatch);
  KafkaDeadLetters dead_letters(producer, results.group_id, results.topics, rt.metrics());
  ResultsConsumer consumer(store, producer, results, dead_letters, SystemClock::Instance(), rt.metrics());

  rt.OnStop([&] { producer.Flush(std::chrono::seconds(10)); });  // last: after everything that produces
  rt.Launch(dispatcher);
  rt.Launch(consumer);
  return rt.Run();
}
