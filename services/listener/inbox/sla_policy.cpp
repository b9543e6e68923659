#include "listener/inbox/sla_policy.h"

#include <algorithm>

#include "common/status.h"
#include "common/time_util.h"
#include "listener/rules/rule_rules.h"

namespace herald::listener {

namespace {

constexpr int kMaxRules = 20;
constexpr int kMaxHolidays = 100;
constexpr int64_t kMaxTargetSeconds = 366LL * 24 * 3600;

bool ParseDay(const std::string& text, absl::CivilDay* day) {
  return text.size() == 10 && absl::ParseCivilTime(text, day);
}

}  // namespace

absl::StatusOr<CompiledSlaPolicy> CompiledSlaPolicy::Compile(const v1::SlaPolicy& policy) {
  // Counts first: nothing inside a policy that has too many is looked at.
  if (policy.rules_size() > kMaxRules) return absl::InvalidArgumentError("policy.rules: at most 20");
  if (policy.hours_size() > 7 * 24) return absl::InvalidArgumentError("policy.hours: at most 168 intervals");
  if (policy.holidays_size() > kMaxHolidays) return absl::InvalidArgumentError("policy.holidays: at most 100");
  FieldErrors errors;
  for (int i = 0; i < policy.rules_size() && i < kMaxRules; ++i) {
    const auto& r = policy.rules(i);
    const std::string at = "policy.rules[" + std::to_string(i) + "]";
    if (!r.tag().empty() && !IsTag(r.tag())) errors.Add(at + ".tag", "1-32 of [a-z0-9_-], or empty for any");
    const auto& t = r.targets();
    for (auto [name, value] : {std::pair{"first_response_seconds", t.first_response_seconds()},
                               std::pair{"next_response_seconds", t.next_response_seconds()},
                               std::pair{"resolution_seconds", t.resolution_seconds()}}) {
      if (value < 0 || value > kMaxTargetSeconds) errors.Add(at + ".targets." + name, "must be 0..31622400 (a year)");
    }
  }
  if (policy.warn_at_percent() < 0 || policy.warn_at_percent() > 99) {
    errors.Add("policy.warn_at_percent", "must be 1..99 (0 means 80)");
  }
  std::optional<absl::TimeZone> zone;
  if (!policy.time_zone().empty()) {
    zone = LoadZone(policy.time_zone());
    if (!zone) errors.Add("policy.time_zone", "not an IANA time zone tzdata knows");
  } else if (policy.hours_size() > 0) {
    errors.Add("policy.time_zone", "required with hours");
  }
  std::array<std::vector<std::pair<int, int>>, 7> week;
  for (int i = 0; i < policy.hours_size() && i < 7 * 24; ++i) {
    const auto& h = policy.hours(i);
    const std::string at = "policy.hours[" + std::to_string(i) + "]";
    if (h.weekday() < 1 || h.weekday() > 7) {
      errors.Add(at + ".weekday", "must be 1 (Monday) .. 7 (Sunday)");
    } else if (h.start_minute() < 0 || h.start_minute() > 1439) {
      errors.Add(at + ".start_minute", "must be 0..1439");
    } else if (h.end_minute() <= h.start_minute() || h.end_minute() > 1440) {
      errors.Add(at + ".end_minute", "must be after start_minute, at most 1440");
    } else {
      week[static_cast<size_t>(h.weekday() - 1)].emplace_back(h.start_minute(), h.end_minute());
    }
  }
  std::set<absl::CivilDay> holidays;
  for (int i = 0; i < policy.holidays_size() && i < kMaxHolidays; ++i) {
    absl::CivilDay day;
    if (!ParseDay(policy.holidays(i), &day)) {
      errors.Add("policy.holidays[" + std::to_string(i) + "]", "must be a date, YYYY-MM-DD");
    } else {
      holidays.insert(day);
    }
  }
  if (!errors.ok()) return absl::InvalidArgumentError(errors.Message());

  CompiledSlaPolicy out;
  out.policy_ = policy;
  out.warn_at_ = policy.warn_at_percent() == 0 ? 0.8 : policy.warn_at_percent() / 100.0;
  if (policy.hours_size() > 0) {
    for (auto& day : week) std::sort(day.begin(), day.end());
    auto hours = BusinessHours::Weekly(*zone, std::move(week), std::move(holidays));
    if (!hours.ok()) return absl::InvalidArgumentError("policy.hours: " + std::string(hours.status().message()));
    out.hours_ = *std::move(hours);
  } else if (!holidays.empty()) {
    // Holidays need a zone to say when a day is: around-the-clock hours with them.
    std::array<std::vector<std::pair<int, int>>, 7> always;
    for (auto& day : always) day.emplace_back(0, 1440);
    auto hours = BusinessHours::Weekly(zone.value_or(absl::UTCTimeZone()), std::move(always), std::move(holidays));
    if (!hours.ok()) return absl::InvalidArgumentError("policy.holidays: " + std::string(hours.status().message()));
    out.hours_ = *std::move(hours);
  }
  return out;
}

SlaPolicy CompiledSlaPolicy::For(v1::ConversationPriority priority,
                                 const google::protobuf::RepeatedPtrField<std::string>& tags) const {
  SlaPolicy out;
  out.warn_at = warn_at_;
  for (const auto& r : policy_.rules()) {
    if (priority < r.min_priority()) continue;
    if (!r.tag().empty() && std::find(tags.begin(), tags.end(), r.tag()) == tags.end()) continue;
    out.targets.first_response_ms = r.targets().first_response_seconds() * 1000;
    out.targets.next_response_ms = r.targets().next_response_seconds() * 1000;
    out.targets.resolution_ms = r.targets().resolution_seconds() * 1000;
    break;
  }
  return out;
}

}  // namespace herald::listener
