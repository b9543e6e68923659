#pragma once
#include <google/protobuf/timestamp.pb.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"

namespace herald {

inline int64_t ToMs(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000 + ts.nanos() / 1'000'000;
}

inline google::protobuf::Timestamp FromMs(int64_t ms) {
  google::protobuf::Timestamp ts;
  int64_t s = ms / 1000, rem = ms % 1000;
  if (rem < 0) {
    rem += 1000;
    --s;
  }
  ts.set_seconds(s);
  ts.set_nanos(static_cast<int32_t>(rem * 1'000'000));
  return ts;
}

// Between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999999Z with nanos
// in [0, 1e9): what google.protobuf.Timestamp allows (and ms arithmetic on it
// cannot overflow).
bool ValidTimestamp(const google::protobuf::Timestamp& ts);

// An IANA zone name ("Europe/Berlin", "UTC") that tzdata knows. Refuses what
// a loader would also take but is not a zone name: paths ("/etc/localtime",
// "../x"), "localtime", empty or over-long names.
bool IsIanaZone(const std::string& name);
// The zone by its IANA name; nullopt for anything IsIanaZone refuses or
// tzdata does not know.
std::optional<absl::TimeZone> LoadZone(const std::string& name);

// RFC 3339 in UTC with milliseconds, e.g. 2026-11-28T10:50:52.123Z.
std::string FormatRfc3339(int64_t ms);
// "2026-11-28T09:00:00Z", "...00.123Z", "...+0000" (as the networks write
// UTC) → unix ms; 0 when unreadable.
int64_t ParseRfc3339Ms(const std::string& text);

}  // namespace herald
