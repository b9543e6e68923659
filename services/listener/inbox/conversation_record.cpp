#include "listener/inbox/conversation_record.h"

#include <algorithm>

#include "common/network_names.h"
#include "common/time_util.h"
#include "listener/rules/rule_rules.h"

namespace herald::listener {

namespace {

using v1::ConversationRecord;
using Ev = v1::SlaEventRecord;

constexpr size_t kPreviewBytes = 280;

Conversation ToDomain(const v1::Conversation& c) {
  Conversation d;
  switch (c.state()) {
    case v1::CONVERSATION_STATE_ASSIGNED: d.state = ConversationState::kAssigned; break;
    case v1::CONVERSATION_STATE_SNOOZED: d.state = ConversationState::kSnoozed; break;
    case v1::CONVERSATION_STATE_CLOSED: d.state = ConversationState::kClosed; break;
    default: d.state = ConversationState::kOpen; break;
  }
  d.assignee = c.assignee_id();
  d.snoozed_until_ms = c.has_snoozed_until() ? ToMs(c.snoozed_until()) : 0;
  d.updated_ms = ToMs(c.updated_at());
  return d;
}

void FromDomain(const Conversation& d, v1::Conversation& c) {
  switch (d.state) {
    case ConversationState::kOpen: c.set_state(v1::CONVERSATION_STATE_OPEN); break;
    case ConversationState::kAssigned: c.set_state(v1::CONVERSATION_STATE_ASSIGNED); break;
    case ConversationState::kSnoozed: c.set_state(v1::CONVERSATION_STATE_SNOOZED); break;
    case ConversationState::kClosed: c.set_state(v1::CONVERSATION_STATE_CLOSED); break;
  }
  c.set_assignee_id(d.assignee);
  if (d.snoozed_until_ms > 0) {
    *c.mutable_snoozed_until() = FromMs(d.snoozed_until_ms);
  } else {
    c.clear_snoozed_until();
  }
  *c.mutable_updated_at() = FromMs(d.updated_ms);
}

// Runs a verb of conversation.h on the record's conversation: applied whole or not at all.
template <class Verb>
absl::Status Apply(ConversationRecord& r, Verb&& verb) {
  Conversation d = ToDomain(r.conversation());
  absl::Status s = verb(d);
  if (s.ok()) FromDomain(d, *r.mutable_conversation());
  return s;
}

v1::ConversationPriority ToProto(Priority p) {
  switch (p) {
    case Priority::kLow: return v1::CONVERSATION_PRIORITY_LOW;
    case Priority::kNormal: return v1::CONVERSATION_PRIORITY_NORMAL;
    case Priority::kHigh: return v1::CONVERSATION_PRIORITY_HIGH;
    case Priority::kUrgent: return v1::CONVERSATION_PRIORITY_URGENT;
  }
  return v1::CONVERSATION_PRIORITY_NORMAL;
}

void AddSlaEvent(ConversationRecord& r, Ev::Kind kind, int64_t at_ms) {
  auto* events = r.mutable_sla_events();
  // Capped: the first customer message (what first response and resolution
  // count from) stays; the oldest after it go.
  if (events->size() >= kMaxSlaEvents) events->DeleteSubrange(1, events->size() - kMaxSlaEvents + 1);
  Ev* e = events->Add();
  e->set_kind(kind);
  e->set_at_ms(at_ms);
}

std::vector<ConversationEvent> SlaEventsOf(const ConversationRecord& r) {
  std::vector<ConversationEvent> out;
  out.reserve(static_cast<size_t>(r.sla_events_size()));
  for (const auto& e : r.sla_events()) {
    ConversationEvent ce;
    switch (e.kind()) {
      case Ev::KIND_CUSTOMER_MESSAGE: ce.kind = ConversationEvent::Kind::kCustomerMessage; break;
      case Ev::KIND_AGENT_REPLY: ce.kind = ConversationEvent::Kind::kAgentReply; break;
      case Ev::KIND_WAITING_ON_CUSTOMER: ce.kind = ConversationEvent::Kind::kWaitingOnCustomer; break;
      case Ev::KIND_CLOSED: ce.kind = ConversationEvent::Kind::kClosed; break;
      default: continue;
    }
    ce.at_ms = e.at_ms();
    out.push_back(ce);
  }
  return out;
}

v1::SlaClock ToClock(const SlaTarget& t) {
  v1::SlaClock c;
  switch (t.state) {
    case SlaTarget::State::kNone: c.set_state(v1::SLA_CLOCK_STATE_NONE); break;
    case SlaTarget::State::kRunning: c.set_state(v1::SLA_CLOCK_STATE_RUNNING); break;
    case SlaTarget::State::kPaused: c.set_state(v1::SLA_CLOCK_STATE_PAUSED); break;
    case SlaTarget::State::kMet: c.set_state(v1::SLA_CLOCK_STATE_MET); break;
    case SlaTarget::State::kMissed: c.set_state(v1::SLA_CLOCK_STATE_MISSED); break;
  }
  c.set_used_ms(t.used_ms);
  if (t.state == SlaTarget::State::kRunning && t.due_ms < INT64_MAX) *c.mutable_due_at() = FromMs(t.due_ms);
  c.set_warning(t.warning);
  c.set_breached(t.breached);
  return c;
}

// At most `max` bytes of `text`, never ending inside a character.
std::string Utf8Prefix(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max;
  // Back to the start of the character the cut falls in (continuation bytes are 10xxxxxx).
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

bool Sent(const ConversationRecord& r, const std::string& key) {
  return std::find(r.sla_alerts_sent().begin(), r.sla_alerts_sent().end(), key) != r.sla_alerts_sent().end();
}

int Count(const ConversationRecord& r, Ev::Kind kind) {
  return static_cast<int>(std::count_if(r.sla_events().begin(), r.sla_events().end(),
                                        [kind](const Ev& e) { return e.kind() == kind; }));
}

}  // namespace

bool IsNew(const ConversationRecord& record) { return record.conversation().id().empty(); }

v1::ConversationMessage AddCustomerMessage(ConversationRecord& r, const std::string& ws, const v1::InboxItem& item,
                                           int64_t now_ms) {
  v1::Conversation& c = *r.mutable_conversation();
  if (IsNew(r)) {
    c.set_id(item.conversation_id());
    c.set_workspace_id(ws);
    c.set_network(item.network());
    c.set_channel_id(item.channel_id());
    c.set_kind(item.kind());
    c.set_state(v1::CONVERSATION_STATE_OPEN);
    c.set_priority(v1::CONVERSATION_PRIORITY_NORMAL);
    c.set_customer_handle(item.author_handle());
    std::string preview = Utf8Prefix(item.text(), kPreviewBytes);
    c.set_preview(preview);
    *c.mutable_created_at() = FromMs(now_ms);
  }
  (void)Apply(r, [&](Conversation& d) {
    CustomerWrote(d, now_ms);
    return absl::OkStatus();
  });
  // New messages raise the priority, never lower it (an agent's view of an angry thread stays).
  std::optional<double> compound;
  if (item.sentiment().scored()) compound = item.sentiment().compound();
  v1::ConversationPriority p = ToProto(PriorityOf(compound, 0));
  if (p > c.priority()) c.set_priority(p);
  c.set_message_count(c.message_count() + 1);
  *c.mutable_last_message_at() = FromMs(now_ms);
  r.set_last_customer_item_id(item.id());
  r.set_last_customer_remote_id(item.remote_id());
  r.set_last_customer_author(item.author_handle());
  AddSlaEvent(r, Ev::KIND_CUSTOMER_MESSAGE, now_ms);

  v1::ConversationMessage m;
  m.set_id(item.id());
  m.set_kind(v1::MESSAGE_KIND_CUSTOMER);
  m.set_author(item.author_handle());
  m.set_text(item.text());
  *m.mutable_at() = FromMs(now_ms);
  m.set_item_id(item.id());
  *m.mutable_sentiment() = item.sentiment();
  return m;
}

void AddReply(ConversationRecord& r, const v1::ConversationMessage& reply, int64_t now_ms) {
  v1::Conversation& c = *r.mutable_conversation();
  c.set_message_count(c.message_count() + 1);
  *c.mutable_last_message_at() = FromMs(now_ms);
  *c.mutable_updated_at() = FromMs(now_ms);
  c.clear_suggestion();
  if (reply.kind() == v1::MESSAGE_KIND_AUTOMATED_REPLY) {
    c.set_automated_answered(true);
    // A bot's answer is not the team's; one an agent approved is.
    if (!reply.approved_by().empty()) AddSlaEvent(r, Ev::KIND_AGENT_REPLY, now_ms);
    return;
  }
  c.set_human_took_over(true);
  AddSlaEvent(r, Ev::KIND_AGENT_REPLY, now_ms);
}

void AddNote(ConversationRecord& r, int64_t now_ms) { *r.mutable_conversation()->mutable_updated_at() = FromMs(now_ms); }

absl::Status AssignTo(ConversationRecord& r, const std::string& agent_id, int64_t now_ms) {
  return Apply(r, [&](Conversation& d) { return Assign(d, agent_id, now_ms); });
}

absl::Status Unassign(ConversationRecord& r, int64_t now_ms) {
  return Apply(r, [&](Conversation& d) { return Unassign(d, now_ms); });
}

absl::Status SnoozeUntil(ConversationRecord& r, int64_t until_ms, int64_t now_ms) {
  absl::Status s = Apply(r, [&](Conversation& d) { return Snooze(d, until_ms, now_ms); });
  if (s.ok()) AddSlaEvent(r, Ev::KIND_WAITING_ON_CUSTOMER, now_ms);
  return s;
}

absl::Status CloseConversation(ConversationRecord& r, int64_t now_ms) {
  absl::Status s = Apply(r, [&](Conversation& d) { return Close(d, now_ms); });
  if (s.ok()) AddSlaEvent(r, Ev::KIND_CLOSED, now_ms);
  return s;
}

absl::Status Reopen(ConversationRecord& r, int64_t now_ms) {
  return Apply(r, [&](Conversation& d) {
    if (d.state != ConversationState::kClosed) {
      return absl::FailedPreconditionError(std::string("cannot reopen a ") + ConversationStateName(d.state) +
                                           " conversation");
    }
    d.state = d.assignee.empty() ? ConversationState::kOpen : ConversationState::kAssigned;
    d.updated_ms = now_ms;
    return absl::OkStatus();
  });
}

absl::Status Retag(ConversationRecord& r, const std::vector<std::string>& add, const std::vector<std::string>& remove,
                   int64_t now_ms) {
  for (size_t i = 0; i < add.size(); ++i) {
    if (!IsTag(add[i])) return absl::InvalidArgumentError("add[" + std::to_string(i) + "]: 1-32 of [a-z0-9_-]");
  }
  for (size_t i = 0; i < remove.size(); ++i) {
    if (!IsTag(remove[i])) return absl::InvalidArgumentError("remove[" + std::to_string(i) + "]: 1-32 of [a-z0-9_-]");
  }
  std::vector<std::string> tags(r.conversation().tags().begin(), r.conversation().tags().end());
  for (const auto& t : remove) tags.erase(std::remove(tags.begin(), tags.end(), t), tags.end());
  for (const auto& t : add) {
    if (std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(t);
  }
  if (tags.size() > static_cast<size_t>(kMaxConversationTags)) {
    return absl::FailedPreconditionError("a conversation holds at most 20 tags");
  }
  auto* c = r.mutable_conversation();
  c->clear_tags();
  for (auto& t : tags) c->add_tags(std::move(t));
  *c->mutable_updated_at() = FromMs(now_ms);
  return absl::OkStatus();
}

bool WakeIfDue(ConversationRecord& r, int64_t now_ms) {
  bool woke = false;
  (void)Apply(r, [&](Conversation& d) {
    woke = WakeIfDue(d, now_ms);
    return absl::OkStatus();
  });
  return woke;
}

SlaJudgement JudgeSla(const ConversationRecord& r, const CompiledSlaPolicy& policy, int64_t now_ms) {
  const SlaPolicy targets = policy.For(r.conversation().priority(), r.conversation().tags());
  const SlaReport report = EvaluateSla(targets, policy.hours(), SlaEventsOf(r), now_ms);
  SlaJudgement out;
  *out.status.mutable_first_response() = ToClock(report.first_response);
  *out.status.mutable_next_response() = ToClock(report.next_response);
  *out.status.mutable_resolution() = ToClock(report.resolution);
  out.next_responses = static_cast<int>(report.next_response_times.size());
  if (!report.next_response_times.empty()) out.last_next_response_ms = report.next_response_times.back();
  // Each run of a clock alerts once: the first response runs once, each next
  // response wait ends with a reply, each resolution run with a close.
  const std::pair<const char*, std::pair<const SlaTarget*, int>> clocks[] = {
      {"first_response", {&report.first_response, 0}},
      {"next_response", {&report.next_response, static_cast<int>(report.next_response_times.size())}},
      {"resolution", {&report.resolution, Count(r, Ev::KIND_CLOSED)}},
  };
  for (const auto& [name, clock] : clocks) {
    const auto& [t, run] = clock;
    if (t->state != SlaTarget::State::kRunning) continue;
    const std::string base = std::string(name) + ":" + std::to_string(run) + ":";
    const std::string warn_key = base + "warning", breach_key = base + "breached";
    const bool warned = Sent(r, warn_key), breached = Sent(r, breach_key);
    if (t->breached && !breached) {
      out.alerts.push_back({name, true, breach_key});
    } else if (t->warning && !warned && !breached) {
      out.alerts.push_back({name, false, warn_key});
    }
    // The next instant something is due for this clock.
    int64_t next = 0;
    if (!t->breached && !t->warning && !warned) {
      next = t->warn_ms;
    } else if (!t->breached) {
      next = t->due_ms;
    }
    if (next > 0 && next < INT64_MAX && (out.next_check_ms == 0 || next < out.next_check_ms)) out.next_check_ms = next;
  }
  return out;
}

std::vector<SlaSample> StoppedClocks(const SlaJudgement& before, const SlaJudgement& after) {
  std::vector<SlaSample> out;
  auto finished = [](const v1::SlaClock& c) {
    return c.state() == v1::SLA_CLOCK_STATE_MET || c.state() == v1::SLA_CLOCK_STATE_MISSED;
  };
  auto counting = [](const v1::SlaClock& c) {
    return c.state() == v1::SLA_CLOCK_STATE_RUNNING || c.state() == v1::SLA_CLOCK_STATE_PAUSED;
  };
  const auto& b = before.status;
  const auto& a = after.status;
  if (counting(b.first_response()) && finished(a.first_response())) {
    out.push_back({"first_response", a.first_response().used_ms(), a.first_response().state() == v1::SLA_CLOCK_STATE_MET});
  }
  if (after.next_responses > before.next_responses && a.next_response().state() != v1::SLA_CLOCK_STATE_NONE) {
    out.push_back({"next_response", after.last_next_response_ms, !a.next_response().breached()});
  }
  if (counting(b.resolution()) && finished(a.resolution())) {
    out.push_back({"resolution", a.resolution().used_ms(), a.resolution().state() == v1::SLA_CLOCK_STATE_MET});
  }
  return out;
}

void MarkAlertSent(ConversationRecord& r, const SlaAlert& alert) {
  // Bounded like the events: the oldest keys are of clocks long finished.
  if (r.sla_alerts_sent_size() >= 200) r.mutable_sla_alerts_sent()->DeleteSubrange(0, 1);
  r.add_sla_alerts_sent(alert.key);
}

int64_t NextTimerMs(const ConversationRecord& r, const SlaJudgement& sla) {
  int64_t next = sla.next_check_ms;
  const auto& c = r.conversation();
  if (c.state() == v1::CONVERSATION_STATE_SNOOZED && c.has_snoozed_until()) {
    int64_t until = ToMs(c.snoozed_until());
    if (next == 0 || until < next) next = until;
  }
  return next;
}

std::string ExpandTemplate(const std::string& text, const ConversationRecord& r) {
  std::string author = r.last_customer_author().empty() ? r.conversation().customer_handle() : r.last_customer_author();
  std::string out;
  out.reserve(text.size() + 32);
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, 10, "{{author}}") == 0) {
      out += author;
      i += 10;
    } else if (text.compare(i, 11, "{{network}}") == 0) {
      out += NetworkName(r.conversation().network());
      i += 11;
    } else {
      out += text[i++];
    }
  }
  return out;
}

}  // namespace herald::listener
