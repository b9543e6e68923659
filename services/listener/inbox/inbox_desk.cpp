#include "listener/inbox/inbox_desk.h"

#include <random>
#include <thread>

#include "common/events.h"
#include "common/ids.h"
#include "common/log.h"
#include "absl/time/time.h"
#include "common/time_util.h"

namespace herald::listener {

namespace {

// Writers of one conversation race (a burst in one thread, an agent acting
// on it): the loser computes again, after a short random pause so that the
// same racers do not meet again in step.
constexpr int kMaxAttempts = 100;
constexpr int64_t kSettingsTtlMs = 1000;

// Who holds an open conversation: its assignee unless it is closed.
std::string Holder(const v1::Conversation& c) {
  return c.state() == v1::CONVERSATION_STATE_CLOSED ? std::string() : c.assignee_id();
}

// The event announcing an SLA alert; the same alert has the same event id.
herald::events::v1::InboxSlaAlert AlertEvent(const std::string& ws, const v1::ConversationRecord& r,
                                             const SlaJudgement& sla, const SlaAlert& alert, const Clock& clock) {
  herald::events::v1::InboxSlaAlert e;
  const auto& c = r.conversation();
  e.set_conversation_id(c.id());
  e.set_target(alert.target);
  e.set_kind(alert.breached ? "breached" : "warning");
  const v1::SlaClock& sla_clock = alert.target == "first_response"  ? sla.status.first_response()
                              : alert.target == "next_response" ? sla.status.next_response()
                                                                : sla.status.resolution();
  *e.mutable_due_at() = sla_clock.due_at();
  e.set_assignee_id(c.assignee_id());
  e.set_channel_id(c.channel_id());
  e.set_network(c.network());
  *e.mutable_meta() = NewEventMeta(e, ws, clock, HashedId("ev_sla_", ws + "|" + c.id() + "|" + alert.key));
  return e;
}

}  // namespace

InboxDesk::InboxDesk(ConversationStore& conversations, InboxSettingsStore& settings, InboxStore& inbox,
                     ReplySender& replies, const Clock& clock, prometheus::Registry& registry,
                     SlaAlertSink sla_alerts)
    : conversations_(conversations),
      settings_(settings),
      inbox_(inbox),
      replies_(replies),
      clock_(clock),
      sla_sink_(std::move(sla_alerts)),
      sla_alerts_(prometheus::BuildCounter()
                      .Name("herald_inbox_sla_alerts_total")
                      .Help("SLA warnings and breaches sent, by target (first_response, next_response, resolution)")
                      .Register(registry)),
      automated_(prometheus::BuildCounter()
                     .Name("herald_inbox_automated_answers_total")
                     .Help("Automated answers, by what became of them (sent, suggested)")
                     .Register(registry)),
      automated_sent_(automated_.Add({{"outcome", "sent"}})),
      automated_suggested_(automated_.Add({{"outcome", "suggested"}})),
      policies_(clock, kSettingsTtlMs),
      answers_(clock, kSettingsTtlMs),
      agents_(clock, kSettingsTtlMs) {
  for (const char* target : {"first_response", "next_response", "resolution"}) {
    for (bool breached : {false, true}) {
      sla_alert_counters_[{target, breached}] =
          &sla_alerts_.Add({{"target", target}, {"kind", breached ? "breached" : "warning"}});
    }
  }
}

absl::StatusOr<std::shared_ptr<const CompiledSlaPolicy>> InboxDesk::PolicyOf(const std::string& ws) {
  return policies_.Get(ws, [&]() -> absl::StatusOr<CompiledSlaPolicy> {
    auto stored = settings_.SlaPolicy(ws);
    if (!stored.ok()) return stored.status();
    // A policy is checked before it is stored; one that no longer compiles
    // (a zone tzdata dropped) counts nothing rather than stopping the inbox.
    auto compiled = CompiledSlaPolicy::Compile(*stored);
    return compiled.ok() ? *std::move(compiled) : CompiledSlaPolicy();
  });
}

void InboxDesk::ForgetPolicy(const std::string& ws) { policies_.Forget(ws); }

absl::StatusOr<std::shared_ptr<const AutoAnswerSet>> InboxDesk::AutoAnswersOf(const std::string& ws) {
  return answers_.Get(ws, [&]() -> absl::StatusOr<AutoAnswerSet> {
    auto stored = settings_.AutoAnswers(ws);
    if (!stored.ok()) return stored.status();
    return AutoAnswerSet(*stored);
  });
}

void InboxDesk::ForgetAutoAnswers(const std::string& ws) { answers_.Forget(ws); }
void InboxDesk::ForgetAgents(const std::string& ws) { agents_.Forget(ws); }

absl::StatusOr<std::pair<std::string, int>> InboxDesk::NextAgent(const std::string& ws) {
  // The agents from the cache (most workspaces' messages meet the same
  // few); how many conversations each holds, always fresh.
  auto agents = agents_.Get(ws, [&] { return settings_.Agents(ws); });
  if (!agents.ok()) return agents.status();
  if ((*agents)->empty()) return std::pair<std::string, int>();
  auto loads = conversations_.Loads(ws);
  if (!loads.ok()) return loads.status();
  std::vector<Agent> pool;
  for (const auto& a : **agents) {
    auto it = loads->second.find(a.id());
    pool.push_back({a.id(), a.available(), a.capacity(), it == loads->second.end() ? 0 : it->second});
  }
  RoundRobin rr;
  rr.set_last(loads->first);
  auto next = rr.Next(pool);
  if (!next) return std::pair<std::string, int>();
  for (const auto& a : pool) {
    if (a.id == *next) return std::pair<std::string, int>(a.id, a.capacity);
  }
  return std::pair<std::string, int>();
}

absl::Status InboxDesk::Finish(const std::string& ws, const v1::ConversationRecord& before, ConversationWrite& w) {
  const std::string was = Holder(before.conversation()), is = Holder(w.record.conversation());
  if (was != is) {
    w.load_minus = was;
    w.load_plus = is;
  }
  auto policy = PolicyOf(ws);
  if (!policy.ok()) return policy.status();
  const int64_t now = clock_.NowMs();
  SlaJudgement sla = JudgeSla(w.record, **policy, now);
  *w.record.mutable_conversation()->mutable_sla() = sla.status;
  // Clocks this change stopped are counted for the SLA report, in the same step.
  w.samples = StoppedClocks(JudgeSla(before, **policy, now), sla);
  if (!w.samples.empty()) w.day_utc = absl::FormatTime("%Y%m%d", absl::FromUnixMillis(now), absl::UTCTimeZone());
  // Alerts already due are sent by the timer: it runs at once.
  w.timer_ms = sla.alerts.empty() ? NextTimerMs(w.record, sla) : now;
  // A due instant that has passed with nothing to send looks again shortly,
  // never in a loop.
  if (sla.alerts.empty() && w.timer_ms > 0 && w.timer_ms <= now) w.timer_ms = now + 1000;
  return absl::OkStatus();
}

absl::StatusOr<ConversationStore::Committed> InboxDesk::Write(const std::string& ws, const std::string& id,
                                                              const Change& change, v1::ConversationRecord* written) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    auto loaded = conversations_.Load(ws, id);
    if (!loaded.ok()) return loaded.status();
    ConversationWrite w;
    w.record = loaded->record;
    w.read_version = loaded->version;
    if (auto s = change(*loaded, w); !s.ok()) return s;
    if (auto s = Finish(ws, loaded->record, w); !s.ok()) return s;
    auto committed = conversations_.Commit(ws, w);
    if (!committed.ok()) return committed.status();
    if (committed->outcome == ConversationStore::Outcome::kConflict ||
        committed->outcome == ConversationStore::Outcome::kAgentFull) {
      // Another writer won: compute again from what it wrote.
      thread_local std::minstd_rand jitter(std::random_device{}());
      std::this_thread::sleep_for(std::chrono::microseconds(jitter() % (100 * (attempt + 1))));
      continue;
    }
    if (written) *written = std::move(w.record);
    return committed;
  }
  return absl::AbortedError("the conversation kept changing under this write; retry");
}

