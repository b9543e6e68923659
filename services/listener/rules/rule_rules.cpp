#include "listener/rules/rule_rules.h"

#include <algorithm>

#include "common/ids.h"

namespace herald::listener {

bool IsTag(const std::string& tag) {
  if (tag.empty() || tag.size() > 32) return false;
  return std::all_of(tag.begin(), tag.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; });
}

size_t CodePoints(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

FieldErrors ValidateCreateRule(const herald::listener::v1::CreateRuleRequest& r) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (r.name().find_first_not_of(" \t\r\n") == std::string::npos) {
    errors.Add("name", "must not be empty");
  } else if (CodePoints(r.name()) > 100) {
    errors.Add("name", "at most 100 characters");
  }
  if (auto q = Query::Parse(r.query()); !q.ok()) errors.Add("query", std::string(q.status().message()));
  if (r.tags_size() > kMaxRuleTags) errors.Add("tags", "at most " + std::to_string(kMaxRuleTags));
  for (int i = 0; i < r.tags_size() && i < kMaxRuleTags; ++i) {
    if (!IsTag(r.tags(i))) errors.Add("tags[" + std::to_string(i) + "]", "1-32 of [a-z0-9_-]");
  }
  if (!r.request_id().empty() && !IsValidId(r.request_id())) errors.Add("request_id", "at most 64 of [A-Za-z0-9_-]");
  return errors;
}

RuleSet::RuleSet(const std::vector<herald::listener::v1::ListeningRule>& rules) {
  for (const auto& r : rules) {
    auto q = Query::Parse(r.query());
    if (!q.ok()) continue;
    rules_.push_back({r.id(), {r.tags().begin(), r.tags().end()}, *std::move(q)});
  }
}

RuleSet::Match RuleSet::Matching(const MentionView& mention) const {
  Match m;
  for (const auto& r : rules_) {
    if (!r.query.Matches(mention)) continue;
    m.rule_ids.push_back(r.id);
    for (const auto& t : r.tags) {
      if (std::find(m.tags.begin(), m.tags.end(), t) == m.tags.end()) m.tags.push_back(t);
    }
  }
  return m;
}

}  // namespace herald::listener
