#pragma once
// GET /l/{code}: a 302 to the link's destination with a fresh click id, and
// the click on link.clicks. The answer waits for neither Redis nor Kafka: a
// link this replica has served lately is answered from the HTTP event thread
// (TryAnswer), and the click is captured after — its repeat checked in Redis,
// then handed to the producer — on the capture executor (a link must not slow
// down or fail because Redis or the broker is away). What that can lose is
// written in docs/campaigns.md: on SIGTERM nothing (the capture queue is run
// out and the producer flushed), on SIGKILL the clicks answered but not yet
// acknowledged by the broker.
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <optional>
#include <string>

#include "campaign/links/link_store.h"
#include "common/clock.h"
#include "common/http_server.h"
#include "common/kafka.h"
#include "common/keyed_executor.h"
#include "common/ttl_cache.h"
#include "herald/events/v1/events.pb.h"

namespace herald::campaign {

struct RedirectOptions {
  // The same client clicking the same link within this is a repeat.
  int64_t repeat_window_ms = 30 * 60 * 1000;
  // The secret the daily IP-hash salt is derived from.
  std::string ip_hash_secret;
  // Take the client address from X-Forwarded-For's first entry (behind a
  // trusted load balancer only: anyone can send the header).
  bool trust_forwarded_for = false;
  // Links never change: each replica keeps the ones it served this long.
  int64_t cache_ttl_ms = 60000;
  // How long a click is kept for conversions that name it (the longest
  // attribution window anyone may ask for).
  int64_t click_retention_ms = 30LL * 86400000;
};

class Redirector {
 public:
  // `capture`: where clicks are checked and produced after their answer,
  // keyed by the client's address: one client's clicks are checked in the
  // order they came (the first is not a repeat of the second).
  Redirector(LinkStore& links, KafkaProducer& producer, KeyedExecutor& capture, const Clock& clock, RedirectOptions options,
             prometheus::Registry& registry);
  // From the event thread: the answer when the code is malformed or its link
  // is cached; nullopt when Handle must look it up.
  std::optional<HttpServerResponse> TryAnswer(const HttpServerRequest& request);
  // On an executor: looks the link up (Redis) when it is not cached.
  HttpServerResponse Handle(const HttpServerRequest& request);

 private:
  // What a redirect saw of its click, for the capture after the answer.
  struct Seen {
    std::shared_ptr<const std::optional<v1::TrackedLink>> link;  // holds a link
    std::string click_id, user_agent, referer, address;
    int64_t at_ms = 0;
  };
  HttpServerResponse Redirect(std::shared_ptr<const std::optional<v1::TrackedLink>> link,
                              const HttpServerRequest& request);
  // Builds the click, flags a repeat (Redis) and produces it.
  void Capture(const Seen& seen);
  absl::StatusOr<std::shared_ptr<const std::optional<v1::TrackedLink>>> Find(const std::string& code);

  LinkStore& links_;
  KafkaProducer& producer_;
  KeyedExecutor& capture_;
  const Clock& clock_;
  const RedirectOptions options_;
  TtlCache<std::optional<v1::TrackedLink>> cache_;
  prometheus::Family<prometheus::Counter>& redirects_;
  prometheus::Counter& redirected_;
  prometheus::Counter& not_found_;
  prometheus::Counter& unavailable_;
  prometheus::Family<prometheus::Counter>& clicks_;
  prometheus::Counter& human_;
  prometheus::Counter& bot_;
  prometheus::Counter& repeated_;
  prometheus::Counter& lost_;
};

}  // namespace herald::campaign
