#pragma once
// Which channels the listener polls, learnt from channels.lifecycle: a
// channel that becomes ACTIVE (connected, re-authorised) is listened to,
// one that stops being active is no longer. Offsets are committed after the
// change is in Redis, so a crash repeats a change (each is idempotent) and
// never misses one.
#include "common/background_thread.h"
#include "common/clock.h"
#include "common/event_gate.h"
#include "common/kafka.h"
#include "herald/events/v1/events.pb.h"
#include "listener/polling/poll_store.h"

namespace herald::listener {

// Networks Herald polls (their gateway reads mentions or comments).
bool Listenable(herald::common::v1::Network network);

class ChannelWatch {
 public:
  ChannelWatch(PollStore& store, ConsumerOptions options, DeadLetters& dead_letters, const Clock& clock);
  void Start() { thread_.Start([this](const std::atomic<bool>& stopping) { Loop(stopping); }); }
  void Stop() { thread_.Stop(); }

  // One event applied (tests call it directly).
  absl::Status Apply(const herald::events::v1::ChannelStatusChanged& event);

 private:
  void Loop(const std::atomic<bool>& stopping);

  PollStore& store_;
  ConsumerOptions options_;
  DeadLetters& dead_letters_;
  const Clock& clock_;
  BackgroundThread thread_;
};

}  // namespace herald::listener
