// listener: webhook ingestion and the unified inbox.
#include <prometheus/counter.h>

#include <memory>
#include <string_view>
#include <thread>

#include "common/background_thread.h"
#include "common/event_gate.h"
#include "common/events.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/service_runtime.h"
#include "herald/topics.h"
#include "listener/alerts/spike_watch.h"
#include "listener/inbox/inbox_feed.h"
#include "listener/inbox/inbox_service.h"
#include "listener/inbox/inbox_timers.h"
#include "listener/inbox_store.h"
#include "listener/ingest/mention_ingest.h"
#include "listener/polling/channel_watch.h"
#include "listener/polling/poller.h"
#include "listener/listener_service.h"
#include "listener/webhook_handler.h"

using namespace herald;
using namespace herald::listener;

int main(int argc, char** argv) {
  ServiceRuntime rt("listener", argc, argv);
  auto& s = rt.settings();
  RedisOptions redis_options = rt.RedisSettings();
  KafkaOptions kafka = rt.KafkaSettings();
  int http_port = s.Port("http-port", 8103, "webhook HTTP port");
  std::string secret = s.Required("webhook-secret", "master secret each workspace's webhook secret is derived from");
  HttpServerOptions http_options;
  http_options.max_body_bytes = static_cast<size_t>(s.Int("http-max-body-bytes", 1 << 20, 1024, 16 << 20, "webhook body limit"));
  http_options.idle_timeout = std::chrono::seconds(s.Int("http-idle-timeout-s", 10, 1, 300, "closes a silent connection"));
  http_options.max_connections_per_ip =
      static_cast<unsigned>(s.Int("http-max-connections-per-ip", 64, 1, 100000, "connections one address may hold"));
  int64_t webhook_thread_count =
      s.Int("webhook-threads", 64, 1, 1024, "threads taking webhooks in (each waits on Redis and Kafka)");
  std::string scheduler = s.Required("scheduler-addr", "scheduler gRPC host:port (inbox replies become posts)");
  std::string publisher = s.String("publisher-addr", "",
                                   "publisher gRPC host:port: its network gateway is polled for mentions (empty: webhooks only)");
  PollOptions poll;
  poll.interval_ms = s.Int("poll-interval-ms", 60000, 100, 3600000, "how often each channel's mentions are polled");
  poll.lease_ms = s.Int("poll-lease-ms", 60000, 1000, 3600000,
                        "how long one replica holds a channel it polls (longer than a poll turn takes)");
  int64_t claim_ttl_ms = s.Int("claim-ttl-ms", 30000, 100, 600000,
                               "how long a mention being taken in is held before another arrival may take it");
  NetworkWebhookSecrets network_webhooks;
  network_webhooks.meta_app_secret = s.String("meta-app-secret", "", "Meta app secret: verifies X-Hub-Signature-256 (empty: no Meta webhooks)");
  network_webhooks.meta_verify_token = s.String("meta-verify-token", "", "the token Meta's webhook subscription check presents");
  network_webhooks.x_consumer_secret = s.String("x-consumer-secret", "", "X app consumer secret: CRC answers and signatures (empty: no X webhooks)");
  ConsumerOptions channel_events = rt.ConsumerSettings(HeraldConsumerGroup("herald-listener-channels"));
  rt.ValidateSettings();

  auto redis_client = rt.ConnectRedis(redis_options);
  RedisClient& redis = *redis_client;
  InboxStore inbox(redis, claim_ttl_ms);
  RuleStore rules(redis);
  KafkaProducer producer(kafka);
  // Spike alerts: mentions counted per channel and rule; ended 5-minute
  // buckets judged every 30 s, each spike put on listening.alerts.
  auto& spike_family = prometheus::BuildCounter()
                           .Name("herald_listening_spikes_total")
                           .Help("Mention-volume spikes detected, by series kind (channel or rule)")
                           .Register(rt.metrics());
  // One counter per series kind, made once (not looked up per spike).
  auto& channel_spikes = spike_family.Add({{"series_kind", "channel"}});
  auto& rule_spikes = spike_family.Add({{"series_kind", "rule"}});
  SpikeWatch spikes(redis, SystemClock::Instance(), [&](const events::v1::ListeningSpike& spike) {
    auto produced = producer.ProduceSync(topics::k_listening_alerts, spike.meta().workspace_id(),
                                         spike.SerializeAsString(), EventHeaders(spike.meta()));
    if (produced.ok()) (spike.series_kind() == "rule" ? rule_spikes : channel_spikes).Increment();
    return produced;
  });
  // The team inbox: conversations, agents, SLA clocks, the live feed.
  auto replies = MakeSchedulerReplySender(rt.Dial(scheduler));
  ConversationStore conversations(redis);
  InboxSettingsStore inbox_settings(redis);
  InboxDesk desk(conversations, inbox_settings, inbox, *replies, SystemClock::Instance(), rt.metrics(),
                 [&](const events::v1::InboxSlaAlert& alert) {
                   return producer.ProduceSync(topics::k_inbox_sla, alert.conversation_id(), alert.SerializeAsString(),
                                               EventHeaders(alert.meta()));
                 });
  InboxFeed feed(redis, redis_options);
  InboxTimers inbox_timers(conversations, desk, SystemClock::Instance());
  MentionIngest ingest(inbox, desk, rules, producer, SystemClock::Instance(), rt.metrics(), &spikes);
  // Polling: the channels to listen to come from channels.lifecycle; reads
  // go through the publisher's gateway.
  PollStore poll_store(redis);
  WebhookHandler webhooks(ingest, secret, SystemClock::Instance(), rt.metrics(), &poll_store, network_webhooks);
  KafkaDeadLetters channel_dead_letters(producer, channel_events.group_id, channel_events.topics, rt.metrics());
  ChannelWatch channel_watch(poll_store, channel_events, channel_dead_letters, SystemClock::Instance());
  std::unique_ptr<InboundSource> gateway;
  std::unique_ptr<Poller> poller;
  if (!publisher.empty()) {
    gateway = MakeGatewaySource(rt.Dial(publisher));
    poller = std::make_unique<Poller>(poll_store, *gateway, ingest, rules, SystemClock::Instance(),
                                      SystemRandom::Instance(), poll);
  } else {
    log::Warn("no --publisher-addr: mentions arrive by webhook only, nothing is polled", {});
  }
  BackgroundThread spike_closer;
  spike_closer.Start([&](const std::atomic<bool>& stopping) {
    while (!stopping) {
      auto closed = spikes.CloseDue();
      if (closed.ok()) {
        for (const auto& s : *closed) {
          log::Warn("mention volume spike", {{"workspace_id", s.meta().workspace_id()}, {"series", s.series_kind() + ":" + s.series_id()},
                                             {"count", s.count()}, {"baseline", s.baseline()}});
        }
      } else if (!absl::IsFailedPrecondition(closed.status())) {
        log::Warn("spike closing failed", {{"error", closed.status().ToString()}});
      }
      for (int i = 0; i < 300 && !stopping; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  BackgroundThread inbox_timer;
  inbox_timer.Start([&](const std::atomic<bool>& stopping) {
    while (!stopping) {
      if (auto swept = inbox_timers.RunOnce(); !swept.ok()) {
        log::Warn("inbox timers not swept", {{"error", swept.status().ToString()}});
      }
      for (int i = 0; i < 5 && !stopping; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  ListenerService api(inbox, desk, rules, spikes, rt.executor(), secret, SystemClock::Instance());
  rt.grpc().AddService(&api);
  InboxService inbox_api(desk, conversations, inbox_settings, feed, rt.executor(), SystemClock::Instance());
  rt.grpc().AddService(&inbox_api);

  // Taking a webhook in waits on Redis and on Kafka's acknowledgement: many
  // threads, apart from the gRPC API's.
  Executor webhook_threads(static_cast<int>(webhook_thread_count), 4096);
  HttpServer http(http_options, webhook_threads);
  http.Route("GET", "/healthz", [](const HttpServerRequest&) { return HttpServerResponse{200, "ok", "text/plain", {}}; },
             /*inline_=*/true);
  // Readiness goes through the webhook threads, like the requests it stands
  // for: a wedged or saturated pool fails the probe (the I/O thread answering
  // /healthz alone would say ready while webhooks hang).
  http.Route("GET", "/readyz", [](const HttpServerRequest&) { return HttpServerResponse{200, "ok", "text/plain", {}}; });
  const std::string prefix = "/v1/webhooks/mastodon/";
  http.Route("POST", prefix, [&](const HttpServerRequest& req) {
    // "<workspace>/<channel>", both checked by the handler (1-64 of [A-Za-z0-9_-]).
    std::string_view rest = std::string_view(req.path).substr(prefix.size());
    auto slash = rest.find('/');
    if (rest.size() > 200 || slash == std::string_view::npos || rest.find('/', slash + 1) != std::string_view::npos) {
      return HttpServerResponse{404, R"({"error":"no such route"})", "application/json", {}};
    }
    WebhookReply r = webhooks.HandleMastodon(std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1)),
                                             req.body, req.Header("x-herald-signature"));
    return HttpServerResponse{r.status, r.body, "application/json", r.headers};
  });
  // The networks' own webhooks: one URL per app; the account they name finds the channel.
  http.Route("GET", "/v1/webhooks/meta", [&](const HttpServerRequest& req) {
    WebhookReply r = webhooks.MetaChallenge(req.Query("hub.mode"), req.Query("hub.verify_token"), req.Query("hub.challenge"));
    return HttpServerResponse{r.status, r.body, r.status == 200 ? "text/plain" : "application/json", {}};
  });
  http.Route("POST", "/v1/webhooks/meta", [&](const HttpServerRequest& req) {
    WebhookReply r = webhooks.HandleMeta(req.body, req.Header("x-hub-signature-256"));
    return HttpServerResponse{r.status, r.body, "application/json", r.headers};
  });
  http.Route("GET", "/v1/webhooks/x", [&](const HttpServerRequest& req) {
    WebhookReply r = webhooks.XCrc(req.Query("crc_token"));
    return HttpServerResponse{r.status, r.body, "application/json", {}};
  });
  http.Route("POST", "/v1/webhooks/x", [&](const HttpServerRequest& req) {
    WebhookReply r = webhooks.HandleX(req.body, req.Header("x-twitter-webhooks-signature"));
    return HttpServerResponse{r.status, r.body, "application/json", r.headers};
  });
  if (!http.Start(http_port)) {
    log::Error("cannot listen for webhooks", {{"port", http_port}});
    return 1;
  }
  log::Info("webhooks listening", {{"http_port", http.port()}});

  rt.Launch(channel_watch);
  if (poller) rt.Launch(*poller);
  rt.OnStop([&] { spike_closer.Stop(); });
  rt.OnStop([&] { inbox_timer.Stop(); });
  rt.OnStop([&] { producer.Flush(std::chrono::seconds(10)); });
  // Hooks run in reverse: the HTTP server stops taking requests, then the
  // webhooks in progress finish, then the producer flushes.
  rt.OnStop([&] { webhook_threads.Stop(); });
  rt.OnStop([&] { http.Stop(); });
  return rt.Run();
}
