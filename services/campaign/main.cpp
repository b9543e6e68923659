// campaign: campaigns — objectives, flights, budgets, targets — and the posts that belong to them.
#include "campaign/campaign_service.h"
#include "campaign/campaign_store.h"
#include "campaign/scheduler_posts.h"
#include "common/service_runtime.h"

using namespace herald;
using namespace herald::campaign;

int main(int argc, char** argv) {
  ServiceRuntime rt("campaign", argc, argv);
  auto& s = rt.settings();
  RedisOptions redis_options = rt.RedisSettings();
  KafkaOptions kafka = rt.KafkaSettings();
  std::string scheduler = s.Required("scheduler-addr", "scheduler gRPC host:port (a campaign's posts)");
  rt.ValidateSettings();

  auto redis_client = rt.ConnectRedis(redis_options);
  RedisClient& redis = *redis_client;
  CampaignStore store(redis);
  KafkaProducer producer(kafka);
  auto posts = MakeSchedulerPosts(rt.Dial(scheduler));
  CampaignService api(store, *posts, producer, rt.executor(), SystemClock::Instance());
  rt.grpc().AddService(&api);
  rt.OnStop([&] { producer.Flush(std::chrono::seconds(10)); });
  return rt.Run();
}
