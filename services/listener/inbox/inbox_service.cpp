#include "listener/inbox/inbox_service.h"

#include <algorithm>
#include <charconv>

#include "common/auth/server_auth.h"
#include "common/ids.h"
#include "common/status.h"
#include "common/time_util.h"
#include "common/unary.h"
#include "listener/inbox/auto_answer.h"
#include "listener/inbox/inbox_watch.h"
#include "listener/inbox/sla_report.h"
#include "listener/rules/rule_rules.h"

namespace herald::listener {

namespace {

constexpr const char* kIdRule = "required, 1-64 of [A-Za-z0-9_-]";
constexpr size_t kMaxNoteBytes = 5000;
constexpr int64_t kMaxSnoozeMs = 366LL * 24 * 3600 * 1000;

// Who is acting: the person a service acts for, or the caller.
std::string Actor() {
  const auth::Caller* caller = auth::CurrentCaller();
  return caller ? caller->user().id : "";
}

void CheckRef(const std::string& ws, const std::string& id, FieldErrors& errors) {
  if (!IsValidId(ws)) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(id)) errors.Add("conversation_id", kIdRule);
}

void CheckOptionalId(const std::string& value, const char* field, FieldErrors& errors) {
  if (!value.empty() && !IsValidId(value)) errors.Add(field, "at most 64 of [A-Za-z0-9_-]");
}

bool Blank(const std::string& text) { return text.find_first_not_of(" \t\r\n") == std::string::npos; }

}  // namespace

HERALD_UNARY_RPC_IMPL(InboxService, ListConversations, ListConversationsRequest, ListConversationsResponse)
HERALD_UNARY_RPC_IMPL(InboxService, GetConversation, GetConversationRequest, ConversationDetail)
HERALD_UNARY_RPC_IMPL(InboxService, AssignConversation, AssignConversationRequest, Conversation)
HERALD_UNARY_RPC_IMPL(InboxService, UnassignConversation, ConversationRef, Conversation)
HERALD_UNARY_RPC_IMPL(InboxService, SnoozeConversation, SnoozeConversationRequest, Conversation)
HERALD_UNARY_RPC_IMPL(InboxService, CloseConversation, ConversationRef, Conversation)
HERALD_UNARY_RPC_IMPL(InboxService, ReopenConversation, ConversationRef, Conversation)
HERALD_UNARY_RPC_IMPL(InboxService, TagConversation, TagConversationRequest, Conversation)
HERALD_UNARY_RPC_IMPL(InboxService, AddNote, AddNoteRequest, ConversationMessage)
HERALD_UNARY_RPC_IMPL(InboxService, ReplyToConversation, ReplyToConversationRequest, ConversationMessage)
HERALD_UNARY_RPC_IMPL(InboxService, PutAgent, PutAgentRequest, Agent)
HERALD_UNARY_RPC_IMPL(InboxService, ListAgents, ListAgentsRequest, ListAgentsResponse)
HERALD_UNARY_RPC_IMPL(InboxService, CreateSavedReply, CreateSavedReplyRequest, SavedReply)
HERALD_UNARY_RPC_IMPL(InboxService, ListSavedReplies, ListSavedRepliesRequest, ListSavedRepliesResponse)
HERALD_UNARY_RPC_IMPL(InboxService, DeleteSavedReply, DeleteSavedReplyRequest, DeleteSavedReplyResponse)
HERALD_UNARY_RPC_IMPL(InboxService, SetSlaPolicy, SetSlaPolicyRequest, SlaPolicy)
HERALD_UNARY_RPC_IMPL(InboxService, GetSlaPolicy, GetSlaPolicyRequest, SlaPolicy)
HERALD_UNARY_RPC_IMPL(InboxService, GetSlaReport, GetSlaReportRequest, SlaReport)
HERALD_UNARY_RPC_IMPL(InboxService, CreateAutoAnswer, CreateAutoAnswerRequest, AutoAnswer)
HERALD_UNARY_RPC_IMPL(InboxService, ListAutoAnswers, ListAutoAnswersRequest, ListAutoAnswersResponse)
HERALD_UNARY_RPC_IMPL(InboxService, DeleteAutoAnswer, DeleteAutoAnswerRequest, DeleteAutoAnswerResponse)
HERALD_UNARY_RPC_IMPL(InboxService, ApproveSuggestion, ConversationRef, ConversationMessage)
HERALD_UNARY_RPC_IMPL(InboxService, DismissSuggestion, ConversationRef, Conversation)

