#pragma once
// Where the team inbox changes: a customer's message arriving, an agent's
// verb, a reply, a note, a timer (a snooze ending, an SLA warning or breach).
// Each change is computed by the pure steps of conversation_record.h from the
// conversation as stored and written in one step with its feed entry, its
// agent counts and its timer; a change that lost a race to another writer
// is computed again from what won. So no change is half-applied or lost, and
// every watcher sees each once.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "common/clock.h"
#include "common/ttl_cache.h"
#include "herald/events/v1/events.pb.h"
#include "listener/inbox/auto_answer.h"
#include "listener/inbox/conversation_record.h"
#include "listener/inbox/conversation_store.h"
#include "listener/inbox/inbox_settings_store.h"
#include "listener/inbox_store.h"
#include "listener/reply_sender.h"

namespace herald::listener {

class InboxDesk {
 public:
  // Where an SLA warning or breach is announced (the listener: inbox.sla),
  // before it is recorded as sent: a crash in between announces it again,
  // with the same event id. nullptr: only the feed and the metric.
  using SlaAlertSink = std::function<absl::Status(const herald::events::v1::InboxSlaAlert&)>;
  InboxDesk(ConversationStore& conversations, InboxSettingsStore& settings, InboxStore& inbox, ReplySender& replies,
            const Clock& clock, prometheus::Registry& registry, SlaAlertSink sla_alerts = nullptr);

  // A new customer message (a mention claimed by MentionIngest): into its
  // conversation, auto-assigned when nobody has it, and the mention marked
  // done — all in one step.
  absl::Status TakeCustomerMessage(const std::string& workspace_id, const v1::InboxItem& item);

  // A verb on an existing conversation by `actor`; NOT_FOUND when there is none.
  using Verb = std::function<absl::Status(v1::ConversationRecord&, int64_t now_ms)>;
  absl::StatusOr<v1::Conversation> Act(const std::string& workspace_id, const std::string& conversation_id,
                                       const std::string& actor, const Verb& verb);
  // To `agent_id`, or ("" ) round-robin to the next available agent with room.
  absl::StatusOr<v1::Conversation> Assign(const std::string& workspace_id, const std::string& conversation_id,
                                          const std::string& agent_id, const std::string& actor);
  absl::StatusOr<v1::ConversationMessage> AddNote(const std::string& workspace_id, const std::string& conversation_id,
                                                  const std::string& text, const std::string& request_id,
                                                  const std::string& actor);
  // Sends `text` ({{variables}} filled) in answer to a customer message
  // and records it. A retry with the same request id answers the first
  // reply without sending again.
  struct ReplyOptions {
    std::string item_id;       // the message answered ("": the latest)
    bool automated = false;    // an automated answer (always marked so)
    std::string approved_by;   // the agent who approved an automated one
  };
  absl::StatusOr<v1::ConversationMessage> Reply(const std::string& workspace_id, const std::string& conversation_id,
                                                const std::string& text, const std::string& request_id,
                                                const std::string& actor, const ReplyOptions& options);
  absl::StatusOr<v1::ConversationMessage> Reply(const std::string& workspace_id, const std::string& conversation_id,
                                                const std::string& text, const std::string& request_id,
                                                const std::string& actor) {
    return Reply(workspace_id, conversation_id, text, request_id, actor, ReplyOptions{});
  }
  // Suggest mode: sends the waiting suggestion (FAILED_PRECONDITION when
  // there is none), or drops it (no other is suggested after).
  absl::StatusOr<v1::ConversationMessage> ApproveSuggestion(const std::string& workspace_id,
                                                            const std::string& conversation_id,
                                                            const std::string& actor);
  absl::StatusOr<v1::Conversation> DismissSuggestion(const std::string& workspace_id,
                                                     const std::string& conversation_id, const std::string& actor);
  void ForgetAutoAnswers(const std::string& workspace_id);
  void ForgetAgents(const std::string& workspace_id);
  absl::StatusOr<v1::ConversationDetail> Get(const std::string& workspace_id, const std::string& conversation_id);
  // A conversation whose timer came: wakes a snooze that is due, sends the
  // SLA alerts that are due (each once).
  absl::Status Tick(const std::string& workspace_id, const std::string& conversation_id);

  // The workspace's SLA policy, compiled (cached for a second).
  absl::StatusOr<std::shared_ptr<const CompiledSlaPolicy>> PolicyOf(const std::string& workspace_id);
  void ForgetPolicy(const std::string& workspace_id);

 private:
  // Reads, lets `change` fill the write, commits; again on a lost race.
  // `change` answers NotFound/FailedPrecondition/... to stop.
  using Change = std::function<absl::Status(const ConversationStore::Loaded&, ConversationWrite&)>;
  absl::StatusOr<ConversationStore::Committed> Write(const std::string& workspace_id,
                                                     const std::string& conversation_id, const Change& change,
                                                     v1::ConversationRecord* written = nullptr);
  // A note or a reply into its conversation, once per message id.
  using Apply = std::function<void(v1::ConversationRecord&, const v1::ConversationMessage&, int64_t now_ms)>;
  absl::StatusOr<v1::ConversationMessage> Record(const std::string& workspace_id, const std::string& conversation_id,
                                                 v1::ConversationMessage message, v1::InboxChange::Kind kind,
                                                 const std::string& actor, const Apply& apply);
  // Agent counts, SLA clocks and the timer of a changed record.
  absl::Status Finish(const std::string& workspace_id, const v1::ConversationRecord& before, ConversationWrite& write);
  // The automated answer a new message gets, if any: sent (auto mode) or
  // left for an agent (suggest mode). Failures are logged: the message is in.
  void Automate(const std::string& workspace_id, const v1::ConversationRecord& record, const v1::InboxItem& item);
  absl::StatusOr<std::shared_ptr<const AutoAnswerSet>> AutoAnswersOf(const std::string& workspace_id);
  // The next agent round-robin gives a conversation to ("" when nobody can take it).
  absl::StatusOr<std::pair<std::string, int>> NextAgent(const std::string& workspace_id);

  ConversationStore& conversations_;
  InboxSettingsStore& settings_;
  InboxStore& inbox_;
  ReplySender& replies_;
  const Clock& clock_;
  SlaAlertSink sla_sink_;
  prometheus::Family<prometheus::Counter>& sla_alerts_;
  // One counter per (target, kind), made once (not looked up per alert).
  std::map<std::pair<std::string, bool>, prometheus::Counter*> sla_alert_counters_;

  prometheus::Family<prometheus::Counter>& automated_;
  prometheus::Counter& automated_sent_;  // made once, not looked up per answer
  prometheus::Counter& automated_suggested_;
  // A workspace's settings, read at most once a second per process.
  TtlCache<CompiledSlaPolicy> policies_;
  TtlCache<AutoAnswerSet> answers_;
  TtlCache<std::vector<v1::Agent>> agents_;
};

}  // namespace herald::listener
