#include "campaign/audiences/segment_labels.h"

#include <variant>

#include "campaign/audiences/profile_rules.h"

namespace herald::campaign {

std::shared_ptr<const Segment> SegmentLabels::Parsed(const std::string& expression) {
  std::lock_guard lock(mu_);
  if (auto it = parsed_.find(expression); it != parsed_.end()) return it->second;
  auto parsed = Segment::Parse(expression);
  // Stored segments were parsed when created: one that no longer parses
  // (a newer language dropped a form) labels nothing.
  std::shared_ptr<const Segment> segment;
  if (std::holds_alternative<Segment>(parsed)) segment = std::make_shared<const Segment>(std::get<Segment>(parsed));
  if (parsed_.size() >= 1000) parsed_.clear();
  parsed_.emplace(expression, segment);
  return segment;
}

absl::StatusOr<std::vector<std::vector<std::string>>> SegmentLabels::Of(const std::string& ws,
                                                                        const std::vector<std::string>& customers,
                                                                        int64_t now_ms) {
  std::vector<std::vector<std::string>> out(customers.size());
  if (customers.empty()) return out;
  auto segments = profiles_.ListSegments(ws);
  if (!segments.ok()) return segments.status();
  if (segments->empty()) return out;
  std::vector<std::pair<std::string, std::shared_ptr<const Segment>>> rules;
  for (const auto& s : *segments) {
    if (auto parsed = Parsed(s.expression())) rules.emplace_back(s.id(), std::move(parsed));
  }
  std::vector<std::string> ids;
  for (const auto& c : customers) ids.push_back(CrmProfileId(c));
  auto profiles = profiles_.GetMany(ws, ids);
  if (!profiles.ok()) return profiles.status();
  for (size_t i = 0; i < customers.size(); ++i) {
    Profile empty;
    empty.id = ids[i];
    empty.network = "crm";
    const Profile& p = (*profiles)[i] ? *(*profiles)[i] : empty;
    for (const auto& [id, segment] : rules) {
      if (out[i].size() >= static_cast<size_t>(kMaxSegmentLabels)) break;
      if (segment->Matches(p, now_ms)) out[i].push_back(id);
    }
  }
  return out;
}

}  // namespace herald::campaign