grpc::ServerWriteReactor<v1::InboxChange>* InboxService::WatchInbox(grpc::CallbackServerContext* ctx,
                                                                    const v1::WatchInboxRequest* request) {
  return StartInboxWatch(ctx, request, feed_, executor_);
}

grpc::Status InboxService::DoListConversations(const v1::ListConversationsRequest& request,
                                               v1::ListConversationsResponse* response) {
  if (request.states_size() > 4) return InvalidArgument("states", "at most 4 (each state once)");
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  CheckOptionalId(request.assignee_id(), "assignee_id", errors);
  if (request.page_size() < 0 || request.page_size() > 500) errors.Add("page_size", "must be 0..500");
  int64_t offset = 0;
  if (!request.page_token().empty()) {
    const auto& t = request.page_token();
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), offset);
    if (ec != std::errc() || end != t.data() + t.size() || offset < 0 || t.size() > 12) {
      errors.Add("page_token", "not a token a previous page gave");
    }
  }
  for (int i = 0; i < request.states_size(); ++i) {
    if (request.states(i) == v1::CONVERSATION_STATE_UNSPECIFIED) {
      errors.Add("states[" + std::to_string(i) + "]", "must name a state");
    }
  }
  if (!errors.ok()) return errors.ToGrpc();
  const auto& states = request.states();
  auto keep = [&](const v1::Conversation& c) {
    if (!states.empty() && std::find(states.begin(), states.end(), c.state()) == states.end()) return false;
    return request.assignee_id().empty() || c.assignee_id() == request.assignee_id();
  };
  auto page = conversations_.List(request.workspace_id(), offset, request.page_size() == 0 ? 50 : request.page_size(),
                                  keep);
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& r : page->records) *response->add_conversations() = std::move(*r.mutable_conversation());
  if (page->next_offset >= 0) response->set_next_page_token(std::to_string(page->next_offset));
  return grpc::Status::OK;
}

grpc::Status InboxService::DoGetConversation(const v1::GetConversationRequest& request,
                                             v1::ConversationDetail* response) {
  FieldErrors errors;
  CheckRef(request.workspace_id(), request.conversation_id(), errors);
  if (!errors.ok()) return errors.ToGrpc();
  auto detail = desk_.Get(request.workspace_id(), request.conversation_id());
  if (!detail.ok()) return ToGrpc(detail.status());
  *response = *std::move(detail);
  return grpc::Status::OK;
}

grpc::Status InboxService::Verb(const std::string& ws, const std::string& id, FieldErrors errors,
                                const InboxDesk::Verb& verb, v1::Conversation* response) {
  CheckRef(ws, id, errors);
  if (!errors.ok()) return errors.ToGrpc();
  auto c = desk_.Act(ws, id, Actor(), verb);
  if (!c.ok()) return ToGrpc(c.status());
  *response = *std::move(c);
  return grpc::Status::OK;
}

grpc::Status InboxService::DoAssignConversation(const v1::AssignConversationRequest& request,
                                                v1::Conversation* response) {
  FieldErrors errors;
  CheckRef(request.workspace_id(), request.conversation_id(), errors);
  CheckOptionalId(request.agent_id(), "agent_id", errors);
  if (!errors.ok()) return errors.ToGrpc();
  auto c = desk_.Assign(request.workspace_id(), request.conversation_id(), request.agent_id(), Actor());
  if (!c.ok()) return ToGrpc(c.status());
  *response = *std::move(c);
  return grpc::Status::OK;
}

grpc::Status InboxService::DoUnassignConversation(const v1::ConversationRef& request, v1::Conversation* response) {
  return Verb(request.workspace_id(), request.conversation_id(), {},
              [](v1::ConversationRecord& r, int64_t now) { return Unassign(r, now); }, response);
}

grpc::Status InboxService::DoSnoozeConversation(const v1::SnoozeConversationRequest& request,
                                                v1::Conversation* response) {
  FieldErrors errors;
  const int64_t now = clock_.NowMs(), until = ToMs(request.until());
  if (!request.has_until() || until <= now) {
    errors.Add("until", "required, in the future");
  } else if (until - now > kMaxSnoozeMs) {
    errors.Add("until", "at most a year ahead");
  }
  return Verb(request.workspace_id(), request.conversation_id(), std::move(errors),
              [until](v1::ConversationRecord& r, int64_t at) { return SnoozeUntil(r, until, at); }, response);
}

