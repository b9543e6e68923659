#include "heraldctl/inbox_commands.h"

#include <google/protobuf/util/json_util.h>

#include <cstdlib>
#include <iostream>

#include "common/time_util.h"
#include "herald/listener/v1/inbox.grpc.pb.h"
#include "heraldctl/table.h"

namespace heraldctl {
namespace {

namespace lst = herald::listener::v1;

std::unique_ptr<lst::InboxService::Stub> Inbox(const Ctx& c) {
  return lst::InboxService::NewStub(Dial(c.args, "listener", "HERALD_LISTENER_ADDR", "localhost:7103"));
}

int Missing(const std::string& what) {
  std::cerr << "error: " << what << "\n";
  return 2;
}

std::string Joined(const google::protobuf::RepeatedPtrField<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
  return out.empty() ? "-" : out;
}

std::string Clip(std::string text, size_t max) {
  for (char& ch : text) {
    if (ch == '\n' || ch == '\t') ch = ' ';
  }
  if (text.size() <= max) return text;
  size_t cut = max - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 boundary
  return text.substr(0, cut) + "...";
}

// "90s", "5m", "2h", "1d" → seconds; -1 when unreadable.
int64_t Seconds(const std::string& s) {
  if (s.size() < 2) return -1;
  char unit = s.back();
  char* end = nullptr;
  long long n = std::strtoll(s.c_str(), &end, 10);
  if (end != s.c_str() + s.size() - 1 || n < 0) return -1;
  int64_t mult = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : unit == 'd' ? 86400 : -1;
  return mult < 0 ? -1 : n * mult;
}

lst::ConversationRef Ref(const Ctx& c, const std::string& id) {
  lst::ConversationRef ref;
  ref.set_workspace_id(c.workspace);
  ref.set_conversation_id(id);
  return ref;
}

void PrintConversations(const google::protobuf::RepeatedPtrField<lst::Conversation>& conversations) {
  Table t({"ID", "STATE", "ASSIGNEE", "PRIORITY", "MSGS", "LAST MESSAGE", "CUSTOMER", "PREVIEW"});
  for (const auto& c : conversations) {
    t.Row({c.id(), Lower(lst::ConversationState_Name(c.state()), "CONVERSATION_STATE_"),
           c.assignee_id().empty() ? "-" : c.assignee_id(),
           Lower(lst::ConversationPriority_Name(c.priority()), "CONVERSATION_PRIORITY_"),
           std::to_string(c.message_count()), When(c.last_message_at()), c.customer_handle(), Clip(c.preview(), 40)});
  }
  t.Print(std::cout);
}

std::string Clock(const lst::SlaClock& clock) {
  std::string state = Lower(lst::SlaClockState_Name(clock.state()), "SLA_CLOCK_STATE_");
  if (clock.state() == lst::SLA_CLOCK_STATE_RUNNING) state += " (due " + When(clock.due_at()) + ")";
  if (clock.breached()) state += " BREACHED";
  else if (clock.warning()) state += " warning";
  return state;
}

// Prints what a verb answered: the conversation (table or JSON).
template <class Call>
int Verb(const Ctx& c, const std::string& id, const char* done, Call&& call) {
  grpc::ClientContext ctx;
  Deadline(ctx);
  lst::Conversation out;
  if (auto s = call(*Inbox(c), ctx, out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  std::cout << "conversation/" << id << " " << done << " ("
            << Lower(lst::ConversationState_Name(out.state()), "CONVERSATION_STATE_")
            << (out.assignee_id().empty() ? "" : ", " + out.assignee_id()) << ")\n";
  return 0;
}

int GetConversations(const Ctx& c) {
  lst::ListConversationsRequest req;
  req.set_workspace_id(c.workspace);
  for (const auto& s : SplitCommas(c.args.Get("state", "", ""))) {
    lst::ConversationState state;
    std::string name = "CONVERSATION_STATE_";
    for (char ch : s) name += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (!lst::ConversationState_Parse(name, &state)) return Missing("--state: open, assigned, snoozed or closed");
    req.add_states(state);
  }
  req.set_assignee_id(c.args.Get("assignee", "", ""));
  req.set_page_size(std::atoi(c.args.Get("limit", "", "50").c_str()));
  req.set_page_token(c.args.Get("page-token", "", ""));
  grpc::ClientContext ctx;
  Deadline(ctx);
  lst::ListConversationsResponse out;
  if (auto s = Inbox(c)->ListConversations(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  PrintConversations(out.conversations());
  if (!out.next_page_token().empty()) std::cout << "more: --page-token " << out.next_page_token() << "\n";
  return 0;
}

int GetConversation(const Ctx& c, const std::string& id) {
  lst::GetConversationRequest req;
  req.set_workspace_id(c.workspace);
  req.set_conversation_id(id);
  grpc::ClientContext ctx;
  Deadline(ctx);
  lst::ConversationDetail out;
  if (auto s = Inbox(c)->GetConversation(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  const auto& cv = out.conversation();
  std::cout << "Conversation:   " << cv.id() << "\n"
            << "State:          " << Lower(lst::ConversationState_Name(cv.state()), "CONVERSATION_STATE_")
            << (cv.state() == lst::CONVERSATION_STATE_SNOOZED ? " until " + When(cv.snoozed_until()) : "") << "\n"
            << "Assignee:       " << (cv.assignee_id().empty() ? "-" : cv.assignee_id()) << "\n"
            << "Priority:       " << Lower(lst::ConversationPriority_Name(cv.priority()), "CONVERSATION_PRIORITY_") << "\n"
            << "Tags:           " << Joined(cv.tags()) << "\n"
            << "First response: " << Clock(cv.sla().first_response()) << "\n"
            << "Next response:  " << Clock(cv.sla().next_response()) << "\n"
            << "Resolution:     " << Clock(cv.sla().resolution()) << "\n";
  if (cv.has_suggestion()) std::cout << "Suggested:      " << cv.suggestion().text() << "\n";
  std::cout << "Messages:\n";
  Table t({"AT", "KIND", "AUTHOR", "TEXT"});
  for (const auto& m : out.messages()) {
    t.Row({When(m.at()), Lower(lst::MessageKind_Name(m.kind()), "MESSAGE_KIND_"), m.author(), Clip(m.text(), 60)});
  }
  t.Print(std::cout);
  return 0;
}

// Streams changes until interrupted (or --max of them); one line each, or
// one JSON object per line with -o json.
int WatchInbox(const Ctx& c) {
  lst::WatchInboxRequest req;
  req.set_workspace_id(c.workspace);
  req.set_resume_token(c.args.Get("resume", "", ""));
  const int max = std::atoi(c.args.Get("max", "", "0").c_str());
  grpc::ClientContext ctx;
  auto stub = Inbox(c);
  auto reader = stub->WatchInbox(&ctx, req);
  lst::InboxChange change;
  int seen = 0;
  if (!c.json) std::cout << "TOKEN\tKIND\tCONVERSATION\tSTATE\tASSIGNEE\tDETAIL" << std::endl;
  while (reader->Read(&change)) {
    if (c.json) {
      std::string line;
      google::protobuf::util::JsonPrintOptions o;
      (void)google::protobuf::util::MessageToJsonString(change, &line, o);
      std::cout << line << std::endl;
    } else {
      const auto& cv = change.conversation();
      std::string detail = change.has_message() ? Clip(change.message().text(), 60) : change.sla_target();
      std::cout << change.token() << "\t" << Lower(lst::InboxChange::Kind_Name(change.kind()), "KIND_") << "\t"
                << cv.id() << "\t" << Lower(lst::ConversationState_Name(cv.state()), "CONVERSATION_STATE_") << "\t"
                << (cv.assignee_id().empty() ? "-" : cv.assignee_id()) << "\t" << (detail.empty() ? "-" : detail)
                << std::endl;
    }
    if (max > 0 && ++seen >= max) {
      ctx.TryCancel();
      break;
    }
  }
  grpc::Status s = reader->Finish();
  if (max > 0 && seen >= max) return 0;
  return s.ok() ? 0 : Fail(s);
}

int PutAgent(const Ctx& c, const std::string& id) {
  lst::PutAgentRequest req;
  req.set_workspace_id(c.workspace);
  req.set_agent_id(id);
  req.set_display_name(c.args.Get("name", "", ""));
  req.set_available(!c.args.Has("away"));
  req.set_capacity(std::atoi(c.args.Get("capacity", "", "10").c_str()));
  grpc::ClientContext ctx;
  Deadline(ctx);
  lst::Agent out;
  if (auto s = Inbox(c)->PutAgent(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  std::cout << "agent/" << out.id() << " " << (out.available() ? "available" : "away") << ", "
            << out.open_conversations() << "/" << out.capacity() << " open\n";
  return 0;
}

int GetAgents(const Ctx& c) {
  lst::ListAgentsRequest req;
  req.set_workspace_id(c.workspace);
  grpc::ClientContext ctx;
  Deadline(ctx);
  lst::ListAgentsResponse out;
  if (auto s = Inbox(c)->ListAgents(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  Table t({"ID", "NAME", "AVAILABLE", "OPEN", "CAPACITY"});
  for (const auto& a : out.agents()) {
    t.Row({a.id(), a.display_name().empty() ? "-" : a.display_name(), a.available() ? "yes" : "no",
           std::to_string(a.open_conversations()), std::to_string(a.capacity())});
  }
  t.Print(std::cout);
  return 0;
}

int SavedReplies(const Ctx& c, const std::string& verb, const std::string& id) {
  auto stub = Inbox(c);
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (verb == "create") {
    lst::CreateSavedReplyRequest req;
    req.set_workspace_id(c.workspace);
    req.set_name(id);
    req.set_text(c.args.Get("text", "", ""));
    req.set_request_id(c.args.Get("request-id", "", ""));
    lst::SavedReply out;
    if (auto s = stub->CreateSavedReply(&ctx, req, &out); !s.ok()) return Fail(s);
    if (c.json) return PrintJson(out), 0;
    std::cout << "savedreply/" << out.id() << " created\n";
    return 0;
  }
  if (verb == "delete") {
    lst::DeleteSavedReplyRequest req;
    req.set_workspace_id(c.workspace);
    req.set_saved_reply_id(id);
    lst::DeleteSavedReplyResponse out;
    if (auto s = stub->DeleteSavedReply(&ctx, req, &out); !s.ok()) return Fail(s);
    std::cout << "savedreply/" << id << (out.deleted() ? " deleted\n" : " not found (nothing deleted)\n");
    return 0;
  }
  lst::ListSavedRepliesRequest req;
  req.set_workspace_id(c.workspace);
  lst::ListSavedRepliesResponse out;
  if (auto s = stub->ListSavedReplies(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  Table t({"ID", "NAME", "TEXT"});
  for (const auto& r : out.saved_replies()) t.Row({r.id(), r.name(), Clip(r.text(), 60)});
  t.Print(std::cout);
  return 0;
}

// --first-response 1h --next-response 30m --resolution 1d [--hours mon-fri@09:00-17:00,sat@10:00-14:00
// --zone Europe/Paris] [--holidays 2026-12-25,2027-01-01] [--warn-at 80]
int SetSlaPolicy(const Ctx& c) {
  lst::SetSlaPolicyRequest req;
  req.set_workspace_id(c.workspace);
  auto* policy = req.mutable_policy();
  auto* targets = policy->add_rules()->mutable_targets();
  for (auto [flag, set] : {std::pair<const char*, void (lst::SlaTargets::*)(int64_t)>{
                               "first-response", &lst::SlaTargets::set_first_response_seconds},
                           {"next-response", &lst::SlaTargets::set_next_response_seconds},
                           {"resolution", &lst::SlaTargets::set_resolution_seconds}}) {
    std::string v = c.args.Get(flag, "", "");
    if (v.empty()) continue;
    int64_t s = Seconds(v);
    if (s < 0) return Missing(std::string("--") + flag + ": a duration like 90s, 30m, 4h or 1d");
    (targets->*set)(s);
  }
  static const char* kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  auto day = [](const std::string& d) {
    for (int i = 0; i < 7; ++i) {
      if (d == kDays[i]) return i + 1;
    }
    return 0;
  };
  auto minutes = [](const std::string& hhmm) {
    if (hhmm.size() != 5 || hhmm[2] != ':') return -1;
    return std::atoi(hhmm.substr(0, 2).c_str()) * 60 + std::atoi(hhmm.substr(3).c_str());
  };
  for (const auto& spec : SplitCommas(c.args.Get("hours", "", ""))) {
    // "mon-fri@09:00-17:00" or "sat@10:00-14:00"
    auto at = spec.find('@'), dash = spec.find('-', at);
    if (at == std::string::npos || dash == std::string::npos) return Missing("--hours: like mon-fri@09:00-17:00");
    std::string days = spec.substr(0, at);
    auto range = days.find('-');
    int from = day(days.substr(0, range)), to = range == std::string::npos ? from : day(days.substr(range + 1));
    int start = minutes(spec.substr(at + 1, dash - at - 1)), end = minutes(spec.substr(dash + 1));
    if (end == 0 && spec.substr(dash + 1) == "24:00") end = 1440;
    if (from == 0 || to == 0 || start < 0 || end < 0) return Missing("--hours: like mon-fri@09:00-17:00");
    for (int d = from; d <= to; ++d) {
      auto* h = policy->add_hours();
      h->set_weekday(d);
      h->set_start_minute(start);
      h->set_end_minute(end);
    }
  }
  policy->set_time_zone(c.args.Get("zone", "", ""));
  for (const auto& d : SplitCommas(c.args.Get("holidays", "", ""))) policy->add_holidays(d);
  policy->set_warn_at_percent(std::atoi(c.args.Get("warn-at", "", "0").c_str()));
  grpc::ClientContext ctx;
  Deadline(ctx);
  lst::SlaPolicy out;
  if (auto s = Inbox(c)->SetSlaPolicy(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  std::cout << "slapolicy set\n";
  return 0;
}

int GetSlaPolicy(const Ctx& c) {
  lst::GetSlaPolicyRequest req;
  req.set_workspace_id(c.workspace);
  grpc::ClientContext ctx;
  Deadline(ctx);
  lst::SlaPolicy out;
  if (auto s = Inbox(c)->GetSlaPolicy(&ctx, req, &out); !s.ok()) return Fail(s);
  return PrintJson(out), 0;  // nested: JSON says it best
}

int GetSlaReport(const Ctx& c) {
  lst::GetSlaReportRequest req;
  req.set_workspace_id(c.workspace);
  req.set_days(std::atoi(c.args.Get("days", "", "7").c_str()));
  grpc::ClientContext ctx;
  Deadline(ctx);
  lst::SlaReport out;
  if (auto s = Inbox(c)->GetSlaReport(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  auto span = [](int64_t ms) {
    char buf[32];
    if (ms < 60'000) std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms) / 1000);
    else if (ms < 3'600'000) std::snprintf(buf, sizeof buf, "%.1fm", static_cast<double>(ms) / 60'000);
    else std::snprintf(buf, sizeof buf, "%.1fh", static_cast<double>(ms) / 3'600'000);
    return std::string(buf);
  };
  Table t({"TARGET", "COUNT", "MET", "MISSED", "P50", "P90", "P99"});
  for (const auto& r : out.targets()) {
    t.Row({r.target(), std::to_string(r.count()), std::to_string(r.met()), std::to_string(r.missed()),
           span(r.p50_ms()), span(r.p90_ms()), span(r.p99_ms())});
  }
  t.Print(std::cout);
  return 0;
}

int AutoAnswers(const Ctx& c, const std::string& verb, const std::string& id) {
  auto stub = Inbox(c);
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (verb == "create") {
    lst::CreateAutoAnswerRequest req;
    req.set_workspace_id(c.workspace);
    req.set_name(id);
    req.set_query(c.args.Get("query", "", ""));
    req.set_template_(c.args.Get("template", "", ""));
    std::string mode = c.args.Get("mode", "", "suggest");
    req.set_mode(mode == "auto" ? lst::AUTO_ANSWER_MODE_AUTO
                 : mode == "suggest" ? lst::AUTO_ANSWER_MODE_SUGGEST
                                     : lst::AUTO_ANSWER_MODE_UNSPECIFIED);
    req.set_answer_negative(c.args.Has("answer-negative"));
    req.set_request_id(c.args.Get("request-id", "", ""));
    lst::AutoAnswer out;
    if (auto s = stub->CreateAutoAnswer(&ctx, req, &out); !s.ok()) return Fail(s);
    if (c.json) return PrintJson(out), 0;
    std::cout << "autoanswer/" << out.id() << " created\n";
    return 0;
  }
  if (verb == "delete") {
    lst::DeleteAutoAnswerRequest req;
    req.set_workspace_id(c.workspace);
    req.set_auto_answer_id(id);
    lst::DeleteAutoAnswerResponse out;
    if (auto s = stub->DeleteAutoAnswer(&ctx, req, &out); !s.ok()) return Fail(s);
    std::cout << "autoanswer/" << id << (out.deleted() ? " deleted\n" : " not found (nothing deleted)\n");
    return 0;
  }
  lst::ListAutoAnswersRequest req;
  req.set_workspace_id(c.workspace);
  lst::ListAutoAnswersResponse out;
  if (auto s = stub->ListAutoAnswers(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  Table t({"ID", "NAME", "MODE", "NEGATIVE", "QUERY", "TEMPLATE"});
  for (const auto& a : out.auto_answers()) {
    t.Row({a.id(), a.name(), Lower(lst::AutoAnswerMode_Name(a.mode()), "AUTO_ANSWER_MODE_"),
           a.answer_negative() ? "yes" : "no", a.query(), Clip(a.template_(), 40)});
  }
  t.Print(std::cout);
  return 0;
}

int Message(const Ctx& c, const std::string& verb, const std::string& id) {
  grpc::ClientContext ctx;
  Deadline(ctx);
  lst::ConversationMessage out;
  grpc::Status s;
  auto stub = Inbox(c);
  if (verb == "note") {
    lst::AddNoteRequest req;
    req.set_workspace_id(c.workspace);
    req.set_conversation_id(id);
    req.set_text(c.args.Get("text", "", ""));
    req.set_request_id(c.args.Get("request-id", "", ""));
    s = stub->AddNote(&ctx, req, &out);
  } else if (verb == "reply") {
    lst::ReplyToConversationRequest req;
    req.set_workspace_id(c.workspace);
    req.set_conversation_id(id);
    req.set_text(c.args.Get("text", "", ""));
    req.set_saved_reply_id(c.args.Get("saved-reply", "", ""));
    req.set_request_id(c.args.Get("request-id", "", ""));
    s = stub->ReplyToConversation(&ctx, req, &out);
  } else {
    s = stub->ApproveSuggestion(&ctx, Ref(c, id), &out);
  }
  if (!s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  std::cout << "conversation/" << id << " " << (verb == "note" ? "noted" : "answered")
            << (out.post_id().empty() ? "" : " (post " + out.post_id() + ")") << "\n";
  return 0;
}

}  // namespace

int RunInboxCommand(const Ctx& c, const std::string& verb, const std::string& noun, const std::string& id) {
  if (verb == "get" && noun == "conversations") return GetConversations(c);
  if (verb == "watch" && noun == "inbox") return WatchInbox(c);
  if (verb == "get" && noun == "agents") return GetAgents(c);
  if (verb == "get" && noun == "savedreplies") return SavedReplies(c, verb, id);
  if (verb == "get" && noun == "autoanswers") return AutoAnswers(c, verb, id);
  if (verb == "get" && noun == "slapolicy") return GetSlaPolicy(c);
  if (verb == "get" && noun == "slareport") return GetSlaReport(c);
  if (verb == "set" && noun == "slapolicy") return SetSlaPolicy(c);
  const bool conversation_verb =
      noun == "conversation" && (verb == "get" || verb == "assign" || verb == "unassign" || verb == "snooze" ||
                                 verb == "close" || verb == "reopen" || verb == "tag" || verb == "note" ||
                                 verb == "reply");
  const bool named = conversation_verb || (noun == "agent" && verb == "put") ||
                     (noun == "savedreply" && (verb == "create" || verb == "delete")) ||
                     (noun == "autoanswer" && (verb == "create" || verb == "delete")) ||
                     (noun == "suggestion" && (verb == "approve" || verb == "dismiss"));
  if (!named) return -1;
  if (id.empty()) return Missing(verb + " " + noun + ": " + (verb == "create" ? "NAME" : "ID") + " required");
  if (noun == "agent") return PutAgent(c, id);
  if (noun == "savedreply") return SavedReplies(c, verb, id);
  if (noun == "autoanswer") return AutoAnswers(c, verb, id);
  if (noun == "suggestion" && verb == "approve") return Message(c, "approve", id);
  if (noun == "suggestion") {
    return Verb(c, id, "suggestion dismissed", [&](lst::InboxService::Stub& s, grpc::ClientContext& ctx,
                                                   lst::Conversation& out) {
      return s.DismissSuggestion(&ctx, Ref(c, id), &out);
    });
  }
  if (verb == "get") return GetConversation(c, id);
  if (verb == "note" || verb == "reply") return Message(c, verb, id);
  if (verb == "assign") {
    return Verb(c, id, "assigned", [&](lst::InboxService::Stub& s, grpc::ClientContext& ctx, lst::Conversation& out) {
      lst::AssignConversationRequest req;
      req.set_workspace_id(c.workspace);
      req.set_conversation_id(id);
      req.set_agent_id(c.args.Get("to", "", ""));
      return s.AssignConversation(&ctx, req, &out);
    });
  }
  if (verb == "snooze") {
    auto until = ParseTime(c.args.Get("until", "", ""));
    if (!until) return Missing("snooze conversation: --until TIME required (RFC 3339 or +30m/+2h/+1d)");
    return Verb(c, id, "snoozed", [&](lst::InboxService::Stub& s, grpc::ClientContext& ctx, lst::Conversation& out) {
      lst::SnoozeConversationRequest req;
      req.set_workspace_id(c.workspace);
      req.set_conversation_id(id);
      *req.mutable_until() = herald::FromMs(*until);
      return s.SnoozeConversation(&ctx, req, &out);
    });
  }
  if (verb == "tag") {
    return Verb(c, id, "tagged", [&](lst::InboxService::Stub& s, grpc::ClientContext& ctx, lst::Conversation& out) {
      lst::TagConversationRequest req;
      req.set_workspace_id(c.workspace);
      req.set_conversation_id(id);
      for (auto& t : SplitCommas(c.args.Get("add", "", ""))) req.add_add(t);
      for (auto& t : SplitCommas(c.args.Get("remove", "", ""))) req.add_remove(t);
      return s.TagConversation(&ctx, req, &out);
    });
  }
  using Unary = grpc::Status (lst::InboxService::Stub::*)(grpc::ClientContext*, const lst::ConversationRef&,
                                                           lst::Conversation*);
  Unary call = verb == "unassign" ? static_cast<Unary>(&lst::InboxService::Stub::UnassignConversation)
               : verb == "close"  ? static_cast<Unary>(&lst::InboxService::Stub::CloseConversation)
                                  : static_cast<Unary>(&lst::InboxService::Stub::ReopenConversation);
  const char* done = verb == "unassign" ? "unassigned" : verb == "close" ? "closed" : "reopened";
  return Verb(c, id, done, [&](lst::InboxService::Stub& s, grpc::ClientContext& ctx, lst::Conversation& out) {
    return (s.*call)(&ctx, Ref(c, id), &out);
  });
}

}  // namespace heraldctl
