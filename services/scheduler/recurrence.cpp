#include "scheduler/recurrence.h"

#include "common/time_util.h"

#include <algorithm>
#include <charconv>


namespace herald::scheduler {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (size_t start = 0;;) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

absl::Status Bad(const std::string& what) { return absl::InvalidArgumentError("recurrence.rrule: " + what); }

std::optional<int> ParseInt(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<absl::Weekday> ParseDay(std::string_view s) {
  static const std::pair<const char*, absl::Weekday> kDays[] = {
      {"MO", absl::Weekday::monday}, {"TU", absl::Weekday::tuesday},  {"WE", absl::Weekday::wednesday},
      {"TH", absl::Weekday::thursday}, {"FR", absl::Weekday::friday}, {"SA", absl::Weekday::saturday},
      {"SU", absl::Weekday::sunday}};
  for (const auto& [name, day] : kDays) {
    if (s == name) return day;
  }
  return std::nullopt;
}

absl::Status ParseIntList(std::string_view value, int lo, int hi, bool allow_negative, const char* name,
                          std::vector<int>& out) {
  for (std::string_view part : Split(value, ',')) {
    auto v = ParseInt(part);
    bool ok = v && ((*v >= lo && *v <= hi) || (allow_negative && *v <= -lo && *v >= -hi));
    if (!ok) return Bad(std::string(name) + "=" + std::string(value) + " is out of range");
    out.push_back(*v);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return absl::OkStatus();
}

int DaysInMonth(absl::CivilMonth m) {
  return static_cast<int>(absl::CivilDay(m + 1) - absl::CivilDay(m));
}

int WeekdayIndex(absl::Weekday d) {  // Monday = 0
  return static_cast<int>(d);
}

bool Contains(const std::vector<absl::Weekday>& v, absl::Weekday d) { return std::find(v.begin(), v.end(), d) != v.end(); }

bool MonthDayMatches(const std::vector<int>& by_month_day, absl::CivilDay day) {
  if (by_month_day.empty()) return true;
  int dim = DaysInMonth(absl::CivilMonth(day));
  for (int md : by_month_day) {
    int target = md > 0 ? md : dim + md + 1;
    if (target == day.day()) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<RRule> ParseRRule(std::string_view text) {
  if (text.rfind("RRULE:", 0) == 0) text.remove_prefix(6);
  if (text.empty()) return Bad("empty");
  RRule rule;
  bool has_freq = false;
  for (std::string_view part : Split(text, ';')) {
    auto eq = part.find('=');
    if (eq == std::string_view::npos) return Bad("'" + std::string(part) + "' is not NAME=VALUE");
    std::string_view name = part.substr(0, eq), value = part.substr(eq + 1);
    if (name == "FREQ") {
      has_freq = true;
      if (value == "DAILY") rule.freq = RRule::Freq::kDaily;
      else if (value == "WEEKLY") rule.freq = RRule::Freq::kWeekly;
      else if (value == "MONTHLY") rule.freq = RRule::Freq::kMonthly;
      else return Bad("FREQ=" + std::string(value) + " is not supported (DAILY, WEEKLY, MONTHLY)");
    } else if (name == "INTERVAL") {
      auto v = ParseInt(value);
      if (!v || *v < 1 || *v > 1000) return Bad("INTERVAL must be 1..1000");
      rule.interval = *v;
    } else if (name == "BYDAY") {
      for (std::string_view d : Split(value, ',')) {
        auto day = ParseDay(d);
        if (!day) return Bad("BYDAY=" + std::string(value) + ": want MO,TU,WE,TH,FR,SA,SU (no ordinals)");
        if (!Contains(rule.by_day, *day)) rule.by_day.push_back(*day);
      }
    } else if (name == "BYMONTHDAY") {
      if (auto s = ParseIntList(value, 1, 31, true, "BYMONTHDAY", rule.by_month_day); !s.ok()) return s;
    } else if (name == "BYHOUR") {
      if (auto s = ParseIntList(value, 0, 23, false, "BYHOUR", rule.by_hour); !s.ok()) return s;
    } else if (name == "BYMINUTE") {
      if (auto s = ParseIntList(value, 0, 59, false, "BYMINUTE", rule.by_minute); !s.ok()) return s;
    } else if (name == "COUNT") {
      auto v = ParseInt(value);
      if (!v || *v < 1 || *v > 100000) return Bad("COUNT must be 1..100000");
      rule.count = *v;
    } else if (name == "UNTIL") {
      absl::CivilSecond cs;
      std::string v(value);
      if (v.size() != 16 || v[8] != 'T' || v[15] != 'Z') return Bad("UNTIL must look like 20261231T235959Z");
      auto y = ParseInt(v.substr(0, 4)), mo = ParseInt(v.substr(4, 2)), d = ParseInt(v.substr(6, 2)),
           h = ParseInt(v.substr(9, 2)), mi = ParseInt(v.substr(11, 2)), s = ParseInt(v.substr(13, 2));
      if (!y || !mo || !d || !h || !mi || !s) return Bad("UNTIL must look like 20261231T235959Z");
      cs = absl::CivilSecond(*y, *mo, *d, *h, *mi, *s);
      if (cs.month() != *mo || cs.day() != *d || cs.hour() != *h) return Bad("UNTIL is not a valid date");
      rule.until_ms = absl::ToUnixMillis(absl::FromCivil(cs, absl::UTCTimeZone()));
    } else if (name == "WKST") {
      if (value != "MO") return Bad("only WKST=MO is supported");
    } else {
      return Bad(std::string(name) + " is not supported");
    }
  }
  if (!has_freq) return Bad("FREQ is required");
  if (rule.count && rule.until_ms) return Bad("COUNT and UNTIL cannot both be given");
  return rule;
}

int64_t LocalToUnixMs(absl::CivilMinute local, const absl::TimeZone& zone) {
  // For a skipped time, `pre` applies the offset in force before the gap,
  // which lands after it (02:30 → 03:30); for a repeated time it is the first.
  return absl::ToUnixMillis(zone.At(absl::CivilSecond(local)).pre);
}

std::vector<int64_t> Occurrences(const RRule& rule, absl::CivilMinute dtstart, const absl::TimeZone& zone,
                                 int64_t after_ms, size_t max) {
  std::vector<int64_t> out;
  std::vector<int> hours = rule.by_hour.empty() ? std::vector<int>{dtstart.hour()} : rule.by_hour;
  std::vector<int> minutes = rule.by_minute.empty() ? std::vector<int>{dtstart.minute()} : rule.by_minute;
  int produced = 0;  // counted from dtstart, for COUNT

  // Emits one day's times; false once the series has ended.
  auto emit_day = [&](absl::CivilDay day) {
    for (int h : hours) {
      for (int m : minutes) {
        absl::CivilMinute local(day.year(), day.month(), day.day(), h, m);
        if (local < dtstart) continue;
        int64_t at = LocalToUnixMs(local, zone);
        if (rule.until_ms && at > *rule.until_ms) return false;
        ++produced;
        if (at > after_ms) out.push_back(at);
        if (rule.count && produced >= *rule.count) return false;
        if (out.size() >= max) return false;
      }
    }
    return true;
  };

  absl::CivilDay start_day(dtstart);
  // A bound on empty periods (e.g. BYMONTHDAY=31 with INTERVAL=2 that never hits).
  for (int period = 0, empty = 0; empty < 2000; ++period) {
    bool any = false, more = true;
    if (rule.freq == RRule::Freq::kDaily) {
      absl::CivilDay day = start_day + static_cast<int64_t>(period) * rule.interval;
      if ((rule.by_day.empty() || Contains(rule.by_day, absl::GetWeekday(day))) &&
          MonthDayMatches(rule.by_month_day, day)) {
        any = true;
        more = emit_day(day);
      }
    } else if (rule.freq == RRule::Freq::kWeekly) {
      absl::CivilDay week_start = start_day - WeekdayIndex(absl::GetWeekday(start_day));
      week_start += static_cast<int64_t>(period) * 7 * rule.interval;
      std::vector<absl::Weekday> days = rule.by_day.empty() ? std::vector<absl::Weekday>{absl::GetWeekday(start_day)}
                                                            : rule.by_day;
      std::sort(days.begin(), days.end(), [](auto a, auto b) { return WeekdayIndex(a) < WeekdayIndex(b); });
      for (auto d : days) {
        absl::CivilDay day = week_start + WeekdayIndex(d);
        if (!MonthDayMatches(rule.by_month_day, day)) continue;
        any = true;
        if (!(more = emit_day(day))) break;
      }
    } else {
      absl::CivilMonth month = absl::CivilMonth(start_day) + static_cast<int64_t>(period) * rule.interval;
      int dim = DaysInMonth(month);
      std::vector<int> days;
      if (!rule.by_month_day.empty()) {
        for (int md : rule.by_month_day) {
          int d = md > 0 ? md : dim + md + 1;
          if (d >= 1 && d <= dim) days.push_back(d);  // the 31st is skipped in shorter months
        }
      } else if (!rule.by_day.empty()) {
        for (int d = 1; d <= dim; ++d) {
          if (Contains(rule.by_day, absl::GetWeekday(absl::CivilDay(month.year(), month.month(), d)))) days.push_back(d);
        }
      } else {
        if (start_day.day() <= dim) days.push_back(start_day.day());
      }
      std::sort(days.begin(), days.end());
      days.erase(std::unique(days.begin(), days.end()), days.end());
      for (int d : days) {
        absl::CivilDay day(month.year(), month.month(), d);
        if (!rule.by_month_day.empty() && !rule.by_day.empty() && !Contains(rule.by_day, absl::GetWeekday(day))) {
          continue;
        }
        any = true;
        if (!(more = emit_day(day))) break;
      }
    }
    if (!more) break;
    empty = any ? 0 : empty + 1;
  }
  return out;
}

std::vector<int64_t> NextSlotTimes(const std::vector<QueueSlot>& plan, const absl::TimeZone& zone, int64_t from_ms,
                                   size_t n) {
  std::vector<int64_t> out;
  if (plan.empty() || n == 0) return out;
  absl::CivilDay day(absl::ToCivilDay(absl::FromUnixMillis(from_ms), zone));
  for (int i = 0; i < 7 * 520 && out.size() < n; ++i, ++day) {
    std::vector<int64_t> today;
    for (const auto& s : plan) {
      if (absl::GetWeekday(day) != s.day) continue;
      int64_t at = LocalToUnixMs(absl::CivilMinute(day.year(), day.month(), day.day(), s.hour, s.minute), zone);
      if (at >= from_ms) today.push_back(at);
    }
    std::sort(today.begin(), today.end());
    for (int64_t t : today) {
      if (out.size() < n && (out.empty() || t != out.back())) out.push_back(t);
    }
  }
  return out;
}

}  // namespace herald::scheduler