grpc::Status InboxService::DoCloseConversation(const v1::ConversationRef& request, v1::Conversation* response) {
  return Verb(request.workspace_id(), request.conversation_id(), {},
              [](v1::ConversationRecord& r, int64_t now) { return listener::CloseConversation(r, now); }, response);
}

grpc::Status InboxService::DoReopenConversation(const v1::ConversationRef& request, v1::Conversation* response) {
  return Verb(request.workspace_id(), request.conversation_id(), {},
              [](v1::ConversationRecord& r, int64_t now) { return Reopen(r, now); }, response);
}

grpc::Status InboxService::DoTagConversation(const v1::TagConversationRequest& request, v1::Conversation* response) {
  // Counts first: no tag is looked at in a request that has too many.
  if (request.add_size() > kMaxConversationTags) return InvalidArgument("add", "at most 20");
  if (request.remove_size() > kMaxConversationTags) return InvalidArgument("remove", "at most 20");
  FieldErrors errors;
  if (request.add_size() + request.remove_size() == 0) errors.Add("add", "name a tag to add or remove");
  for (int i = 0; i < request.add_size(); ++i) {
    if (!IsTag(request.add(i))) errors.Add("add[" + std::to_string(i) + "]", "1-32 of [a-z0-9_-]");
  }
  for (int i = 0; i < request.remove_size(); ++i) {
    if (!IsTag(request.remove(i))) errors.Add("remove[" + std::to_string(i) + "]", "1-32 of [a-z0-9_-]");
  }
  std::vector<std::string> add(request.add().begin(), request.add().end());
  std::vector<std::string> remove(request.remove().begin(), request.remove().end());
  return Verb(request.workspace_id(), request.conversation_id(), std::move(errors),
              [&](v1::ConversationRecord& r, int64_t now) { return Retag(r, add, remove, now); }, response);
}

grpc::Status InboxService::DoAddNote(const v1::AddNoteRequest& request, v1::ConversationMessage* response) {
  FieldErrors errors;
  CheckRef(request.workspace_id(), request.conversation_id(), errors);
  if (Blank(request.text())) {
    errors.Add("text", "must not be empty");
  } else if (request.text().size() > kMaxNoteBytes) {
    errors.Add("text", "at most 5,000 bytes");
  }
  CheckOptionalId(request.request_id(), "request_id", errors);
  if (!errors.ok()) return errors.ToGrpc();
  auto note = desk_.AddNote(request.workspace_id(), request.conversation_id(), request.text(), request.request_id(),
                            Actor());
  if (!note.ok()) return ToGrpc(note.status());
  *response = *std::move(note);
  return grpc::Status::OK;
}

grpc::Status InboxService::DoReplyToConversation(const v1::ReplyToConversationRequest& request,
                                                 v1::ConversationMessage* response) {
  FieldErrors errors;
  CheckRef(request.workspace_id(), request.conversation_id(), errors);
  CheckOptionalId(request.saved_reply_id(), "saved_reply_id", errors);
  CheckOptionalId(request.request_id(), "request_id", errors);
  if (Blank(request.text()) && request.saved_reply_id().empty()) {
    errors.Add("text", "must not be empty (or name a saved_reply_id)");
  } else if (request.text().size() > kMaxNoteBytes) {
    errors.Add("text", "at most 5,000 bytes");
  }
  if (!errors.ok()) return errors.ToGrpc();
  std::string text = request.text();
  if (Blank(text)) {
    auto saved = settings_.SavedReply(request.workspace_id(), request.saved_reply_id());
    if (!saved.ok()) return ToGrpc(saved.status());
    if (!saved->has_value()) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "saved reply " + request.saved_reply_id() + " not found");
    }
    text = (*saved)->text();
  }
  auto reply = desk_.Reply(request.workspace_id(), request.conversation_id(), text, request.request_id(), Actor());
  if (!reply.ok()) return ToGrpc(reply.status());
  *response = *std::move(reply);
  return grpc::Status::OK;
}

