#pragma once
// Polls the listened channels through the network gateway: claims due
// channels (poll_store.h), reads each stream from its saved cursor, takes
// every item in (mention_ingest.h: a webhook's copy of the same item is a
// duplicate) and saves the cursor only once all of a page is in. A poller
// killed at any point repeats at most one page; nothing is skipped.
#include <map>
#include <mutex>

#include "common/background_thread.h"
#include "common/clock.h"
#include "common/random.h"
#include "listener/ingest/mention_ingest.h"
#include "listener/polling/inbound_source.h"
#include "listener/polling/poll_plan.h"
#include "listener/polling/poll_store.h"
#include "listener/rule_store.h"

namespace herald::listener {

class Poller {
 public:
  Poller(PollStore& store, InboundSource& source, MentionIngest& ingest, RuleStore& rules, const Clock& clock,
         RandomSource& random, PollOptions options);

  void Start() { thread_.Start([this](const std::atomic<bool>& stopping) { Loop(stopping); }); }
  void Stop() { thread_.Stop(); }

  // One pass: every channel due now polled once. Returns how many were.
  absl::StatusOr<int> RunOnce();
  // One channel's turn (claimed already), rescheduled by its outcome.
  PollOutcome PollChannel(const PollTarget& target);

 private:
  void Loop(const std::atomic<bool>& stopping);
  // One stream from its saved cursor, up to max_pages.
  PollOutcome ReadStream(const PollTarget& target, const PollStream& stream, int64_t* retry_after_ms);

  PollStore& store_;
  InboundSource& source_;
  MentionIngest& ingest_;
  RuleStore& rules_;
  const Clock& clock_;
  RandomSource& random_;
  PollOptions options_;
  std::mutex mu_;
  std::map<std::string, int> failures_;  // channel → failed turns in a row (this replica's view)
  BackgroundThread thread_;
};

}  // namespace herald::listener