absl::Status InboxDesk::TakeCustomerMessage(const std::string& ws, const v1::InboxItem& item) {
  v1::ConversationRecord written;
  auto committed = Write(ws, item.conversation_id(), [&](const ConversationStore::Loaded&, ConversationWrite& w) {
    const int64_t now = clock_.NowMs();
    w.message = AddCustomerMessage(w.record, ws, item, now);
    *w.change.mutable_message() = *w.message;
    w.item = item;
    w.change.set_kind(v1::InboxChange::KIND_MESSAGE);
    w.change.set_actor(item.author_handle());
    const auto& c = w.record.conversation();
    if (c.state() == v1::CONVERSATION_STATE_OPEN && c.assignee_id().empty()) {
      auto next = NextAgent(ws);
      if (!next.ok()) return next.status();
      if (!next->first.empty()) {
        (void)AssignTo(w.record, next->first, now);
        w.round_robin_last = next->first;
        w.plus_capacity = next->second;
      }
    }
    return absl::OkStatus();
  }, &written);
  if (!committed.ok()) return committed.status();
  Automate(ws, written, item);
  return absl::OkStatus();
}

void InboxDesk::Automate(const std::string& ws, const v1::ConversationRecord& record, const v1::InboxItem& item) {
  auto answers = AutoAnswersOf(ws);
  if (!answers.ok()) {
    log::Warn("automated answers not read", {{"workspace_id", ws}, {"error", answers.status().ToString()}});
    return;
  }
  if ((*answers)->empty()) return;
  auto answer = (*answers)->For(record, item);
  if (!answer) return;
  const std::string& id = record.conversation().id();
  const std::string actor = "automation:" + answer->id();
  if (answer->mode() == v1::AUTO_ANSWER_MODE_AUTO) {
    // One request id per conversation: however often this runs, one answer.
    ReplyOptions options;
    options.item_id = item.id();
    options.automated = true;
    auto sent = Reply(ws, id, answer->template_(), "automated-answer", actor, options);
    if (!sent.ok()) {
      log::Warn("automated answer not sent", {{"workspace_id", ws}, {"conversation_id", id}, {"error", sent.status().ToString()}});
      return;
    }
    automated_sent_.Increment();
    return;
  }
  auto suggested = Act(ws, id, actor, [&](v1::ConversationRecord& r, int64_t now) {
    // Decided again on what is stored now: an agent may have answered meanwhile.
    if (!(*answers)->For(r, item)) return absl::FailedPreconditionError("no longer applies");
    auto* s = r.mutable_conversation()->mutable_suggestion();
    s->set_auto_answer_id(answer->id());
    s->set_text(ExpandTemplate(answer->template_(), r));
    *s->mutable_create_time() = FromMs(now);
    return absl::OkStatus();
  });
  if (suggested.ok()) automated_suggested_.Increment();
}

