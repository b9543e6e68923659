#pragma once
// gRPC API of the team inbox (herald.listener.v1.InboxService): checks each
// request, names the field it refuses, and hands the work to the desk.
#include "common/clock.h"
#include "common/executor.h"
#include "common/unary.h"
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

  HERALD_UNARY_RPC(ListConversations, ListConversationsRequest, ListConversationsResponse)
  HERALD_UNARY_RPC(GetConversation, GetConversationRequest, ConversationDetail)
  HERALD_UNARY_RPC(AssignConversation, AssignConversationRequest, Conversation)
  HERALD_UNARY_RPC(UnassignConversation, ConversationRef, Conversation)
  HERALD_UNARY_RPC(SnoozeConversation, SnoozeConversationRequest, Conversation)
  HERALD_UNARY_RPC(CloseConversation, ConversationRef, Conversation)
  HERALD_UNARY_RPC(ReopenConversation, ConversationRef, Conversation)
  HERALD_UNARY_RPC(TagConversation, TagConversationRequest, Conversation)
  HERALD_UNARY_RPC(AddNote, AddNoteRequest, ConversationMessage)
  HERALD_UNARY_RPC(ReplyToConversation, ReplyToConversationRequest, ConversationMessage)
  HERALD_UNARY_RPC(PutAgent, PutAgentRequest, Agent)
  HERALD_UNARY_RPC(ListAgents, ListAgentsRequest, ListAgentsResponse)
  HERALD_UNARY_RPC(CreateSavedReply, CreateSavedReplyRequest, SavedReply)
  HERALD_UNARY_RPC(ListSavedReplies, ListSavedRepliesRequest, ListSavedRepliesResponse)
  HERALD_UNARY_RPC(DeleteSavedReply, DeleteSavedReplyRequest, DeleteSavedReplyResponse)
  HERALD_UNARY_RPC(SetSlaPolicy, SetSlaPolicyRequest, SlaPolicy)
  HERALD_UNARY_RPC(GetSlaPolicy, GetSlaPolicyRequest, SlaPolicy)
  HERALD_UNARY_RPC(GetSlaReport, GetSlaReportRequest, SlaReport)
  HERALD_UNARY_RPC(CreateAutoAnswer, CreateAutoAnswerRequest, AutoAnswer)
  HERALD_UNARY_RPC(ListAutoAnswers, ListAutoAnswersRequest, ListAutoAnswersResponse)
  HERALD_UNARY_RPC(DeleteAutoAnswer, DeleteAutoAnswerRequest, DeleteAutoAnswerResponse)
  HERALD_UNARY_RPC(ApproveSuggestion, ConversationRef, ConversationMessage)
  HERALD_UNARY_RPC(DismissSuggestion, ConversationRef, Conversation)

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