grpc::Status InboxService::DoPutAgent(const v1::PutAgentRequest& request, v1::Agent* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(request.agent_id())) errors.Add("agent_id", kIdRule);
  if (CodePoints(request.display_name()) > 100) errors.Add("display_name", "at most 100 characters");
  if (request.capacity() < 1 || request.capacity() > 1000) errors.Add("capacity", "must be 1..1000");
  if (!errors.ok()) return errors.ToGrpc();
  v1::Agent agent;
  agent.set_id(request.agent_id());
  agent.set_display_name(request.display_name());
  agent.set_available(request.available());
  agent.set_capacity(request.capacity());
  if (auto s = settings_.PutAgent(request.workspace_id(), agent); !s.ok()) return ToGrpc(s);
  desk_.ForgetAgents(request.workspace_id());
  auto loads = conversations_.Loads(request.workspace_id());
  if (!loads.ok()) return ToGrpc(loads.status());
  auto it = loads->second.find(agent.id());
  agent.set_open_conversations(it == loads->second.end() ? 0 : it->second);
  *response = std::move(agent);
  return grpc::Status::OK;
}

grpc::Status InboxService::DoListAgents(const v1::ListAgentsRequest& request, v1::ListAgentsResponse* response) {
  if (!IsValidId(request.workspace_id())) return InvalidArgument("workspace_id", kIdRule);
  auto agents = settings_.Agents(request.workspace_id());
  if (!agents.ok()) return ToGrpc(agents.status());
  auto loads = conversations_.Loads(request.workspace_id());
  if (!loads.ok()) return ToGrpc(loads.status());
  for (auto& a : *agents) {
    auto it = loads->second.find(a.id());
    a.set_open_conversations(it == loads->second.end() ? 0 : it->second);
    *response->add_agents() = std::move(a);
  }
  return grpc::Status::OK;
}

grpc::Status InboxService::DoCreateSavedReply(const v1::CreateSavedReplyRequest& request, v1::SavedReply* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (Blank(request.name())) {
    errors.Add("name", "must not be empty");
  } else if (CodePoints(request.name()) > 100) {
    errors.Add("name", "at most 100 characters");
  }
  if (Blank(request.text())) {
    errors.Add("text", "must not be empty");
  } else if (request.text().size() > kMaxNoteBytes) {
    errors.Add("text", "at most 5,000 bytes");
  }
  CheckOptionalId(request.request_id(), "request_id", errors);
  if (!errors.ok()) return errors.ToGrpc();
  v1::SavedReply reply;
  reply.set_id(CreatedId("sr_", request.workspace_id(), request.request_id()));
  reply.set_name(request.name());
  reply.set_text(request.text());
  *reply.mutable_create_time() = FromMs(clock_.NowMs());
  auto stored = settings_.CreateSavedReply(request.workspace_id(), reply);
  if (!stored.ok()) return ToGrpc(stored.status());
  *response = *std::move(stored);
  return grpc::Status::OK;
}

grpc::Status InboxService::DoListSavedReplies(const v1::ListSavedRepliesRequest& request,
                                              v1::ListSavedRepliesResponse* response) {
  if (!IsValidId(request.workspace_id())) return InvalidArgument("workspace_id", kIdRule);
  auto replies = settings_.SavedReplies(request.workspace_id());
  if (!replies.ok()) return ToGrpc(replies.status());
  for (auto& r : *replies) *response->add_saved_replies() = std::move(r);
  return grpc::Status::OK;
}

grpc::Status InboxService::DoDeleteSavedReply(const v1::DeleteSavedReplyRequest& request,
                                              v1::DeleteSavedReplyResponse* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(request.saved_reply_id())) errors.Add("saved_reply_id", kIdRule);
  if (!errors.ok()) return errors.ToGrpc();
  auto deleted = settings_.DeleteSavedReply(request.workspace_id(), request.saved_reply_id());
  if (!deleted.ok()) return ToGrpc(deleted.status());
  response->set_deleted(*deleted);
  return grpc::Status::OK;
}

grpc::Status InboxService::DoSetSlaPolicy(const v1::SetSlaPolicyRequest& request, v1::SlaPolicy* response) {
  if (!IsValidId(request.workspace_id())) return InvalidArgument("workspace_id", kIdRule);
  auto compiled = CompiledSlaPolicy::Compile(request.policy());
  if (!compiled.ok()) return ToGrpc(compiled.status());
  if (auto s = settings_.SetSlaPolicy(request.workspace_id(), request.policy()); !s.ok()) return ToGrpc(s);
  desk_.ForgetPolicy(request.workspace_id());
  *response = request.policy();
  return grpc::Status::OK;
}