absl::StatusOr<v1::ConversationMessage> InboxDesk::ApproveSuggestion(const std::string& ws, const std::string& id,
                                                                     const std::string& actor) {
  auto loaded = conversations_.Load(ws, id);
  if (!loaded.ok()) return loaded.status();
  if (IsNew(loaded->record)) return absl::NotFoundError("conversation " + id + " not found");
  const auto& c = loaded->record.conversation();
  if (!c.has_suggestion()) return absl::FailedPreconditionError("the conversation has no suggested answer");
  ReplyOptions options;
  options.automated = true;
  options.approved_by = actor;
  // The same request id as an automated send: approving twice sends once.
  return Reply(ws, id, c.suggestion().text(), "automated-answer", actor, options);
}

absl::StatusOr<v1::Conversation> InboxDesk::DismissSuggestion(const std::string& ws, const std::string& id,
                                                              const std::string& actor) {
  return Act(ws, id, actor, [](v1::ConversationRecord& r, int64_t now) {
    auto* c = r.mutable_conversation();
    if (!c->has_suggestion()) return absl::FailedPreconditionError("the conversation has no suggested answer");
    c->clear_suggestion();
    c->set_automated_answered(true);  // its one chance was taken
    *c->mutable_updated_at() = FromMs(now);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Conversation> InboxDesk::Act(const std::string& ws, const std::string& id, const std::string& actor,
                                                const Verb& verb) {
  v1::ConversationRecord written;
  auto committed = Write(ws, id, [&](const ConversationStore::Loaded& loaded, ConversationWrite& w) {
    if (IsNew(loaded.record)) return absl::NotFoundError("conversation " + id + " not found");
    if (auto s = verb(w.record, clock_.NowMs()); !s.ok()) return s;
    w.change.set_kind(v1::InboxChange::KIND_UPDATED);
    w.change.set_actor(actor);
    return absl::OkStatus();
  }, &written);
  if (!committed.ok()) return committed.status();
  return written.conversation();
}

absl::StatusOr<v1::Conversation> InboxDesk::Assign(const std::string& ws, const std::string& id,
                                                   const std::string& agent_id, const std::string& actor) {
  v1::ConversationRecord written;
  auto committed = Write(ws, id, [&](const ConversationStore::Loaded& loaded, ConversationWrite& w) {
    if (IsNew(loaded.record)) return absl::NotFoundError("conversation " + id + " not found");
    std::string agent = agent_id;
    if (agent.empty()) {
      auto next = NextAgent(ws);
      if (!next.ok()) return next.status();
      if (next->first.empty()) {
        return absl::FailedPreconditionError("no agent is available with room for another conversation");
      }
      agent = next->first;
      w.round_robin_last = agent;
      w.plus_capacity = next->second;
    }
    if (auto s = AssignTo(w.record, agent, clock_.NowMs()); !s.ok()) return s;
    w.change.set_kind(v1::InboxChange::KIND_UPDATED);
    w.change.set_actor(actor);
    return absl::OkStatus();
  }, &written);
  if (!committed.ok()) return committed.status();
  return written.conversation();
}

absl::StatusOr<v1::ConversationMessage> InboxDesk::Record(const std::string& ws, const std::string& id,
                                                          v1::ConversationMessage message, v1::InboxChange::Kind kind,
                                                          const std::string& actor, const Apply& apply) {
  auto committed = Write(ws, id, [&](const ConversationStore::Loaded& loaded, ConversationWrite& w) {
    if (IsNew(loaded.record)) return absl::NotFoundError("conversation " + id + " not found");
    const int64_t now = clock_.NowMs();
    *message.mutable_at() = FromMs(now);
    apply(w.record, message, now);
    w.message = message;
    w.change.set_kind(kind);
    w.change.set_actor(actor);
    *w.change.mutable_message() = message;
    // The message's id is the request's: a retry is answered from the first.
    w.once_key = message.id();
    w.once_value = message.SerializeAsString();
    return absl::OkStatus();
  });
  if (!committed.ok()) return committed.status();
  if (committed->outcome == ConversationStore::Outcome::kDuplicate) {
    v1::ConversationMessage first;
    if (!first.ParseFromString(committed->once_value)) return absl::DataLossError("the first message is unreadable");
    return first;
  }
  return message;
}

absl::StatusOr<v1::ConversationMessage> InboxDesk::AddNote(const std::string& ws, const std::string& id,
                                                           const std::string& text, const std::string& request_id,
                                                           const std::string& actor) {
  v1::ConversationMessage note;
  note.set_id(request_id.empty() ? NewId("n_") : HashedId("n_", ws + "|" + id + "|" + request_id));
  note.set_kind(v1::MESSAGE_KIND_NOTE);
  note.set_author(actor);
  note.set_text(text);
  return Record(ws, id, std::move(note), v1::InboxChange::KIND_NOTE, actor,
                [](v1::ConversationRecord& r, const v1::ConversationMessage&, int64_t now) { listener::AddNote(r, now); });
}

absl::StatusOr<v1::ConversationMessage> InboxDesk::Reply(const std::string& ws, const std::string& id,
                                                         const std::string& text, const std::string& request_id,
                                                         const std::string& actor, const ReplyOptions& options) {
  const std::string& item_id = options.item_id;
  auto loaded = conversations_.Load(ws, id);
  if (!loaded.ok()) return loaded.status();
  if (IsNew(loaded->record)) return absl::NotFoundError("conversation " + id + " not found");
  // The same request id (or, without one, the same text to the same
  // message) names the same reply: a retried call does not answer twice.
  const std::string answered = item_id.empty() ? loaded->record.last_customer_item_id() : item_id;
  const std::string key = request_id.empty() ? answered + "|" + text : request_id;
  const std::string reply_id = HashedId("r_", ws + "|" + id + "|" + key);
  auto first = conversations_.Once(ws, reply_id);
  if (!first.ok()) return first.status();
  if (first->has_value()) {
    v1::ConversationMessage m;
    if (!m.ParseFromString(**first)) return absl::DataLossError("the first reply is unreadable");
    return m;
  }
  auto item = inbox_.Find(ws, answered);
  if (!item.ok()) return item.status();
  if (item->remote_id().empty() || item->channel_id().empty()) {
    return absl::FailedPreconditionError("the conversation's latest message has no network id to reply to");
  }
  const std::string body = ExpandTemplate(text, loaded->record);
  auto post = replies_.Send(ws, *item, body, "reply-" + reply_id.substr(2));
  if (!post.ok()) return post.status();

  v1::ConversationMessage reply;
  reply.set_id(reply_id);
  reply.set_kind(options.automated ? v1::MESSAGE_KIND_AUTOMATED_REPLY : v1::MESSAGE_KIND_AGENT_REPLY);
  reply.set_author(actor);
  reply.set_approved_by(options.approved_by);
  reply.set_text(body);
  reply.set_post_id(*post);
  return Record(ws, id, std::move(reply), v1::InboxChange::KIND_REPLY, actor,
                [](v1::ConversationRecord& r, const v1::ConversationMessage& m, int64_t now) { AddReply(r, m, now); });
}

absl::StatusOr<v1::ConversationDetail> InboxDesk::Get(const std::string& ws, const std::string& id) {
  auto loaded = conversations_.Load(ws, id);
  if (!loaded.ok()) return loaded.status();
  if (IsNew(loaded->record)) return absl::NotFoundError("conversation " + id + " not found");
  auto policy = PolicyOf(ws);
  if (!policy.ok()) return policy.status();
  v1::ConversationDetail out;
  *out.mutable_conversation() = loaded->record.conversation();
  *out.mutable_conversation()->mutable_sla() = JudgeSla(loaded->record, **policy, clock_.NowMs()).status;
  auto messages = conversations_.Messages(ws, id, kMaxMessagesKept);
  if (!messages.ok()) return messages.status();
  for (auto& m : *messages) *out.add_messages() = std::move(m);
  return out;
}

absl::Status InboxDesk::Tick(const std::string& ws, const std::string& id) {
  auto exists = conversations_.Load(ws, id);
  if (!exists.ok()) return exists.status();
  if (IsNew(exists->record)) return conversations_.ClearTimer(ws, id);
  // One change per step (a wake, then each alert), so each is its own feed entry.
  for (int step = 0; step < 8; ++step) {
    bool changed = false;
    SlaAlert sent;
    auto committed = Write(ws, id, [&](const ConversationStore::Loaded& loaded, ConversationWrite& w) {
      changed = false;
      sent = {};  // a retry decides afresh
      if (IsNew(loaded.record)) return absl::NotFoundError("conversation " + id + " is gone");
      const int64_t now = clock_.NowMs();
      if (WakeIfDue(w.record, now)) {
        w.change.set_kind(v1::InboxChange::KIND_UPDATED);
        changed = true;
        return absl::OkStatus();
      }
      auto policy = PolicyOf(ws);
      if (!policy.ok()) return policy.status();
      SlaJudgement sla = JudgeSla(w.record, **policy, now);
      if (sla.alerts.empty()) return absl::OkStatus();  // rewrites the timer only (nothing to feed)
      sent = sla.alerts.front();
      if (sla_sink_) {
        if (auto s = sla_sink_(AlertEvent(ws, w.record, sla, sent, clock_)); !s.ok()) return s;  // sent next sweep
      }
      MarkAlertSent(w.record, sent);
      w.change.set_kind(sent.breached ? v1::InboxChange::KIND_SLA_BREACHED : v1::InboxChange::KIND_SLA_WARNING);
      w.change.set_sla_target(sent.target);
      changed = true;
      return absl::OkStatus();
    });
    if (!committed.ok()) return committed.status();
    if (!changed) return absl::OkStatus();
    if (!sent.key.empty()) {
      if (auto it = sla_alert_counters_.find({sent.target, sent.breached}); it != sla_alert_counters_.end()) {
        it->second->Increment();
      }
      log::Info("inbox SLA alert",
                {{"workspace_id", ws}, {"conversation_id", id}, {"target", sent.target},
                 {"kind", sent.breached ? "breached" : "warning"}});
    }
  }
  return absl::OkStatus();
}

}  // namespace herald::listener
