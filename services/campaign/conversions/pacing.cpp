#include "campaign/conversions/pacing.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "campaign/conversions/conversion_rules.h"
#include "common/ids.h"
#include "common/time_util.h"

namespace herald::campaign {

DayWindow LocalDayWindow(const LocalDate& day, const absl::TimeZone& zone) {
  absl::CivilDay d(day.year, day.month, day.day);
  // The first instant of a day: a zone that skips midnight starts it at the
  // end of the gap (that is what .pre would name, so take trans instead).
  auto start = zone.At(absl::CivilSecond(d));
  auto next = zone.At(absl::CivilSecond(d + 1));
  absl::Time s = start.kind == absl::TimeZone::TimeInfo::SKIPPED ? start.trans : start.pre;
  absl::Time e = next.kind == absl::TimeZone::TimeInfo::SKIPPED ? next.trans : next.pre;
  return {absl::ToUnixMillis(s), absl::ToUnixMillis(e)};
}

std::string LocalDayOf(int64_t ms, const absl::TimeZone& zone) {
  absl::CivilDay d = absl::ToCivilDay(absl::FromUnixMillis(ms), zone);
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

absl::TimeZone CampaignZone(const v1::Campaign& campaign) {
  if (!campaign.time_zone().empty()) {
    if (auto zone = LoadZone(campaign.time_zone())) return *zone;
  }
  return absl::UTCTimeZone();
}

Pace JudgePace(const PaceInput& in, double tolerance) {
  Pace p;
  const int64_t length = std::max<int64_t>(1, in.day.end_ms - in.day.start_ms);
  const int64_t gone = std::clamp<int64_t>(in.now_ms - in.day.start_ms, 0, length);
  p.elapsed = static_cast<double>(gone) / static_cast<double>(length);
  // Integer arithmetic: exact to the micro (rounded down), whole on a finished day.
  p.planned_micros = static_cast<int64_t>(static_cast<__int128>(in.daily_budget_micros) * gone / length);
  const bool total_over = in.total_budget_micros > 0 && in.total_spend_micros > in.total_budget_micros;
  const bool daily_over = in.daily_budget_micros > 0 && in.day_spend_micros > in.daily_budget_micros;
  const double allowed = static_cast<double>(p.planned_micros) + tolerance * static_cast<double>(in.daily_budget_micros);
  const bool ahead = in.daily_budget_micros > 0 && !daily_over && static_cast<double>(in.day_spend_micros) > allowed;
  if (total_over) p.alerts.push_back("total_exceeded");
  if (daily_over) p.alerts.push_back("daily_exceeded");
  if (ahead) p.alerts.push_back("ahead_of_pace");
  if (total_over) {
    p.state = v1::PACING_STATE_TOTAL_EXCEEDED;
  } else if (daily_over) {
    p.state = v1::PACING_STATE_DAILY_EXCEEDED;
  } else if (in.daily_budget_micros <= 0) {
    p.state = v1::PACING_STATE_NO_BUDGET;
  } else {
    p.state = ahead ? v1::PACING_STATE_AHEAD_OF_PACE : v1::PACING_STATE_ON_PACE;
  }
  return p;
}

FieldErrors ValidateRecordSpend(const v1::RecordSpendRequest& request) {
  FieldErrors errors;
  if (request.entries().empty()) errors.Add("entries", "at least one is required");
  if (request.entries_size() > kMaxSpendPerCall) {
    errors.Add("entries", "at most 500 per call");
    return errors;
  }
  for (int i = 0; i < request.entries_size(); ++i) {
    const auto& e = request.entries(i);
    const std::string at = "entries[" + std::to_string(i) + "]";
    if (!IsValidId(e.campaign_id())) errors.Add(at + ".campaign_id", "want 1-64 of [A-Za-z0-9_-]");
    if (!IsValidId(e.channel_id())) errors.Add(at + ".channel_id", "want 1-64 of [A-Za-z0-9_-]");
    if (!ParseDate(e.day())) errors.Add(at + ".day", "want a date YYYY-MM-DD in 2000-2100");
    if (e.amount_micros() < 0 || e.amount_micros() > kMaxMoneyMicros) errors.Add(at + ".amount_micros", "want 0 to 10^15");
    if (e.currency().size() != 3 ||
        !std::all_of(e.currency().begin(), e.currency().end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
      errors.Add(at + ".currency", "want an ISO 4217 code such as EUR");
    }
  }
  return errors;
}

void CheckSpend(const v1::SpendInput& entry, const v1::Campaign& campaign, int64_t now_ms, const std::string& at,
                FieldErrors& errors) {
  const std::string& currency = campaign.has_budget() ? campaign.budget().currency()
                                                      : (campaign.has_daily_budget() ? campaign.daily_budget().currency() : "");
  if (!currency.empty() && entry.currency() != currency) {
    errors.Add(at + ".currency", "the campaign's budget is in " + currency);
  }
  if (!campaign.channel_ids().empty() &&
      std::find(campaign.channel_ids().begin(), campaign.channel_ids().end(), entry.channel_id()) ==
          campaign.channel_ids().end()) {
    errors.Add(at + ".channel_id", "not one of the campaign's channels");
  }
  auto day = ParseDate(entry.day());
  if (!day) return;
  if (!campaign.start_date().empty() && entry.day() < campaign.start_date()) {
    errors.Add(at + ".day", "before the campaign's flight (starts " + campaign.start_date() + ")");
  }
  if (!campaign.end_date().empty() && entry.day() > campaign.end_date()) {
    errors.Add(at + ".day", "after the campaign's flight (ends " + campaign.end_date() + ")");
  }
  if (entry.day() > LocalDayOf(now_ms, CampaignZone(campaign))) {
    errors.Add(at + ".day", "in the future of the campaign's time zone");
  }
}

}  // namespace herald::campaign
