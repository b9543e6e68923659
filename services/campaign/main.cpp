// campaign: campaigns — objectives, flights, budgets, targets — the posts
// that belong to them, tracked links with their redirect endpoint, the
// conversions and spend that say what a campaign earned and cost, and the
// audiences (profiles from mentions, CRM imports and conversions; segments).
#include "campaign/audiences/audience_service.h"
#include "campaign/audiences/mention_profiles.h"
#include "campaign/audiences/profile_store.h"
#include "campaign/campaign_service.h"
#include "campaign/campaign_store.h"
#include "campaign/conversions/conversion_http.h"
#include "campaign/conversions/conversion_ingest.h"
#include "campaign/conversions/conversion_service.h"
#include "campaign/conversions/conversion_store.h"
#include "campaign/experiments/experiment_service.h"
#include "campaign/experiments/experiment_store.h"
#include "campaign/experiments/variant_figures.h"
#include "campaign/links/link_maker.h"
#include "campaign/links/link_service.h"
#include "campaign/links/link_store.h"
#include "campaign/links/redirector.h"
#include "campaign/outbox.h"
#include "campaign/recommendations/recommendation_service.h"
#include "campaign/scheduler_posts.h"
#include "common/event_gate.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/service_runtime.h"
#include "herald/topics.h"

using namespace herald;
using namespace herald::campaign;

