#pragma once
// gRPC API of the team inbox (herald.listener.v1.InboxService): checks each
// request, names the field it refuses, and hands the work to the desk.
#include "common/clock.h"
#include "common/executor.h"
#include "common/status.h"
#include "herald/listener/v1/inbox.grpc.pb.h"
#include "listener/inbox/conversation_store.h"
#include "listener/inbox/inbox_desk.h"
#include "listener/inbox/inbox_feed.h"
#include "listener/inbox/inbox_settings_store.h"

namespace herald::listener {

class InboxService final : public v1::InboxService::CallbackService {
 public:
  InboxService(InboxDesk& desk, ConversationStore& conversations, InboxSettingsStore& settings, InboxFeed& feed,
               Executor& executor, const Clock& clock)
      : desk_(desk),
        conversations_(conversations),
        settings_(settings),
        feed_(feed),
        executor_(executor),
        clock_(clock) {}

#define HERALD_INBOX_RPC(Name, Request, Response)                                                               \
  grpc::ServerUnaryReactor* Name(grpc::CallbackServerContext* ctx, const v1::Request* request,                 \
                                 v1::Response* response) override;                                             \
  grpc::Status Do##Name(const v1::Request& request, v1::Response* response);
  HERALD_INBOX_RPC(ListConversations, ListConversationsRequest, ListConversationsResponse)
  HERALD_INBOX_RPC(GetConversation, GetConversationRequest, ConversationDetail)
  HERALD_INBOX_RPC(AssignConversation, AssignConversationRequest, Conversation)
  HERALD_INBOX_RPC(UnassignConversation, ConversationRef, Conversation)
  HERALD_INBOX_RPC(SnoozeConversation, SnoozeConversationRequest, Conversation)
  HERALD_INBOX_RPC(CloseConversation, ConversationRef, Conversation)
  HERALD_INBOX_RPC(ReopenConversation, ConversationRef, Conversation)
  HERALD_INBOX_RPC(TagConversation, TagConversationRequest, Conversation)
  HERALD_INBOX_RPC(AddNote, AddNoteRequest, ConversationMessage)
  HERALD_INBOX_RPC(ReplyToConversation, ReplyToConversationRequest, ConversationMessage)
  HERALD_INBOX_RPC(PutAgent, PutAgentRequest, Agent)
  HERALD_INBOX_RPC(ListAgents, ListAgentsRequest, ListAgentsResponse)
  HERALD_INBOX_RPC(CreateSavedReply, CreateSavedReplyRequest, SavedReply)
  HERALD_INBOX_RPC(ListSavedReplies, ListSavedRepliesRequest, ListSavedRepliesResponse)
  HERALD_INBOX_RPC(DeleteSavedReply, DeleteSavedReplyRequest, DeleteSavedReplyResponse)
  HERALD_INBOX_RPC(SetSlaPolicy, SetSlaPolicyRequest, SlaPolicy)
  HERALD_INBOX_RPC(GetSlaPolicy, GetSlaPolicyRequest, SlaPolicy)
  HERALD_INBOX_RPC(GetSlaReport, GetSlaReportRequest, SlaReport)
  HERALD_INBOX_RPC(CreateAutoAnswer, CreateAutoAnswerRequest, AutoAnswer)
  HERALD_INBOX_RPC(ListAutoAnswers, ListAutoAnswersRequest, ListAutoAnswersResponse)
  HERALD_INBOX_RPC(DeleteAutoAnswer, DeleteAutoAnswerRequest, DeleteAutoAnswerResponse)
  HERALD_INBOX_RPC(ApproveSuggestion, ConversationRef, ConversationMessage)
  HERALD_INBOX_RPC(DismissSuggestion, ConversationRef, Conversation)
#undef HERALD_INBOX_RPC

  grpc::ServerWriteReactor<v1::InboxChange>* WatchInbox(grpc::CallbackServerContext* ctx,
                                                        const v1::WatchInboxRequest* request) override;

 private:
  // A verb on one conversation: checks the reference, runs it, answers the conversation.
  grpc::Status Verb(const std::string& workspace_id, const std::string& conversation_id, FieldErrors errors,
                    const InboxDesk::Verb& verb, v1::Conversation* response);

  InboxDesk& desk_;
  ConversationStore& conversations_;
  InboxSettingsStore& settings_;
  InboxFeed& feed_;
  Executor& executor_;
  const Clock& clock_;
};

}  // namespace herald::listener
