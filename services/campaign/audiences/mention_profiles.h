#pragma once
// Social profiles from the mentions topic: each mention, reply or comment
// counts for its author's profile ("<network>:<author>") — how often, when
// last, the sentiment, the language. Offsets are committed after the poll's
// mentions are in Redis; each mention is applied once by its id (a crash or
// a rebalance that repeats it changes nothing).
#include <optional>

#include "campaign/audiences/profile_store.h"
#include "common/background_thread.h"
#include "common/clock.h"
#include "common/event_gate.h"
#include "common/kafka.h"
#include "herald/events/v1/events.pb.h"

namespace herald::campaign {

// What a mention adds to its author's profile; nullopt when it names no
// author (nothing to key a profile by).
std::optional<ProfileStore::MentionUpdate> ProfileUpdateFor(const herald::events::v1::MentionReceived& mention);

class MentionProfiles {
 public:
  MentionProfiles(ProfileStore& store, ConsumerOptions options, DeadLetters& dead_letters, const Clock& clock)
      : store_(store), options_(std::move(options)), dead_letters_(dead_letters), clock_(clock) {}
  void Start() { thread_.Start([this](const std::atomic<bool>& stopping) { Loop(stopping); }); }
  void Stop() { thread_.Stop(); }

 private:
  void Loop(const std::atomic<bool>& stopping);

  ProfileStore& store_;
  ConsumerOptions options_;
  DeadLetters& dead_letters_;
  const Clock& clock_;
  BackgroundThread thread_;
};

}  // namespace herald::campaign
