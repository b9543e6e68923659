#include "campaign/campaign_rules.h"

#include <algorithm>

#include "common/ids.h"

namespace herald::campaign {

FieldErrors ValidateCreate(const v1::CreateCampaignRequest& r) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (r.name().find_first_not_of(" \t") == std::string::npos) {
    errors.Add("name", "must not be empty");
  } else if (r.name().size() > kMaxNameBytes) {
    errors.Add("name", "longer than " + std::to_string(kMaxNameBytes) + " bytes");
  }
  if (r.objective() == v1::OBJECTIVE_UNSPECIFIED) errors.Add("objective", "required");
  if (!v1::Objective_IsValid(r.objective())) errors.Add("objective", "unknown value");
  if (r.has_budget()) {
    const auto& c = r.budget().currency();
    bool iso = c.size() == 3 && std::all_of(c.begin(), c.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
    if (!iso) errors.Add("budget.currency", "want an ISO 4217 code such as EUR");
    if (r.budget().micros() < 0) errors.Add("budget.micros", "must not be negative");
  }
  return errors;
}

FieldErrors ValidateAttach(const v1::AttachPostRequest& r) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!IsValidId(r.campaign_id())) errors.Add("campaign_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!IsValidId(r.post_id())) errors.Add("post_id", "required, 1-64 of [A-Za-z0-9_-]");
  return errors;
}

}  // namespace herald::campaign
