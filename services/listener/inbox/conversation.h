#pragma once
// A team-inbox conversation's lifecycle, as helpdesks run it:
//   open ──assign──▶ assigned ──close──▶ closed
//     │                 │  ▲                 │
//     └──snooze──▶ snoozed ┘ (wakes at its time, or on a new message)
//   a new customer message reopens a closed conversation (to its assignee).
// Every verb either applies whole or is refused with the reason; nothing is
// half-applied. No I/O, no clock: instants are given.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace herald::listener {

enum class ConversationState { kOpen, kAssigned, kSnoozed, kClosed };
const char* ConversationStateName(ConversationState state);

enum class Priority { kLow, kNormal, kHigh, kUrgent };
const char* PriorityName(Priority priority);

struct Conversation {
  ConversationState state = ConversationState::kOpen;
  std::string assignee;          // "" when nobody
  int64_t snoozed_until_ms = 0;  // while snoozed
  Priority priority = Priority::kNormal;
  int64_t updated_ms = 0;
};

// The verbs. FAILED_PRECONDITION when the state does not allow it,
// INVALID_ARGUMENT for a bad argument (naming it).
absl::Status Assign(Conversation& c, const std::string& agent, int64_t now_ms);
absl::Status Unassign(Conversation& c, int64_t now_ms);
absl::Status Snooze(Conversation& c, int64_t until_ms, int64_t now_ms);
absl::Status Close(Conversation& c, int64_t now_ms);
// A message from the customer: reopens a closed conversation and wakes a
// snoozed one (to its assignee, if any). Always applies.
void CustomerWrote(Conversation& c, int64_t now_ms);
// Wakes a snooze whose time has come; true when it did.
bool WakeIfDue(Conversation& c, int64_t now_ms);

// VADER compound at or below this is strongly negative: it raises priority
// and keeps automated answers away (an angry customer gets a person).
constexpr double kStronglyNegative = -0.6;

// Priority from what is known of a message: strongly negative sentiment or a
// widely followed author raise it; both make it urgent.
Priority PriorityOf(std::optional<double> sentiment_compound, int64_t author_followers);

// Round-robin auto-assignment among available agents with room, the way
// helpdesks do it: the next agent after the last one chosen, skipping those
// away or at capacity. nullopt when nobody can take it (it stays queued).
struct Agent {
  std::string id;
  bool available = true;
  int capacity = 10;  // open conversations at most
  int open = 0;       // open conversations now
};
class RoundRobin {
 public:
  std::optional<std::string> Next(const std::vector<Agent>& agents);
  // Where the rotation stands (to keep it across restarts).
  const std::string& last() const { return last_; }
  void set_last(std::string last) { last_ = std::move(last); }

 private:
  std::string last_;
};

}  // namespace herald::listener