grpc::Status InboxService::DoGetSlaPolicy(const v1::GetSlaPolicyRequest& request, v1::SlaPolicy* response) {
  if (!IsValidId(request.workspace_id())) return InvalidArgument("workspace_id", kIdRule);
  auto policy = settings_.SlaPolicy(request.workspace_id());
  if (!policy.ok()) return ToGrpc(policy.status());
  *response = *std::move(policy);
  return grpc::Status::OK;
}

grpc::Status InboxService::DoGetSlaReport(const v1::GetSlaReportRequest& request, v1::SlaReport* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (request.days() < 0 || request.days() > 90) errors.Add("days", "must be 1..90 (0 means 7)");
  if (!errors.ok()) return errors.ToGrpc();
  const int days = request.days() == 0 ? 7 : request.days();
  const absl::Time now = absl::FromUnixMillis(clock_.NowMs());
  for (const char* target : {"first_response", "next_response", "resolution"}) {
    std::vector<std::pair<int64_t, bool>> samples;
    for (int d = 0; d < days; ++d) {
      const std::string day = absl::FormatTime("%Y%m%d", now - absl::Hours(24 * d), absl::UTCTimeZone());
      auto some = conversations_.SlaSamples(request.workspace_id(), target, day);
      if (!some.ok()) return ToGrpc(some.status());
      samples.insert(samples.end(), some->begin(), some->end());
    }
    *response->add_targets() = Summarize(target, std::move(samples));
  }
  return grpc::Status::OK;
}

grpc::Status InboxService::DoCreateAutoAnswer(const v1::CreateAutoAnswerRequest& request, v1::AutoAnswer* response) {
  if (auto errors = ValidateCreateAutoAnswer(request); !errors.ok()) return errors.ToGrpc();
  v1::AutoAnswer answer;
  answer.set_id(CreatedId("aa_", request.workspace_id(), request.request_id()));
  answer.set_name(request.name());
  answer.set_query(request.query());
  answer.set_template_(request.template_());
  answer.set_mode(request.mode());
  answer.set_answer_negative(request.answer_negative());
  *answer.mutable_create_time() = FromMs(clock_.NowMs());
  auto stored = settings_.CreateAutoAnswer(request.workspace_id(), answer);
  if (!stored.ok()) return ToGrpc(stored.status());
  desk_.ForgetAutoAnswers(request.workspace_id());
  *response = *std::move(stored);
  return grpc::Status::OK;
}

grpc::Status InboxService::DoListAutoAnswers(const v1::ListAutoAnswersRequest& request,
                                             v1::ListAutoAnswersResponse* response) {
  if (!IsValidId(request.workspace_id())) return InvalidArgument("workspace_id", kIdRule);
  auto answers = settings_.AutoAnswers(request.workspace_id());
  if (!answers.ok()) return ToGrpc(answers.status());
  for (auto& a : *answers) *response->add_auto_answers() = std::move(a);
  return grpc::Status::OK;
}

grpc::Status InboxService::DoDeleteAutoAnswer(const v1::DeleteAutoAnswerRequest& request,
                                              v1::DeleteAutoAnswerResponse* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(request.auto_answer_id())) errors.Add("auto_answer_id", kIdRule);
  if (!errors.ok()) return errors.ToGrpc();
  auto deleted = settings_.DeleteAutoAnswer(request.workspace_id(), request.auto_answer_id());
  if (!deleted.ok()) return ToGrpc(deleted.status());
  desk_.ForgetAutoAnswers(request.workspace_id());
  response->set_deleted(*deleted);
  return grpc::Status::OK;
}

grpc::Status InboxService::DoApproveSuggestion(const v1::ConversationRef& request, v1::ConversationMessage* response) {
  FieldErrors errors;
  CheckRef(request.workspace_id(), request.conversation_id(), errors);
  if (!errors.ok()) return errors.ToGrpc();
  auto sent = desk_.ApproveSuggestion(request.workspace_id(), request.conversation_id(), Actor());
  if (!sent.ok()) return ToGrpc(sent.status());
  *response = *std::move(sent);
  return grpc::Status::OK;
}

grpc::Status InboxService::DoDismissSuggestion(const v1::ConversationRef& request, v1::Conversation* response) {
  FieldErrors errors;
  CheckRef(request.workspace_id(), request.conversation_id(), errors);
  if (!errors.ok()) return errors.ToGrpc();
  auto c = desk_.DismissSuggestion(request.workspace_id(), request.conversation_id(), Actor());
  if (!c.ok()) return ToGrpc(c.status());
  *response = *std::move(c);
  return grpc::Status::OK;
}

}  // namespace herald::listener
