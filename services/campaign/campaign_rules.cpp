#include "campaign/campaign_rules.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "absl/time/civil_time.h"
#include "common/ids.h"
#include "common/time_util.h"

namespace herald::campaign {
namespace {

constexpr const char* kIdRule = "required, 1-64 of [A-Za-z0-9_-]";

bool IsCurrency(const std::string& c) {
  return c.size() == 3 && std::all_of(c.begin(), c.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
}

// Printable text without control characters (they break CSV exports, logs and terminals).
bool PlainText(const std::string& s) {
  return std::none_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

void CheckText(FieldErrors& errors, const std::string& field, const std::string& value, size_t max) {
  if (value.size() > max) {
    errors.Add(field, "longer than " + std::to_string(max) + " bytes");
  } else if (!PlainText(value)) {
    errors.Add(field, "must not hold control characters");
  }
}

void CheckMoney(FieldErrors& errors, const std::string& field, const v1::Money& m) {
  if (!IsCurrency(m.currency())) errors.Add(field + ".currency", "want an ISO 4217 code such as EUR");
  if (m.micros() < 0) errors.Add(field + ".micros", "must not be negative");
  // A trillion units: beyond any budget, and sums of many stay inside int64.
  if (m.micros() > 1'000'000'000'000'000'000) errors.Add(field + ".micros", "larger than 10^12 units");
}

void CheckRatio(FieldErrors& errors, const std::string& field, bool has, double value, double max) {
  if (has && !(value >= 0 && value <= max)) {
    errors.Add(field, "must be between 0 and " + std::to_string(static_cast<int64_t>(max)));
  }
}

const std::set<std::string>& SettableFields() {
  static const std::set<std::string> kFields = {
      "name",       "description", "objective", "budget", "daily_budget", "time_zone",          "start_date",
      "end_date",   "channel_ids", "owner",     "targets", "utm",         "allow_cancel_losers", "budget_split"};
  return kFields;
}

void CopyField(const std::string& f, const v1::Campaign& from, v1::Campaign& to) {
  if (f == "name") to.set_name(from.name());
  if (f == "description") to.set_description(from.description());
  if (f == "objective") to.set_objective(from.objective());
  if (f == "budget") {
    if (from.has_budget()) *to.mutable_budget() = from.budget(); else to.clear_budget();
  }
  if (f == "daily_budget") {
    if (from.has_daily_budget()) *to.mutable_daily_budget() = from.daily_budget(); else to.clear_daily_budget();
  }
  if (f == "time_zone") to.set_time_zone(from.time_zone());
  if (f == "start_date") to.set_start_date(from.start_date());
  if (f == "end_date") to.set_end_date(from.end_date());
  if (f == "channel_ids") *to.mutable_channel_ids() = from.channel_ids();
  if (f == "owner") to.set_owner(from.owner());
  if (f == "targets") {
    if (from.has_targets()) *to.mutable_targets() = from.targets(); else to.clear_targets();
  }
  if (f == "utm") {
    if (from.has_utm()) *to.mutable_utm() = from.utm(); else to.clear_utm();
  }
  if (f == "allow_cancel_losers") to.set_allow_cancel_losers(from.allow_cancel_losers());
  if (f == "budget_split") *to.mutable_budget_split() = from.budget_split();
}

// Shares of the daily budget: the campaign's channels (when it lists them),
// each once, summing to exactly 10,000 basis points.
void CheckBudgetSplit(const v1::Campaign& c, FieldErrors& errors) {
  if (c.budget_split().empty()) return;
  if (c.budget_split_size() > kMaxChannels) {
    errors.Add("budget_split", "more than " + std::to_string(kMaxChannels) + " channels");
    return;
  }
  std::set<std::string> listed(c.channel_ids().begin(), c.channel_ids().end()), seen;
  int64_t sum = 0;
  bool bad = false;
  for (int i = 0; i < c.budget_split_size(); ++i) {
    const auto& share = c.budget_split(i);
    const std::string at = "budget_split[" + std::to_string(i) + "]";
    std::string problem;
    if (!IsValidId(share.channel_id())) {
      problem = kIdRule;
    } else if (!seen.insert(share.channel_id()).second) {
      problem = "named twice";
    } else if (!listed.empty() && !listed.count(share.channel_id())) {
      problem = "not one of the campaign's channel_ids";
    }
    if (!problem.empty()) errors.Add(at + ".channel_id", problem);
    bad = bad || !problem.empty();
    if (share.basis_points() < 0 || share.basis_points() > 10000) {
      errors.Add(at + ".basis_points", "0-10000");
      bad = true;
    } else {
      sum += share.basis_points();
    }
  }
  if (!bad && sum != 10000) errors.Add("budget_split", "shares sum to " + std::to_string(sum) + " bp, not 10000");
}

}  // namespace

std::optional<LocalDate> ParseDate(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  LocalDate d{std::stoi(text.substr(0, 4)), std::stoi(text.substr(5, 2)), std::stoi(text.substr(8, 2))};
  absl::CivilDay day(d.year, d.month, d.day);
  // CivilDay normalises 2026-02-30 to March: a real date survives unchanged.
  if (day.year() != d.year || day.month() != d.month || day.day() != d.day) return std::nullopt;
  if (d.year < 2000 || d.year > 2100) return std::nullopt;
  return d;
}

void ValidateSettable(const v1::Campaign& c, FieldErrors& errors) {
  if (c.name().find_first_not_of(" \t") == std::string::npos) {
    errors.Add("name", "must not be empty");
  } else {
    CheckText(errors, "name", c.name(), kMaxNameBytes);
  }
  CheckText(errors, "description", c.description(), kMaxDescriptionBytes);
  CheckText(errors, "owner", c.owner(), kMaxOwnerBytes);
  if (c.objective() == v1::OBJECTIVE_UNSPECIFIED) {
    errors.Add("objective", "required: awareness, engagement, traffic or conversions");
  } else if (!v1::Objective_IsValid(c.objective())) {
    errors.Add("objective", "unknown value");
  }
  if (c.has_budget()) CheckMoney(errors, "budget", c.budget());
  if (c.has_daily_budget()) {
    CheckMoney(errors, "daily_budget", c.daily_budget());
    if (c.has_budget() && c.daily_budget().currency() != c.budget().currency()) {
      errors.Add("daily_budget.currency", "must be the budget's currency (" + c.budget().currency() + ")");
    }
    if (c.has_budget() && c.daily_budget().micros() > c.budget().micros()) {
      errors.Add("daily_budget.micros", "more than the whole budget");
    }
  }
  // The flight: dates in a zone, both or neither.
  if (!c.time_zone().empty() && !LoadZone(c.time_zone())) {
    errors.Add("time_zone", "not an IANA time zone such as Europe/Berlin");
  }
  auto start = c.start_date().empty() ? std::nullopt : ParseDate(c.start_date());
  auto end = c.end_date().empty() ? std::nullopt : ParseDate(c.end_date());
  if (!c.start_date().empty() && !start) errors.Add("start_date", "want a date YYYY-MM-DD in 2000-2100");
  if (!c.end_date().empty() && !end) errors.Add("end_date", "want a date YYYY-MM-DD in 2000-2100");
  if (c.start_date().empty() != c.end_date().empty()) {
    errors.Add(c.start_date().empty() ? "start_date" : "end_date", "a flight needs both start_date and end_date");
  }
  if (start && end) {
    int64_t days = absl::CivilDay(end->year, end->month, end->day) - absl::CivilDay(start->year, start->month, start->day);
    if (days < 0) errors.Add("end_date", "before start_date");
    if (days >= kMaxFlightDays) errors.Add("end_date", "a flight of more than " + std::to_string(kMaxFlightDays) + " days");
    if (c.time_zone().empty()) errors.Add("time_zone", "required with a flight (its days are this zone's)");
  }
  if (c.channel_ids_size() > kMaxChannels) errors.Add("channel_ids", "more than " + std::to_string(kMaxChannels));
  std::set<std::string> seen;
  for (int i = 0; i < c.channel_ids_size() && i < kMaxChannels; ++i) {
    const std::string& id = c.channel_ids(i);
    if (!IsValidId(id)) {
      errors.Add("channel_ids[" + std::to_string(i) + "]", kIdRule);
    } else if (!seen.insert(id).second) {
      errors.Add("channel_ids[" + std::to_string(i) + "]", "named twice");
    }
  }
  if (c.has_targets()) {
    const auto& t = c.targets();
    if (t.has_cpa()) {
      CheckMoney(errors, "targets.cpa", t.cpa());
      if (c.has_budget() && t.cpa().currency() != c.budget().currency()) {
        errors.Add("targets.cpa.currency", "must be the budget's currency (" + c.budget().currency() + ")");
      }
    }
    CheckRatio(errors, "targets.roas", t.has_roas(), t.roas(), 1e6);
    CheckRatio(errors, "targets.ctr", t.has_ctr(), t.ctr(), 1);
    CheckRatio(errors, "targets.conversion_rate", t.has_conversion_rate(), t.conversion_rate(), 1);
  }
  CheckBudgetSplit(c, errors);
  if (c.has_utm()) {
    const auto& u = c.utm();
    const std::pair<const char*, const std::string*> fields[] = {{"utm.source", &u.source()},
                                                                 {"utm.medium", &u.medium()},
                                                                 {"utm.campaign", &u.campaign()},
                                                                 {"utm.term", &u.term()},
                                                                 {"utm.content", &u.content()}};
    for (const auto& [name, value] : fields) CheckText(errors, name, *value, kMaxUtmBytes);
  }
}

FieldErrors ValidateCreate(const v1::CreateCampaignRequest& r) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!r.request_id().empty() && !IsValidId(r.request_id())) errors.Add("request_id", "at most 64 of [A-Za-z0-9_-]");
  ValidateSettable(BuildCampaign(r), errors);
  return errors;
}

v1::Campaign BuildCampaign(const v1::CreateCampaignRequest& r) {
  v1::Campaign c;
  c.set_workspace_id(r.workspace_id());
  c.set_name(r.name());
  c.set_description(r.description());
  c.set_objective(r.objective());
  if (r.has_budget()) *c.mutable_budget() = r.budget();
  if (r.has_daily_budget()) *c.mutable_daily_budget() = r.daily_budget();
  c.set_time_zone(r.time_zone());
  c.set_start_date(r.start_date());
  c.set_end_date(r.end_date());
  *c.mutable_channel_ids() = r.channel_ids();
  c.set_owner(r.owner());
  if (r.has_targets()) *c.mutable_targets() = r.targets();
  if (r.has_utm()) *c.mutable_utm() = r.utm();
  c.set_allow_cancel_losers(r.allow_cancel_losers());
  c.set_status(r.activate() ? v1::CAMPAIGN_STATUS_ACTIVE : v1::CAMPAIGN_STATUS_DRAFT);
  return c;
}

FieldErrors ApplyUpdate(const v1::UpdateCampaignRequest& r, v1::Campaign& campaign) {
  FieldErrors errors;
  if (r.update_mask_size() > static_cast<int>(SettableFields().size())) {
    errors.Add("update_mask", "names more fields than a campaign has");
    return errors;
  }
  for (int i = 0; i < r.update_mask_size(); ++i) {
    if (!SettableFields().count(r.update_mask(i))) {
      errors.Add("update_mask[" + std::to_string(i) + "]", "not a settable field (name, description, objective, "
                 "budget, daily_budget, time_zone, start_date, end_date, channel_ids, owner, targets, utm, "
                 "allow_cancel_losers, budget_split)");
    }
  }
  if (!errors.ok()) return errors;
  v1::Campaign updated = campaign;
  if (r.update_mask().empty()) {
    for (const auto& f : SettableFields()) CopyField(f, r.campaign(), updated);
  } else {
    for (const auto& f : r.update_mask()) CopyField(f, r.campaign(), updated);
  }
  FieldErrors bad;
  ValidateSettable(updated, bad);
  // Named as the caller named them: the fields live under `campaign`.
  for (const auto& [field, problem] : bad.errors()) errors.Add("campaign." + field, problem);
  if (errors.ok()) campaign = std::move(updated);
  return errors;
}

FieldErrors ValidateAttach(const v1::AttachPostRequest& r) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(r.campaign_id())) errors.Add("campaign_id", kIdRule);
  if (!IsValidId(r.post_id())) errors.Add("post_id", kIdRule);
  return errors;
}

