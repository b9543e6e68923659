#pragma once
// What a profile is made of and keyed by; no I/O.
//   social: "<network>:<author>" (author lowercased), from mentions
//   CRM:    "crm:<32 hex>", the workspace's hash of the customer id (the
//           same hash conversions carry, so the two meet) or, without one,
//           of the e-mail's SHA-256
// Profiles are kept as Redis hashes (profile_store.h); the field names are
// here so every writer and reader agrees.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "campaign/audiences/profile.h"
#include "common/status.h"
#include "herald/campaign/v1/audiences.pb.h"

namespace herald::campaign {

inline constexpr int kMaxProfileTags = 20;
inline constexpr int kMaxProfileAttributes = 50;
inline constexpr size_t kMaxAttributeValueBytes = 256;
inline constexpr size_t kMaxAuthorBytes = 256;
inline constexpr size_t kMaxProfileCsvBytes = 1 << 20;
inline constexpr int kMaxProfileStreamRows = 100000;
// A profile remembers at most this many campaigns of each kind.
inline constexpr int kMaxProfileCampaigns = 50;

// Hash fields.
namespace pf {
inline constexpr char kNetwork[] = "net";
inline constexpr char kAuthor[] = "au";
inline constexpr char kCountry[] = "co";
inline constexpr char kLanguage[] = "lang";
inline constexpr char kFollowers[] = "fol";
inline constexpr char kMentions[] = "men";
inline constexpr char kReplies[] = "rep";
inline constexpr char kClicks[] = "clk";
inline constexpr char kConversions[] = "cvn";
inline constexpr char kSentimentMilli[] = "sen";
inline constexpr char kScored[] = "scd";
inline constexpr char kLastEngaged[] = "last";
inline constexpr char kTags[] = "tags";            // comma-joined
inline constexpr char kCampaigns[] = "cmp";        // comma-joined
inline constexpr char kConverted[] = "cvc";        // comma-joined
inline constexpr char kAttributePrefix[] = "a:";   // a:<column>
}  // namespace pf

// nullopt when the author is empty or too long.
std::optional<std::string> SocialProfileId(const std::string& network, const std::string& author);
std::string CrmProfileId(const std::string& customer_hash);
// SHA-256 (hex) of the trimmed, lowercased address.
std::string EmailSha256(const std::string& email);

// A row's own fields; names each bad one (prefix: "" or "row 3: ").
FieldErrors ValidateProfileRow(const v1::ProfileRow& row);
// Replaces a row's e-mail by its hash: done as soon as a row is read.
void HashEmail(v1::ProfileRow& row);
// The CRM profile a row is about (after ValidateProfileRow).
std::string RowProfileId(const std::string& workspace_id, const v1::ProfileRow& row);
// The CRM fields a row sets (every other CRM field of the profile is removed).
std::vector<std::pair<std::string, std::string>> RowFields(const v1::ProfileRow& row);

// CSV → rows: the header names the columns (customer_id, email,
// email_sha256, country, language, tags "a;b", followers; any other column
// is an attribute). INVALID_ARGUMENT names the line (and column) of the first problem,
// every row checked before any is returned.
absl::StatusOr<std::vector<v1::ProfileRow>> RowsFromCsv(const std::string& workspace_id, const std::string& csv);

// A stored hash as a Profile (id given), and as the API shows it.
Profile ProfileFromFields(const std::string& id, const std::vector<std::pair<std::string, std::string>>& fields);
v1::Profile ToProto(const Profile& profile, const std::string& author);

}  // namespace herald::campaign
