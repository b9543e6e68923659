// publisher: channels, quotas and exactly-once delivery to the networks.
#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "common/egress.h"
#include "common/log.h"
#include "common/service_runtime.h"
#include "herald/topics.h"
#include "publisher/channel_store.h"
#include "publisher/delivery_worker.h"
#include "publisher/gateway/gateway_service.h"
#include "publisher/publisher_service.h"
#include "publisher/reauth_gauge.h"
#include "publisher/webhooks/webhook_dispatcher.h"
#include "publisher/webhooks/webhook_service.h"

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
  delivery.lanes = static_cast<int>(
      s.Int("delivery-lanes", 8, 1, 256, "deliveries in flight at once (one channel's posts share a lane)"));
  // Each lane holds a Redis connection while it delivers; the API needs some too.
  redis_options.pool_size = std::max(redis_options.pool_size, delivery.lanes + 4);
  ConnectorOptions connector_options;
  connector_options.timeout =
      std::chrono::milliseconds(s.Int("http-timeout-ms", 10000, 100, 120000, "timeout of one call to a network"));
  // A SENDING record younger than two timeouts may still be in flight.
  delivery.in_progress_ms = 2 * connector_options.timeout.count() + 1000;
  std::string networks_file =
      s.String("networks-file", "", "networks data file (content rules, quotas); default: the compiled-in one");
  // The app's OAuth 2.0 clients, for refreshing expiring tokens (from a Secret).
  std::map<herald::common::v1::Network, OAuthClient> oauth_clients;
  for (auto [network, name] : {std::pair{herald::common::v1::NETWORK_X, "x"},
                               std::pair{herald::common::v1::NETWORK_LINKEDIN, "linkedin"}}) {
    std::string id = s.String(std::string(name) + "-client-id", "", "OAuth client id (token refresh)");
    std::string secret = s.String(std::string(name) + "-client-secret", "", "OAuth client secret (token refresh)");
    if (!id.empty()) oauth_clients[network] = OAuthClient{id, secret};
  }
  WebhookOptions webhook_options;
  webhook_options.retry.max_attempts =
      static_cast<int>(s.Int("webhook-max-attempts", 10, 1, 50, "attempts to deliver an event webhook"));
  webhook_options.retry.base_backoff_ms =
      s.Int("webhook-backoff-base-ms", 30000, 1, 3600000, "first event-webhook retry backoff (full jitter)");
  ConsumerOptions due = rt.ConsumerSettings(HeraldConsumerGroup("herald-publisher"));
  // Its own group (named after the publisher's): it reads other topics.
  ConsumerOptions webhook_sources = due;
  webhook_sources.group_id = due.group_id + "-webhooks";
  webhook_sources.topics = WebhookSourceTopics();
  std::string egress_allow = s.String("egress-allow", "",
                                      "CIDRs outbound HTTP may reach although not public (development: 127.0.0.1/32)");
  auto egress = EgressPolicy::FromFlag(egress_allow);
  if (!egress.ok()) s.AddError("--egress-allow: " + std::string(egress.status().message()));
  rt.ValidateSettings();
  // Every network and webhook call goes to public addresses only (or the allow-list).
  EgressPolicy::SetDefault(*egress);

  NetworkCatalog catalog = NetworkCatalog::Embedded();
  if (!networks_file.empty()) {
    std::ifstream in(networks_file);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = in ? NetworkCatalog::Parse(text.str()) : absl::NotFoundError("cannot read " + networks_file);
    if (!parsed.ok()) {
      std::fprintf(stderr, "publisher: --networks-file: %s\n", std::string(parsed.status().message()).c_str());
      return 2;
    }
    catalog = *std::move(parsed);
  }
  log::Info("networks file loaded", {{"version", catalog.version()}, {"file", networks_file.empty() ? "built-in" : networks_file}});

  auto redis_client = rt.ConnectRedis(redis_options);
  RedisClient& redis = *redis_client;
  ChannelStore channels(redis, *box);
  ChannelCache channel_cache(channels, SystemClock::Instance());
  TokenRefresher refresher(channels, channel_cache, redis, catalog, oauth_clients, SystemClock::Instance(),
                           RefreshOptions{.timeout = connector_options.timeout});
  DeliveryLedger ledger(redis);
  RateLimiter limiter(redis);
  connector_options.networks = &catalog;  // API versions come from the networks file
  ConnectorSet connectors(connector_options);
  KafkaProducer producer(kafka);

  // Connecting a channel asks its network who the token belongs to: those
  // calls wait on a party outside, so they get their own small pool with a
  // short line. A slow network then answers UNAVAILABLE to the calls that
  // need it and never holds the threads that serve the rest of the API.
  Executor network_calls(4, 16);
  PublisherService api(channels, channel_cache, connectors, catalog, limiter, producer, rt.executor(),
                       network_calls, SystemClock::Instance());
  rt.grpc().AddService(&api);
  // Reads for the listener wait on networks too: a pool of their own, so
  // listening never holds the threads channel connections need.
  Executor network_reads(4, 32);
  GatewayService gateway(channel_cache, refresher, connectors, catalog, limiter, network_reads, SystemClock::Instance(),
                         rt.metrics());
  rt.grpc().AddService(&gateway);
  WebhookStore webhooks(redis, *box);
  WebhookService webhook_api(webhooks, rt.executor(), SystemClock::Instance());
  rt.grpc().AddService(&webhook_api);
  KafkaDeadLetters webhook_dead_letters(producer, webhook_sources.group_id, webhook_sources.topics, rt.metrics());
  WebhookDispatcher webhook_dispatcher(webhooks, webhook_sources, webhook_dead_letters, SystemClock::Instance(),
                                       rt.metrics(), webhook_options);

  DeliveryWorker worker(channels, channel_cache, refresher, ledger, limiter, connectors, catalog, producer, due, SystemClock::Instance(),
                        SystemRandom::Instance(), rt.metrics(), delivery);
  rt.OnStop([&] { producer.Flush(std::chrono::seconds(10)); });  // last: after everything that produces
  rt.OnStop([&] { network_calls.Stop(); });
  rt.OnStop([&] { network_reads.Stop(); });
  ReauthGauge reauth_gauge(channels, rt.metrics());
  rt.Launch(worker);
  rt.Launch(webhook_dispatcher);
  rt.Launch(reauth_gauge);
  return rt.Run();
}
