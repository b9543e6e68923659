// publisher: channels, quotas and exactly-once delivery to the networks.
#include "common/service_runtime.h"
#include "herald/topics.h"
#include "publisher/channel_store.h"
#include "publisher/delivery_worker.h"
#include "publisher/publisher_service.h"

using namespace herald;
using namespace herald::publisher;

int main(int argc, char** argv) {
  ServiceRuntime rt("publisher", argc, argv);
  auto& s = rt.settings();
  RedisOptions redis_options = rt.RedisSettings();
  KafkaOptions kafka = rt.KafkaSettings();
  std::string key_hex = s.Required("credentials-key", "64 hex chars; encrypts channel credentials at rest");
  auto box = CredentialsBox::FromHex(key_hex);
  if (!key_hex.empty() && !box) s.AddError("--credentials-key (HERALD_CREDENTIALS_KEY): want 64 hex characters");
  DeliveryOptions delivery;
  delivery.retry.max_attempts = static_cast<int>(s.Int("max-attempts", 5, 1, 100, "delivery attempts before failing"));
  delivery.retry.base_backoff_ms = s.Int("backoff-base-ms", 2000, 1, 3600000, "first retry backoff (full jitter)");
  delivery.mastodon_quota = {{"5m", s.Int("mastodon-limit-5m", 300, 1, 1000000, "Mastodon requests per 5 min per account"), 300000}};
  ConsumerOptions due = rt.ConsumerSettings("herald-publisher", {std::string(topics::k_posts_due)});
  rt.ValidateSettings();

  auto redis_client = rt.ConnectRedis(redis_options);
  RedisClient& redis = *redis_client;
  ChannelStore channels(redis, *box);
  DeliveryLedger ledger(redis);
  RateLimiter limiter(redis);
  auto mastodon = MakeMastodonConnector();
  KafkaProducer producer(kafka);

  PublisherService api(channels, *mastodon, rt.executor(), SystemClock::Instance());
  rt.grpc().AddService(&api);

  DeliveryWorker worker(channels, ledger, limiter, *mastodon, producer, due, SystemClock::Instance(), rt.metrics(),
                        delivery);
  worker.Start();
  rt.OnStop([&] { producer.Flush(std::chrono::seconds(10)); });
  rt.OnStop([&] { worker.Stop(); });
  return rt.Run();
}
