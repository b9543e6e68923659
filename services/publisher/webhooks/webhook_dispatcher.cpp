#include "publisher/webhooks/webhook_dispatcher.h"

#include <algorithm>
#include <thread>

#include "common/hmac.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/time_util.h"

namespace herald::publisher {
namespace {


constexpr int64_t kCacheMs = 2000;
// Deliveries claimed per round. A round ends when its slowest lane is done;
// the lease covers a lane that got all of them, each to its timeout.
constexpr int kClaimBatch = 16;

}  // namespace

v1::WebhookAttempt JudgeWebhookAnswer(const absl::StatusOr<HttpResponse>& answer, int attempt, const RetryPolicy& retry,
                                      int64_t now_ms, double unit_random) {
  v1::WebhookAttempt a;
  a.set_attempt(attempt);
  *a.mutable_time() = FromMs(now_ms);
  if (answer.ok()) a.set_http_status(static_cast<int32_t>(answer->status));
  if (answer.ok() && answer->status >= 200 && answer->status < 300) {
    a.set_outcome(v1::WEBHOOK_ATTEMPT_OUTCOME_DELIVERED);
    return a;
  }
  a.set_error(answer.ok() ? "HTTP " + std::to_string(answer->status) : std::string(answer.status().message()));
  if (attempt >= retry.max_attempts) {
    a.set_outcome(v1::WEBHOOK_ATTEMPT_OUTCOME_GAVE_UP);
    return a;
  }
  a.set_outcome(v1::WEBHOOK_ATTEMPT_OUTCOME_RETRYING);
  // At least a second: a receiver that fails at once is not hammered.
  *a.mutable_next_attempt_time() = FromMs(now_ms + std::max<int64_t>(1000, BackoffMs(retry, attempt, unit_random)));
  return a;
}

WebhookDispatcher::WebhookDispatcher(WebhookStore& store, ConsumerOptions consumer, DeadLetters& dead_letters,
                                     const Clock& clock,
                                     prometheus::Registry& registry, WebhookOptions options)
    : store_(store),
      consumer_options_(std::move(consumer)),
      dead_letters_(dead_letters),
      clock_(clock),
      options_(std::move(options)),
      lanes_(static_cast<size_t>(std::max(1, options_.senders))),
      probe_(registry) {}

void WebhookDispatcher::Start() {
  intake_.Start([this](const std::atomic<bool>& stopping) { Intake(stopping); });
  sender_.Start([this](const std::atomic<bool>& stopping) { Sender(stopping); });
}

void WebhookDispatcher::Stop() {
  intake_.Stop();
  sender_.Stop();
}

absl::StatusOr<std::vector<v1::Webhook>> WebhookDispatcher::HooksOf(const std::string& ws) {
  const int64_t now = clock_.NowMs();
  {
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(ws);
    if (it != cache_.end() && it->second.first > now) return it->second.second;
  }
  auto hooks = store_.List(ws);
  if (!hooks.ok()) return hooks.status();
  std::lock_guard lock(cache_mu_);
  if (cache_.size() > 10000) cache_.clear();
  cache_[ws] = {now + kCacheMs, *hooks};
  return *hooks;
}

absl::Status WebhookDispatcher::Accept(const std::vector<KafkaMessage>& messages) {
  for (const auto& m : messages) {
    if (auto screened = ScreenEvent(m); !screened.ok()) {
      dead_letters_.Send(m, screened.status());
      continue;
    }
    auto event = WebhookEventFrom(m.topic, m.value);
    if (!event) continue;
    auto hooks = HooksOf(event->workspace_id);
    if (!hooks.ok()) return hooks.status();
    for (const auto& hook : *hooks) {
      if (std::find(hook.event_types().begin(), hook.event_types().end(), event->type) == hook.event_types().end()) {
        continue;
      }
      auto queued = store_.Enqueue(hook.id(), *event, clock_.NowMs());
      if (!queued.ok()) return queued.status();
      if (*queued) probe_.Queued();
    }
  }
  return absl::OkStatus();
}

void WebhookDispatcher::Intake(const std::atomic<bool>& stopping) {
  KafkaConsumer consumer(consumer_options_);
  while (!stopping) {
    auto batch = consumer.PollBatch(500, std::chrono::milliseconds(200));
    if (batch.empty()) continue;
    // Queued before committed: a crash in between queues again, and a
    // delivery record exists once per (webhook, event).
    absl::Status s = Accept(batch);
    while (!s.ok() && !stopping) {
      log::Warn("webhook intake failed; retrying", {{"error", s.ToString()}});
      clock_.SleepFor(std::chrono::seconds(1));
      s = Accept(batch);
    }
    if (!s.ok()) return;
    if (auto c = consumer.Commit(batch); !c.ok()) log::Warn("commit failed", {{"error", c.ToString()}});
  }
}

void WebhookDispatcher::SendOne(const WebhookDelivery& d) {
  auto hook = store_.Get(d.workspace_id, d.webhook_id);
  if (absl::IsNotFound(hook.status()) || absl::IsDataLoss(hook.status())) {
    // Deleted: its deliveries go with it. Unreadable (its secret sealed
    // with another key): it can never be signed, so it is not retried.
    if (absl::IsDataLoss(hook.status())) {
      log::Error("webhook unreadable; delivery dropped", {{"webhook_id", d.webhook_id}, {"error", hook.status().ToString()}});
    }
    (void)store_.Drop(d);
    return;
  }
  auto record = store_.Load(d);
  if (!hook.ok() || !record.ok()) return;  // Redis trouble: the lease runs out and it is tried again
  if (!*record || (*record)->state != "pending") {
    (void)store_.Drop(d);
    return;
  }
  const int attempt_number = (*record)->attempts + 1;
  HttpRequest req;
  req.method = "POST";
  req.url = hook->webhook.url();
  req.body = (*record)->body;
  req.timeout = options_.timeout;
  const int64_t start = clock_.NowMs();
  const auto started = clock_.Monotonic();
  req.headers = {{"Content-Type", "application/json"},
                 {"User-Agent", "Herald-Webhooks/1"},
                 {"X-Herald-Event-Id", d.event_id},
                 {"X-Herald-Event-Type", (*record)->type},
                 {"X-Herald-Delivery-Attempt", std::to_string(attempt_number)},
                 {"X-Herald-Signature", TimestampedSignature(hook->secret, start / 1000, req.body)}};
  auto answer = SendHttp(req);
  const int64_t now = clock_.NowMs();
  v1::WebhookAttempt attempt = JudgeWebhookAnswer(answer, attempt_number, options_.retry, now, options_.random->Unit());
  attempt.set_event_id(d.event_id);
  attempt.set_event_type((*record)->type);
  attempt.set_duration_ms(
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Monotonic() - started).count());
  probe_.Attempted(attempt.outcome());
  if (auto s = store_.Record(d, attempt, ToMs(attempt.next_attempt_time())); !s.ok()) {
    log::Warn("webhook attempt not recorded", {{"webhook_id", d.webhook_id}, {"error", s.ToString()}});
  }
  if (attempt.outcome() != v1::WEBHOOK_ATTEMPT_OUTCOME_DELIVERED) {
    log::Info("webhook delivery failed", {{"webhook_id", d.webhook_id},
                                          {"event_id", d.event_id},
                                          {"attempt", attempt_number},
                                          {"error", attempt.error()},
                                          {"outcome", v1::WebhookAttemptOutcome_Name(attempt.outcome())}});
  }
}

