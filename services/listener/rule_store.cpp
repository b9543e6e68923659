#include "listener/rule_store.h"

#include <algorithm>
#include <tuple>

#include "listener/rules/rule_rules.h"
#include "listener/store/capped_hash.h"

namespace herald::listener {
namespace {

std::string Rules(const std::string& ws) { return "lst:{" + ws + "}:rules"; }

}  // namespace

absl::StatusOr<herald::listener::v1::ListeningRule> RuleStore::Create(const herald::listener::v1::ListeningRule& rule) {
  auto r = PutIfAbsentCapped(redis_, Rules(rule.workspace_id()), rule.id(), rule.SerializeAsString(),
                             kMaxRulesPerWorkspace);
  if (!r.ok()) return r.status();
  if (!r->has_value()) {
    return absl::ResourceExhaustedError("the workspace has " + std::to_string(kMaxRulesPerWorkspace) +
                                        " rules, the most it may have; delete one first");
  }
  herald::listener::v1::ListeningRule stored;
  if (!stored.ParseFromString(**r)) return absl::DataLossError("stored rule " + rule.id() + " is unreadable");
  return stored;
}

absl::StatusOr<std::vector<herald::listener::v1::ListeningRule>> RuleStore::List(const std::string& ws) {
  auto r = redis_.Command({"HVALS", Rules(ws)});
  if (!r.ok()) return r.status();
  std::vector<herald::listener::v1::ListeningRule> out;
  for (const auto& e : r->elements) {
    herald::listener::v1::ListeningRule rule;
    if (rule.ParseFromString(e.str)) out.push_back(std::move(rule));
  }
  // Oldest first (ids do not sort by time): a stable order for matching and listing.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::make_tuple(a.create_time().seconds(), a.create_time().nanos(), a.id()) <
           std::make_tuple(b.create_time().seconds(), b.create_time().nanos(), b.id());
  });
  return out;
}

absl::StatusOr<bool> RuleStore::Delete(const std::string& ws, const std::string& rule_id) {
  auto r = redis_.Command({"HDEL", Rules(ws), rule_id});
  if (!r.ok()) return r.status();
  return r->integer > 0;
}

}  // namespace herald::listener
