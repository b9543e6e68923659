#include "listener/polling/poller.h"

#include "common/log.h"
#include "listener/mention_parser.h"

namespace herald::listener {

Poller::Poller(PollStore& store, InboundSource& source, MentionIngest& ingest, RuleStore& rules, const Clock& clock,
               RandomSource& random, PollOptions options)
    : store_(store),
      source_(source),
      ingest_(ingest),
      rules_(rules),
      clock_(clock),
      random_(random),
      options_(options) {}

void Poller::Loop(const std::atomic<bool>& stopping) {
  while (!stopping) {
    auto polled = RunOnce();
    if (!polled.ok()) log::Warn("polling: cannot claim channels", {{"error", polled.status().ToString()}});
    if (!polled.ok() || *polled == 0) {
      for (int i = 0; i < 10 && !stopping; ++i) clock_.SleepFor(std::chrono::milliseconds(100));
    }
  }
}

absl::StatusOr<int> Poller::RunOnce() {
  auto due = store_.ClaimDue(clock_.NowMs(), options_.lease_ms, 16);
  if (!due.ok()) return due.status();
  for (const auto& target : *due) PollChannel(target);
  return static_cast<int>(due->size());
}

PollOutcome Poller::PollChannel(const PollTarget& target) {
  PollOutcome outcome = PollOutcome::kCaughtUp;
  int64_t retry_after_ms = 0;
  auto listened = store_.Listened(target.workspace_id);
  auto rules = rules_.List(target.workspace_id);
  if (!listened.ok() || !rules.ok()) {
    outcome = PollOutcome::kRetrySoon;
  } else {
    for (const auto& stream : StreamsFor(target, *listened, *rules)) {
      outcome = Worse(outcome, ReadStream(target, stream, &retry_after_ms));
      if (outcome == PollOutcome::kThrottled || outcome == PollOutcome::kRefused) break;  // the channel's quota or token
    }
  }
  int failures = 0;
  {
    std::lock_guard lock(mu_);
    const std::string key = target.workspace_id + "/" + target.channel_id;
    if (outcome == PollOutcome::kFailed || outcome == PollOutcome::kRefused) {
      failures = ++failures_[key];
    } else {
      failures_.erase(key);
    }
  }
  const int64_t next = NextPollAt(options_, outcome, failures, retry_after_ms, clock_.NowMs(), random_.Unit());
  if (auto s = store_.Reschedule(target, next); !s.ok()) {
    // The lease runs out and the channel comes back anyway.
    log::Warn("polling: cannot reschedule", {{"channel_id", target.channel_id}, {"error", s.ToString()}});
  }
  return outcome;
}

PollOutcome Poller::ReadStream(const PollTarget& target, const PollStream& stream, int64_t* retry_after_ms) {
  auto cursor = store_.Cursor(target, stream.name);
  if (!cursor.ok()) return PollOutcome::kRetrySoon;
  for (int page = 0; page < options_.max_pages; ++page) {
    InboundResult read = stream.terms.empty()
                             ? source_.Mentions(target, *cursor, options_.page_size)
                             : source_.Search(target, stream.terms, *cursor, options_.page_size);
    if (!read.status.ok()) {
      const auto code = read.status.code();
      if (code == absl::StatusCode::kResourceExhausted) {
        *retry_after_ms = std::max(*retry_after_ms, read.retry_after_ms);
        return PollOutcome::kThrottled;
      }
      log::Warn("polling: gateway refused a read", {{"channel_id", target.channel_id}, {"stream", stream.name},
                                                   {"error", read.status.ToString()}});
      if (code == absl::StatusCode::kFailedPrecondition || code == absl::StatusCode::kNotFound ||
          code == absl::StatusCode::kInvalidArgument || code == absl::StatusCode::kPermissionDenied) {
        return PollOutcome::kRefused;
      }
      return PollOutcome::kFailed;
    }
    for (const auto& item : read.page.items()) {
      auto mention =
          MentionFromInbound(item, target.workspace_id, target.channel_id, target.network, clock_.NowMs());
      if (!mention.ok()) {
        // An item that can never be taken in must not hold the cursor back.
        log::Warn("polling: item refused", {{"channel_id", target.channel_id}, {"error", mention.status().ToString()}});
        continue;
      }
      IngestResult r = ingest_.Ingest(target.workspace_id, *std::move(mention));
      if (r == IngestResult::kPending || r == IngestResult::kError) return PollOutcome::kRetrySoon;
    }
    // Everything of the page is in: only now does the cursor move.
    if (auto s = store_.SaveCursor(target, stream.name, read.page.next_cursor()); !s.ok()) return PollOutcome::kRetrySoon;
    *cursor = read.page.next_cursor();
    if (!read.page.more()) return PollOutcome::kCaughtUp;
  }
  return PollOutcome::kMoreWaiting;
}

}  // namespace herald::listener
