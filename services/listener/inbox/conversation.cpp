#include "listener/inbox/conversation.h"

#include <algorithm>

namespace herald::listener {

const char* ConversationStateName(ConversationState state) {
  switch (state) {
    case ConversationState::kOpen: return "open";
    case ConversationState::kAssigned: return "assigned";
    case ConversationState::kSnoozed: return "snoozed";
    case ConversationState::kClosed: return "closed";
  }
  return "?";
}

const char* PriorityName(Priority priority) {
  switch (priority) {
    case Priority::kLow: return "low";
    case Priority::kNormal: return "normal";
    case Priority::kHigh: return "high";
    case Priority::kUrgent: return "urgent";
  }
  return "?";
}

namespace {

// Open or assigned, by whether someone has it.
ConversationState Awake(const Conversation& c) {
  return c.assignee.empty() ? ConversationState::kOpen : ConversationState::kAssigned;
}

absl::Status Refuse(const Conversation& c, const char* verb) {
  return absl::FailedPreconditionError(std::string("cannot ") + verb + " a " + ConversationStateName(c.state) +
                                       " conversation");
}

}  // namespace

absl::Status Assign(Conversation& c, const std::string& agent, int64_t now_ms) {
  if (agent.empty()) return absl::InvalidArgumentError("agent: required");
  if (c.state == ConversationState::kClosed) return Refuse(c, "assign");
  c.assignee = agent;
  if (c.state != ConversationState::kSnoozed) c.state = ConversationState::kAssigned;  // a snooze stands
  c.updated_ms = now_ms;
  return absl::OkStatus();
}

absl::Status Unassign(Conversation& c, int64_t now_ms) {
  if (c.state == ConversationState::kClosed) return Refuse(c, "unassign");
  c.assignee.clear();
  if (c.state != ConversationState::kSnoozed) c.state = ConversationState::kOpen;
  c.updated_ms = now_ms;
  return absl::OkStatus();
}

absl::Status Snooze(Conversation& c, int64_t until_ms, int64_t now_ms) {
  if (until_ms <= now_ms) return absl::InvalidArgumentError("until: must be in the future");
  if (c.state == ConversationState::kClosed) return Refuse(c, "snooze");
  c.state = ConversationState::kSnoozed;
  c.snoozed_until_ms = until_ms;
  c.updated_ms = now_ms;
  return absl::OkStatus();
}

absl::Status Close(Conversation& c, int64_t now_ms) {
  if (c.state == ConversationState::kClosed) return Refuse(c, "close");
  c.state = ConversationState::kClosed;
  c.snoozed_until_ms = 0;
  c.updated_ms = now_ms;
  return absl::OkStatus();
}

void CustomerWrote(Conversation& c, int64_t now_ms) {
  if (c.state == ConversationState::kClosed || c.state == ConversationState::kSnoozed) {
    c.state = Awake(c);
    c.snoozed_until_ms = 0;
  }
  c.updated_ms = now_ms;
}

bool WakeIfDue(Conversation& c, int64_t now_ms) {
  if (c.state != ConversationState::kSnoozed || now_ms < c.snoozed_until_ms) return false;
  c.state = Awake(c);
  c.snoozed_until_ms = 0;
  c.updated_ms = now_ms;
  return true;
}

Priority PriorityOf(std::optional<double> sentiment_compound, int64_t author_followers) {
  // VADER's usual cut for "negative" is -0.05; strongly negative is well below.
  bool angry = sentiment_compound && *sentiment_compound <= kStronglyNegative;
  bool loud = author_followers >= 100'000;
  if (angry && loud) return Priority::kUrgent;
  if (angry || loud) return Priority::kHigh;
  if (sentiment_compound && *sentiment_compound >= 0.05 && author_followers < 1'000) return Priority::kLow;
  return Priority::kNormal;
}

std::optional<std::string> RoundRobin::Next(const std::vector<Agent>& agents) {
  if (agents.empty()) return std::nullopt;
  // Start after the last agent chosen (from the top when it is gone).
  size_t start = 0;
  for (size_t i = 0; i < agents.size(); ++i) {
    if (agents[i].id == last_) start = i + 1;
  }
  for (size_t k = 0; k < agents.size(); ++k) {
    const Agent& a = agents[(start + k) % agents.size()];
    if (a.available && a.open < a.capacity) {
      last_ = a.id;
      return a.id;
    }
  }
  return std::nullopt;
}

}  // namespace herald::listener
