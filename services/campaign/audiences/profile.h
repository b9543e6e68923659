#pragma once
// An audience profile: someone the brand has heard from or knows. Social
// profiles are keyed by (network, author) and built from mentions and
// replies; CRM profiles by the hash of a customer id or e-mail, from imports
// and from the conversions that name the customer. What segments are
// evaluated over: plain values, no I/O.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace herald::campaign {

struct Profile {
  std::string id;        // "<network>:<author>" or "crm:<hash>"
  std::string network;   // "x", "mastodon", … or "crm"
  std::string country;   // ISO 3166-1 alpha-2 ("" unknown)
  std::string language;  // ISO 639-1 ("" unknown)
  int64_t followers = -1;  // unknown
  int64_t mentions = 0, replies = 0, clicks = 0, conversions = 0;
  // Sum of VADER compound scores (thousandths) over `scored` mentions.
  int64_t sentiment_milli = 0, scored = 0;
  int64_t last_engaged_ms = 0;  // 0: never
  // Sorted, for binary search.
  std::vector<std::string> tags;
  std::vector<std::string> campaigns;  // engaged with (clicked, mentioned in reply)
  std::vector<std::string> converted;  // campaigns a conversion of theirs was credited to
  std::vector<std::pair<std::string, std::string>> attributes;  // CRM columns, sorted by name

  double sentiment() const { return scored > 0 ? static_cast<double>(sentiment_milli) / 1000.0 / static_cast<double>(scored) : 0; }
};

}  // namespace herald::campaign
