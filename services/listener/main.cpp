// listener: webhook ingestion and the unified inbox.
#include <httplib.h>

#include <thread>

#include "common/log.h"
#include "common/service_runtime.h"
#include "listener/inbox_store.h"
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
  std::string secret = s.Required("webhook-secret", "HMAC-SHA256 key webhook senders sign with");
  std::string scheduler = s.Required("scheduler-addr", "scheduler gRPC host:port (inbox replies become posts)");
  rt.ValidateSettings();

  auto redis_client = rt.ConnectRedis(redis_options);
  RedisClient& redis = *redis_client;
  InboxStore inbox(redis);
  KafkaProducer producer(kafka);
  WebhookHandler webhooks(inbox, producer, secret, SystemClock::Instance(), rt.metrics());
  auto replies = MakeSchedulerReplySender(rt.Dial(scheduler));
  ListenerService api(inbox, *replies, rt.executor());
  rt.grpc().AddService(&api);

  httplib::Server http;
  http.set_tcp_nodelay(true);
  http.set_payload_max_length(1 << 20);
  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
  http.Post(R"(/v1/webhooks/mastodon/([^/]+)/([^/]+))", [&](const httplib::Request& req, httplib::Response& res) {
    WebhookReply r = webhooks.HandleMastodon(req.matches[1], req.matches[2], req.body,
                                             req.get_header_value("X-Hub-Signature"));
    res.status = r.status;
    for (const auto& [k, v] : r.headers) res.set_header(k, v);
    res.set_content(r.body, "application/json");
  });
  if (!http.bind_to_port("0.0.0.0", http_port)) {
    log::Error("cannot listen for webhooks", {{"port", http_port}});
    return 1;
  }
  std::thread http_thread([&] { http.listen_after_bind(); });
  log::Info("webhooks listening", {{"http_port", http_port}});

  rt.OnStop([&] { producer.Flush(std::chrono::seconds(10)); });
  rt.OnStop([&] {
    http.stop();
    http_thread.join();
  });
  return rt.Run();
}
