#pragma once
// Service-level targets of a conversation, as helpdesks define them:
//   first response — from the customer's first message to the first agent reply;
//   next response  — from each later customer message that finds the
//                    conversation answered, to the agent's next reply;
//   resolution     — from the first customer message to closing, paused
//                    while the team waits on the customer (from "waiting on
//                    customer" to the customer's next message), resumed when
//                    a closed conversation is reopened by a new message.
// Counted in business hours (or 24/7), judged at any instant from the
// conversation's events. No I/O, no clock: `now_ms` is given.
#include <cstdint>
#include <string>
#include <vector>

#include "listener/inbox/business_hours.h"

namespace herald::listener {

struct SlaTargets {
  int64_t first_response_ms = 0;  // 0: no target
  int64_t next_response_ms = 0;
  int64_t resolution_ms = 0;
};

struct SlaPolicy {
  SlaTargets targets;
  double warn_at = 0.8;  // a warning when this share of a target's time is used
};

struct ConversationEvent {
  enum class Kind {
    kCustomerMessage,
    kAgentReply,
    kWaitingOnCustomer,  // an agent marked the ball in the customer's court
    kClosed,
  };
  Kind kind = Kind::kCustomerMessage;
  int64_t at_ms = 0;
};

struct SlaTarget {
  enum class State {
    kNone,     // no target, or nothing to measure yet
    kRunning,  // the clock is counting toward due_ms
    kPaused,   // waiting on the customer
    kMet,      // answered (closed) within the target
    kMissed,   // answered (closed) after it
  };
  State state = State::kNone;
  int64_t used_ms = 0;     // business time counted so far (or at the end)
  int64_t due_ms = 0;      // when running: the instant it breaches
  int64_t warn_ms = 0;     // when running: the instant the warning is due
  bool warning = false;    // running with warn_at of the time used
  bool breached = false;   // running past due, or missed
};

struct SlaReport {
  SlaTarget first_response, next_response, resolution;
  // Every completed next-response wait, in business ms (for percentiles).
  std::vector<int64_t> next_response_times;
  int next_response_misses = 0;
};

// Events in time order; ones out of order are judged at their own time.
SlaReport EvaluateSla(const SlaPolicy& policy, const BusinessHours& hours, const std::vector<ConversationEvent>& events,
                      int64_t now_ms);

}  // namespace herald::listener