int main(int argc, char** argv) {
  ServiceRuntime rt("campaign", argc, argv);
  auto& s = rt.settings();
  RedisOptions redis_options = rt.RedisSettings();
  KafkaOptions kafka = rt.KafkaSettings();
  ConsumerOptions mentions = rt.ConsumerSettings(HeraldConsumerGroup("herald-campaign-audiences"));
  std::string scheduler = s.Required("scheduler-addr", "scheduler gRPC host:port (a campaign's posts)");
  std::string analytics = s.String("analytics-addr", "",
                                   "analytics gRPC host:port: experiments' counts per variant (empty: none are judged)");
  int http_port =
      s.Port("http-port", 8104, "HTTP port of the link redirects (GET /l/{code}) and the JSON ingest (POST /v1/...)");
  std::string link_base = s.String("link-base-url", "http://localhost:8104",
                                   "what short links start with (the public address of the redirect endpoint)");
  RedirectOptions redirect;
  redirect.ip_hash_secret = s.Required("click-secret", "secret the daily salt of click IP hashes is derived from");
  redirect.repeat_window_ms = s.Int("click-repeat-window-ms", 30 * 60 * 1000, 1000, 86400000,
                                    "the same client clicking a link again within this is a repeat");
  redirect.click_retention_ms =
      s.Int("click-retention-days", 30, 1, 400, "how long clicks are kept for conversions that name them (~300 B each)") *
      86400000;
  redirect.trust_forwarded_for =
      s.Bool("trust-forwarded-for", false, "client address from X-Forwarded-For (behind a trusted load balancer only)");
  HttpServerOptions http_options;
  http_options.max_body_bytes = 1 << 20;  // a call of 500 conversions as JSON; redirects have none
  http_options.idle_timeout = std::chrono::seconds(s.Int("http-idle-timeout-s", 10, 1, 300, "closes a silent connection"));
  http_options.max_connections = static_cast<unsigned>(s.Int("http-max-connections", 4096, 16, 100000, "connections in all"));
  http_options.max_connections_per_ip =
      static_cast<unsigned>(s.Int("http-max-connections-per-ip", 256, 1, 100000, "connections one address may hold"));
  int64_t redirect_threads =
      s.Int("redirect-threads", 16, 1, 1024, "threads answering redirects of links not cached (each waits on Redis)");
  int64_t capture_threads = s.Int("click-capture-threads", 4, 1, 256,
                                  "threads checking and producing clicks after their redirect (each waits on Redis)");
  OutboxOptions outbox_options;
  outbox_options.sweep_interval = std::chrono::milliseconds(
      s.Int("outbox-sweep-interval-ms", 5000, 100, 600000, "how often events left unproduced are looked for"));
  outbox_options.grace = std::chrono::milliseconds(
      s.Int("outbox-grace-ms", 30000, 100, 3600000, "an unproduced event this old was left by a request that failed"));
  rt.ValidateSettings();

  auto redis_client = rt.ConnectRedis(redis_options);
  RedisClient& redis = *redis_client;
  CampaignStore store(redis);
  LinkStore links(redis);
  KafkaProducer producer(kafka);
  auto posts = MakeSchedulerPosts(rt.Dial(scheduler));
  LinkMaker link_maker(links, SystemClock::Instance(), link_base);
  CampaignService api(store, *posts, link_maker, producer, rt.executor(), SystemClock::Instance());
  rt.grpc().AddService(&api);
  LinkService link_api(store, links, link_maker, rt.executor());
  rt.grpc().AddService(&link_api);
  ConversionStore conversion_store(redis);
  Outbox outbox(redis, producer, SystemClock::Instance(), outbox_options, rt.metrics());
  ProfileStore profiles(redis);
  SegmentLabels segment_labels(profiles);
  ConversionIngest ingest(conversion_store, store, links, segment_labels, outbox, SystemClock::Instance());
  ConversionService conversion_api(ingest, rt.executor());
  rt.grpc().AddService(&conversion_api);
  ConversionHttp conversion_http(ingest, rt.Authenticator());
  ExperimentStore experiment_store(redis);
  auto variant_figures = analytics.empty() ? nullptr : MakeAnalyticsVariantFigures(rt.Dial(analytics));
  ExperimentService experiment_api(experiment_store, store, *posts, variant_figures.get(), outbox, rt.executor(),
                                   SystemClock::Instance());
  rt.grpc().AddService(&experiment_api);
  auto queues = MakeSchedulerQueues(rt.Dial(scheduler));
  auto campaign_figures = analytics.empty() ? nullptr : MakeAnalyticsCampaignFigures(rt.Dial(analytics));
  AppliedStore applied(redis);
  RecommendationService recommendation_api(api, store, experiment_api, campaign_figures.get(), *queues, applied,
                                           rt.executor(), SystemClock::Instance());
  rt.grpc().AddService(&recommendation_api);
  AudienceService audience_api(profiles, store, rt.executor(), SystemClock::Instance());
  rt.grpc().AddService(&audience_api);
  KafkaDeadLetters mention_dead_letters(producer, mentions.group_id, mentions.topics, rt.metrics());
  MentionProfiles mention_profiles(profiles, mentions, mention_dead_letters, SystemClock::Instance());

  // Redirects of uncached links wait on Redis here; every click is checked
  // and produced on the capture threads, after its answer.
  Executor redirect_pool(static_cast<int>(redirect_threads), 8192);
  KeyedExecutor capture_pool(static_cast<int>(capture_threads), 100000 / static_cast<size_t>(capture_threads));
  Redirector redirector(links, producer, capture_pool, SystemClock::Instance(), redirect, rt.metrics());
  HttpServer http(http_options, redirect_pool);
  http.Route("GET", "/healthz", [](const HttpServerRequest&) { return HttpServerResponse{200, "ok", "text/plain", {}}; },
             /*inline_=*/true);
  // Readiness goes through the redirect threads, like the requests it stands
  // for: a wedged or saturated pool fails the probe (the I/O thread answering
  // /healthz alone would say ready while redirects hang).
  http.Route("GET", "/readyz", [](const HttpServerRequest&) { return HttpServerResponse{200, "ok", "text/plain", {}}; });
  for (const char* method : {"GET", "HEAD"}) {
    http.Route(
        method, "/l/", [&](const HttpServerRequest& req) { return redirector.TryAnswer(req); },
        [&](const HttpServerRequest& req) { return redirector.Handle(req); });
  }
  http.Route("POST", "/v1/conversions", [&](const HttpServerRequest& req) { return conversion_http.Conversions(req); });
  http.Route("POST", "/v1/spend", [&](const HttpServerRequest& req) { return conversion_http.Spend(req); });
  if (!http.Start(http_port)) {
    log::Error("cannot listen for link redirects", {{"port", http_port}});
    return 1;
  }
  log::Info("link redirects listening", {{"http_port", http.port()}});

  // Hooks run in reverse: no new redirects or ingest calls, those in progress
  // finish, the captures queued are run out, the outbox sweep stops, then
  // every click and event is flushed to Kafka.
  rt.OnStop([&] { producer.Flush(std::chrono::seconds(10)); });
  rt.Launch(outbox);
  rt.Launch(mention_profiles);
  rt.OnStop([&] { capture_pool.Stop(); });
  rt.OnStop([&] { redirect_pool.Stop(); });
  rt.OnStop([&] { http.Stop(); });
  return rt.Run();
}