bool TransitionAllowed(v1::CampaignStatus from, v1::CampaignStatus to) {
  using S = v1::CampaignStatus;
  if (from == to) return from != S::CAMPAIGN_STATUS_UNSPECIFIED;
  switch (from) {
    case S::CAMPAIGN_STATUS_DRAFT: return to == S::CAMPAIGN_STATUS_ACTIVE || to == S::CAMPAIGN_STATUS_ARCHIVED;
    case S::CAMPAIGN_STATUS_ACTIVE: return to == S::CAMPAIGN_STATUS_PAUSED || to == S::CAMPAIGN_STATUS_COMPLETED;
    case S::CAMPAIGN_STATUS_PAUSED: return to == S::CAMPAIGN_STATUS_ACTIVE || to == S::CAMPAIGN_STATUS_COMPLETED;
    case S::CAMPAIGN_STATUS_COMPLETED: return to == S::CAMPAIGN_STATUS_ARCHIVED;
    default: return false;
  }
}

bool TakesPosts(v1::CampaignStatus s) {
  return s == v1::CAMPAIGN_STATUS_DRAFT || s == v1::CAMPAIGN_STATUS_ACTIVE || s == v1::CAMPAIGN_STATUS_PAUSED;
}

bool Editable(v1::CampaignStatus s) { return TakesPosts(s); }

std::string StatusName(v1::CampaignStatus s) {
  std::string name = v1::CampaignStatus_Name(s);
  return name.size() > 16 ? name.substr(16) : name;
}

}  // namespace herald::campaign
