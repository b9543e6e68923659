#include "analytics/metrics/read_schedule.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace herald::analytics {

absl::StatusOr<std::vector<int64_t>> ParseReadAges(const std::string& text) {
  std::vector<int64_t> out;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    if (part.size() < 2) return absl::InvalidArgumentError("read ages: \"" + std::string(part) + "\" is not an age");
    int64_t n = 0;
    if (!absl::SimpleAtoi(part.substr(0, part.size() - 1), &n) || n <= 0 || n > 100000) {
      return absl::InvalidArgumentError("read ages: \"" + std::string(part) + "\" is not an age");
    }
    char unit = part.back();
    int64_t ms = unit == 's' ? 1000 : unit == 'm' ? 60000 : unit == 'h' ? 3600000 : unit == 'd' ? 86400000 : 0;
    if (ms == 0) return absl::InvalidArgumentError("read ages: units are s, m, h, d");
    if (!out.empty() && n * ms <= out.back()) return absl::InvalidArgumentError("read ages must ascend");
    out.push_back(n * ms);
  }
  if (out.empty() || out.size() > 20) return absl::InvalidArgumentError("read ages: 1-20 of them");
  return out;
}

std::optional<int64_t> NextRead(int64_t published_ms, const std::vector<int64_t>& ages_ms, int64_t now_ms) {
  for (int64_t age : ages_ms) {
    if (published_ms + age > now_ms) return published_ms + age;
  }
  return std::nullopt;
}

}  // namespace herald::analytics
