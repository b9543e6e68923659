#include "common/time_util.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "absl/time/time.h"

namespace herald {

bool ValidTimestamp(const google::protobuf::Timestamp& ts) {
  constexpr int64_t kMin = -62135596800;  // 0001-01-01T00:00:00Z
  constexpr int64_t kMax = 253402300799;  // 9999-12-31T23:59:59Z
  return ts.seconds() >= kMin && ts.seconds() <= kMax && ts.nanos() >= 0 && ts.nanos() < 1'000'000'000;
}

bool IsIanaZone(const std::string& name) {
  if (name.empty() || name.size() > 64 || name == "localtime" || name[0] == '/' || name[0] == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
              c == '-' || c == '+';
    if (!ok) return false;
  }
  if (name.find("..") != std::string::npos || name.find("//") != std::string::npos) return false;
  absl::TimeZone tz;
  return absl::LoadTimeZone(name, &tz);
}

int64_t ParseRfc3339Ms(const std::string& s) {
  std::tm tm{};
  const char* rest = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) return 0;
  int64_t ms = static_cast<int64_t>(timegm(&tm)) * 1000;
  if (*rest == '.') ms += std::atoi(std::string(rest + 1, std::min<size_t>(3, std::strlen(rest + 1))).c_str());
  return ms;  // offsets other than Z / +0000 are not used by the networks Herald reads
}

std::string FormatRfc3339(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
  return buf;
}

std::optional<absl::TimeZone> LoadZone(const std::string& name) {
  // IANA names only: never a file path or "localtime".
  absl::TimeZone tz;
  if (!IsIanaZone(name) || !absl::LoadTimeZone(name, &tz)) return std::nullopt;
  return tz;
}

}  // namespace herald
