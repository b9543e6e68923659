#pragma once
// What happens to a stored conversation (herald.listener.v1.ConversationRecord)
// when a customer writes, an agent acts, or time passes: the lifecycle of
// conversation.h and the clocks of sla.h applied to the record, each step
// describing the change it made for the inbox's live feed. No I/O, no clock.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "herald/listener/v1/inbox.pb.h"
#include "herald/listener/v1/inbox_records.pb.h"
#include "herald/listener/v1/listener.pb.h"
#include "listener/inbox/conversation.h"
#include "listener/inbox/sla_policy.h"

namespace herald::listener {

constexpr int kMaxConversationTags = 20;
constexpr int kMaxSlaEvents = 2000;

// A record made empty (no conversation id yet) is new.
bool IsNew(const v1::ConversationRecord& record);

// A customer's message into its conversation (opening it when new, waking
// or reopening it otherwise). Returns the message as the conversation shows it.
v1::ConversationMessage AddCustomerMessage(v1::ConversationRecord& record, const std::string& workspace_id,
                                           const v1::InboxItem& item, int64_t now_ms);
// An answer sent on the network. A human one stops the response clocks and
// takes the conversation over from automated answers; an automated one does
// neither (a bot's answer is not the team's response) unless an agent
// approved it. Either clears a waiting suggestion.
void AddReply(v1::ConversationRecord& record, const v1::ConversationMessage& reply, int64_t now_ms);
// An internal note: the conversation is touched, no clock moves.
void AddNote(v1::ConversationRecord& record, int64_t now_ms);

// The verbs (conversation.h): FAILED_PRECONDITION when the state forbids it.
absl::Status AssignTo(v1::ConversationRecord& record, const std::string& agent_id, int64_t now_ms);
absl::Status Unassign(v1::ConversationRecord& record, int64_t now_ms);
// Snoozing waits on the customer: the resolution clock pauses.
absl::Status SnoozeUntil(v1::ConversationRecord& record, int64_t until_ms, int64_t now_ms);
absl::Status CloseConversation(v1::ConversationRecord& record, int64_t now_ms);
absl::Status Reopen(v1::ConversationRecord& record, int64_t now_ms);
// INVALID_ARGUMENT naming add[i]/remove[i] for a bad tag, FAILED_PRECONDITION
// past kMaxConversationTags.
absl::Status Retag(v1::ConversationRecord& record, const std::vector<std::string>& add,
                   const std::vector<std::string>& remove, int64_t now_ms);
// Wakes a snooze whose time has come; true when it did.
bool WakeIfDue(v1::ConversationRecord& record, int64_t now_ms);

// The SLA clocks at `now_ms`, the alerts due and not yet sent, and the next
// instant something will be due (0: nothing will be without a new event).
struct SlaAlert {
  std::string target;  // "first_response", "next_response", "resolution"
  bool breached = false;
  std::string key;  // once-key: recorded in sla_alerts_sent when sent
};
struct SlaJudgement {
  v1::SlaStatus status;
  std::vector<SlaAlert> alerts;
  int64_t next_check_ms = 0;
  // Next-response waits answered so far, and the last one's time.
  int next_responses = 0;
  int64_t last_next_response_ms = 0;
};
SlaJudgement JudgeSla(const v1::ConversationRecord& record, const CompiledSlaPolicy& policy, int64_t now_ms);
// A clock that stopped between two judgements of one conversation (before
// and after a change): what the SLA report counts.
struct SlaSample {
  std::string target;  // "first_response", "next_response", "resolution"
  int64_t ms = 0;      // counted time it took
  bool met = false;
};
std::vector<SlaSample> StoppedClocks(const SlaJudgement& before, const SlaJudgement& after);

// Records the alert as sent (so it fires once).
void MarkAlertSent(v1::ConversationRecord& record, const SlaAlert& alert);

// When the conversation next needs a look without any event: a snooze's end
// or an SLA instant; 0 when never.
int64_t NextTimerMs(const v1::ConversationRecord& record, const SlaJudgement& sla);

// Fills {{author}} and {{network}}; unknown variables stay as written.
std::string ExpandTemplate(const std::string& text, const v1::ConversationRecord& record);

}  // namespace herald::listener
