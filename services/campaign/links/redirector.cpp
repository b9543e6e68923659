#include "campaign/links/redirector.h"

#include "campaign/links/link_rules.h"
#include "common/events.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/time_util.h"
#include "herald/events/v1/events.pb.h"
#include "herald/topics.h"

namespace herald::campaign {
namespace {

constexpr std::string_view kPrefix = "/l/";

HttpServerResponse Plain(int status, std::string body) {
  return HttpServerResponse{status, std::move(body) + "\n", "text/plain; charset=utf-8", {{"Cache-Control", "no-store"}}};
}

// The client: the connection's peer, or the first X-Forwarded-For entry when trusted.
std::string ClientAddress(const HttpServerRequest& r, bool trust_forwarded_for) {
  if (trust_forwarded_for) {
    std::string xff = r.Header("x-forwarded-for");
    std::string first = xff.substr(0, xff.find(','));
    first.erase(0, first.find_first_not_of(' '));
    first.erase(first.find_last_not_of(' ') + 1);
    if (!first.empty() && first.size() <= 64) return first;
  }
  return r.peer;
}

}  // namespace

Redirector::Redirector(LinkStore& links, KafkaProducer& producer, KeyedExecutor& capture, const Clock& clock,
                       RedirectOptions options, prometheus::Registry& registry)
    : links_(links),
      producer_(producer),
      capture_(capture),
      clock_(clock),
      options_(std::move(options)),
      cache_(clock, options_.cache_ttl_ms, 100000),
      redirects_(prometheus::BuildCounter()
                     .Name("herald_link_redirects_total")
                     .Help("Requests of tracked links, by outcome.")
                     .Register(registry)),
      redirected_(redirects_.Add({{"outcome", "redirected"}})),
      not_found_(redirects_.Add({{"outcome", "not_found"}})),
      unavailable_(redirects_.Add({{"outcome", "unavailable"}})),
      clicks_(prometheus::BuildCounter()
                  .Name("herald_link_clicks_total")
                  .Help("Clicks recorded (redirected requests), by kind; a repeat by a bot counts as bot.")
                  .Register(registry)),
      human_(clicks_.Add({{"kind", "human"}})),
      bot_(clicks_.Add({{"kind", "bot"}})),
      repeated_(clicks_.Add({{"kind", "repeated"}})),
      lost_(prometheus::BuildCounter()
                .Name("herald_link_click_events_lost_total")
                .Help("Clicks redirected whose event the broker never acknowledged.")
                .Register(registry)
                .Add({})) {}

absl::StatusOr<std::shared_ptr<const std::optional<v1::TrackedLink>>> Redirector::Find(const std::string& code) {
  return cache_.Get(code, [&] { return links_.Get(code); });
}

std::optional<HttpServerResponse> Redirector::TryAnswer(const HttpServerRequest& request) {
  std::string code = request.path.size() > kPrefix.size() ? request.path.substr(kPrefix.size()) : "";
  if (!IsLinkCode(code)) {
    not_found_.Increment();
    return Plain(404, "no such link");
  }
  auto cached = cache_.Peek(code);
  if (!cached) return std::nullopt;
  if (!*cached) {
    not_found_.Increment();
    return Plain(404, "no such link");
  }
  return Redirect(std::move(cached), request);
}

HttpServerResponse Redirector::Handle(const HttpServerRequest& request) {
  if (auto answer = TryAnswer(request)) return *answer;  // cached meanwhile
  std::string code = request.path.substr(kPrefix.size());
  auto link = Find(code);
  if (!link.ok()) {
    unavailable_.Increment();
    log::Warn("link lookup failed", {{"code", code}, {"error", link.status().ToString()}});
    return Plain(503, "try again shortly");
  }
  if (!**link) {
    not_found_.Increment();
    return Plain(404, "no such link");
  }
  return Redirect(*std::move(link), request);
}

HttpServerResponse Redirector::Redirect(std::shared_ptr<const std::optional<v1::TrackedLink>> link,
                                       const HttpServerRequest& request) {
  // Only the answer is made here (on the event thread, for a cached link):
  // the click is built, checked and produced by the capture threads.
  Seen seen{std::move(link), NewId("k_"), request.Header("user-agent").substr(0, 512),
            request.Header("referer").substr(0, 2048), ClientAddress(request, options_.trust_forwarded_for),
            clock_.NowMs()};
  HttpServerResponse out{302, "", "text/plain", {}};
  out.headers["Location"] = WithClickId((*seen.link)->target_url(), seen.click_id);
  // Every click must reach us: no cache may answer for us.
  out.headers["Cache-Control"] = "no-store";
  redirected_.Increment();
  auto shared = std::make_shared<Seen>(std::move(seen));
  if (!capture_.Submit(StableHash(shared->address), [this, shared] { Capture(*shared); })) {
    // The capture queue is full (or stopping): captured now.
    Capture(*shared);
  }
  return out;
}

void Redirector::Capture(const Seen& seen) {
  const v1::TrackedLink& l = **seen.link;
  herald::events::v1::LinkClick click;
  click.set_click_id(seen.click_id);
  click.set_code(l.code());
  click.set_campaign_id(l.campaign_id());
  click.set_post_id(l.post_id());
  click.set_channel_id(l.channel_id());
  click.set_variant(l.variant());
  click.set_referrer(RefererOrigin(seen.referer));
  AgentClass agent = ClassifyUserAgent(seen.user_agent);
  click.set_user_agent_class(std::string(AgentClassName(agent)));
  click.set_bot(agent == AgentClass::kBot);
  click.set_ip_hash(DailyIpHash(options_.ip_hash_secret, seen.address, seen.at_ms));
  *click.mutable_clicked_at() = FromMs(seen.at_ms);
  *click.mutable_meta() = NewEventMeta(click, l.workspace_id(), clock_, click.click_id());
  // Kept for conversions that name it, and checked for a repeat, in one
  // round trip. A repeat is flagged, not dropped; when Redis cannot say, it
  // is not one (the kept copy then says not repeated either).
  auto first = links_.RecordClick(click.code(), click.ip_hash(), options_.repeat_window_ms, click.click_id(),
                                  click.SerializeAsString(), options_.click_retention_ms);
  click.set_repeated(first.ok() && !*first);
  (click.bot() ? bot_ : click.repeated() ? repeated_ : human_).Increment();
  producer_.Produce(topics::k_link_clicks, l.code(), click.SerializeAsString(), EventHeaders(click.meta()),
                    [this](const std::string& error) {
                      if (!error.empty()) lost_.Increment();
                    });
}

}  // namespace herald::campaign