absl::StatusOr<int> WebhookDispatcher::SendDue() {
  const int64_t lease = (kClaimBatch + 2) * options_.timeout.count();
  auto due = store_.Claim(clock_.NowMs(), lease, kClaimBatch);
  if (!due.ok()) return due.status();
  // Side by side; one webhook's deliveries share a lane, in order.
  std::vector<std::vector<const WebhookDelivery*>> by_lane(lanes_.size());
  for (const auto& d : *due) by_lane[StableHash(d.workspace_id + d.webhook_id) % lanes_.size()].push_back(&d);
  std::vector<std::function<void()>> jobs(lanes_.size());
  for (size_t i = 0; i < lanes_.size(); ++i) {
    if (by_lane[i].empty()) continue;
    jobs[i] = [this, lane = &by_lane[i]] {
      for (const WebhookDelivery* d : *lane) SendOne(*d);
    };
  }
  lanes_.RunAll(std::move(jobs));
  if (auto backlog = store_.Backlog(); backlog.ok()) probe_.Backlog(*backlog);
  return static_cast<int>(due->size());
}

void WebhookDispatcher::Sender(const std::atomic<bool>& stopping) {
  while (!stopping) {
    auto sent = SendDue();
    if (!sent.ok()) log::Warn("webhook sender: claim failed", {{"error", sent.status().ToString()}});
    if (!sent.ok() || *sent == 0) clock_.SleepFor(std::chrono::milliseconds(100));
  }
}

}  // namespace herald::publisher
