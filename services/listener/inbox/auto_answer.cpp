#include "listener/inbox/auto_answer.h"

#include "common/ids.h"
#include "common/network_names.h"
#include "listener/rules/rule_rules.h"

namespace herald::listener {

FieldErrors ValidateCreateAutoAnswer(const v1::CreateAutoAnswerRequest& r) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (r.name().find_first_not_of(" \t\r\n") == std::string::npos) {
    errors.Add("name", "must not be empty");
  } else if (CodePoints(r.name()) > 100) {
    errors.Add("name", "at most 100 characters");
  }
  if (r.query().size() > Query::kMaxLength) {
    errors.Add("query", "at most 2,048 bytes");
  } else if (auto q = Query::Parse(r.query()); !q.ok()) {
    errors.Add("query", std::string(q.status().message()));
  }
  if (r.template_().find_first_not_of(" \t\r\n") == std::string::npos) {
    errors.Add("template", "must not be empty");
  } else if (r.template_().size() > 5000) {
    errors.Add("template", "at most 5,000 bytes");
  }
  if (r.mode() == v1::AUTO_ANSWER_MODE_UNSPECIFIED) errors.Add("mode", "required: suggest or auto");
  if (!r.request_id().empty() && !IsValidId(r.request_id())) errors.Add("request_id", "at most 64 of [A-Za-z0-9_-]");
  return errors;
}

AutoAnswerSet::AutoAnswerSet(const std::vector<v1::AutoAnswer>& answers) {
  for (const auto& a : answers) {
    auto q = Query::Parse(a.query());
    if (q.ok()) answers_.emplace_back(a, *std::move(q));
  }
}

std::optional<v1::AutoAnswer> AutoAnswerSet::For(const v1::ConversationRecord& record,
                                                 const v1::InboxItem& message) const {
  const auto& c = record.conversation();
  // Once per conversation, and a person's conversation once they answered.
  if (c.automated_answered() || c.human_took_over() || c.has_suggestion()) return std::nullopt;
  const bool angry = message.sentiment().scored() && message.sentiment().compound() <= kStronglyNegative;
  const std::string network = NetworkName(message.network());
  for (const auto& [answer, query] : answers_) {
    if (angry && !answer.answer_negative()) continue;
    if (query.Matches({message.text(), message.language(), network})) return answer;
  }
  return std::nullopt;
}

}  // namespace herald::listener
