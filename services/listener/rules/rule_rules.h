#pragma once
// What a listening rule must be before it is stored, and which rules a
// mention matches. No I/O.
#include <string>
#include <vector>

#include "common/status.h"
#include "herald/listener/v1/listener.pb.h"
#include "listener/rules/query.h"

namespace herald::listener {

constexpr int kMaxRulesPerWorkspace = 100;
constexpr int kMaxRuleTags = 10;

// A tag: 1-32 of [a-z0-9_-] (rules, conversations, SLA scopes).
bool IsTag(const std::string& tag);
// Characters (UTF-8 code points), for limits stated in characters.
size_t CodePoints(const std::string& s);

// Every problem, each naming its field ("query: at 12: expected ...").
FieldErrors ValidateCreateRule(const herald::listener::v1::CreateRuleRequest& request);

// A workspace's rules with their queries parsed once.
class RuleSet {
 public:
  // Rules whose stored query no longer parses are skipped (they were valid
  // when stored; a later, stricter parser must not stop ingestion).
  explicit RuleSet(const std::vector<herald::listener::v1::ListeningRule>& rules);
  struct Match {
    std::vector<std::string> rule_ids;
    std::vector<std::string> tags;  // each once, in rule order
  };
  Match Matching(const MentionView& mention) const;
  size_t size() const { return rules_.size(); }

 private:
  struct Compiled {
    std::string id;
    std::vector<std::string> tags;
    Query query;
  };
  std::vector<Compiled> rules_;
};

}  // namespace herald::listener
