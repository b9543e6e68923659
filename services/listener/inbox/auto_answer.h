#pragma once
// Automated answers: which one (if any) a customer's message gets, and what
// an automated answer must be before it is stored. At most one per
// conversation; never once a human has answered; never to a strongly
// negative message unless the answer allows it. No I/O.
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "herald/listener/v1/inbox.pb.h"
#include "herald/listener/v1/inbox_records.pb.h"
#include "herald/listener/v1/listener.pb.h"
#include "listener/inbox/conversation.h"
#include "listener/rules/query.h"

namespace herald::listener {

constexpr int kMaxAutoAnswersPerWorkspace = 50;

FieldErrors ValidateCreateAutoAnswer(const v1::CreateAutoAnswerRequest& request);

// A workspace's automated answers with their queries parsed once, in order.
class AutoAnswerSet {
 public:
  // Answers whose stored query no longer parses are skipped.
  explicit AutoAnswerSet(const std::vector<v1::AutoAnswer>& answers);
  bool empty() const { return answers_.empty(); }

  // The answer `message` gets in `conversation` (as it is after the message
  // was added), or nullopt.
  std::optional<v1::AutoAnswer> For(const v1::ConversationRecord& conversation, const v1::InboxItem& message) const;

 private:
  std::vector<std::pair<v1::AutoAnswer, Query>> answers_;
};

}  // namespace herald::listener
