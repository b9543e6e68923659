#include "campaign/audiences/profile_rules.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "campaign/conversions/conversion_rules.h"
#include "common/csv.h"
#include "common/hmac.h"
#include "common/time_util.h"

namespace herald::campaign {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool AllOf(const std::string& s, bool (*ok)(char)) { return !s.empty() && std::all_of(s.begin(), s.end(), ok); }
bool Upper(char c) { return c >= 'A' && c <= 'Z'; }
bool LowerAlpha(char c) { return c >= 'a' && c <= 'z'; }
bool Hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool TagChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == ':' || c == '-'; }
bool NameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

std::vector<std::string> SplitList(const std::string& joined) {
  std::vector<std::string> out;
  if (joined.empty()) return out;
  for (auto part : absl::StrSplit(joined, ',')) {
    if (!part.empty()) out.emplace_back(part);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

int64_t Int(const std::string& s, int64_t fallback = 0) {
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  return end == s.c_str() ? fallback : v;
}

}  // namespace

std::optional<std::string> SocialProfileId(const std::string& network, const std::string& author) {
  if (author.empty() || author.size() > kMaxAuthorBytes || network.empty()) return std::nullopt;
  return Lower(network) + ":" + Lower(author);
}

std::string CrmProfileId(const std::string& customer_hash) { return "crm:" + customer_hash; }

std::string EmailSha256(const std::string& email) {
  size_t a = email.find_first_not_of(" \t\r\n"), b = email.find_last_not_of(" \t\r\n");
  return Sha256Hex(a == std::string::npos ? "" : Lower(email.substr(a, b - a + 1)));
}

FieldErrors ValidateProfileRow(const v1::ProfileRow& row) {
  FieldErrors errors;
  if (!row.customer_id().empty() && !IsCustomerId(row.customer_id())) {
    errors.Add("customer_id", "want 1-256 printable ASCII characters, no spaces");
  }
  if (row.email().size() > 320 || (!row.email().empty() && row.email().find('@') == std::string::npos)) {
    errors.Add("email", "not an e-mail address");
  }
  if (!row.email_sha256().empty() && (row.email_sha256().size() != 64 || !AllOf(row.email_sha256(), Hex))) {
    errors.Add("email_sha256", "want 64 lowercase hex (SHA-256 of the trimmed, lowercased address)");
  }
  if (row.customer_id().empty() && row.email().empty() && row.email_sha256().empty()) {
    errors.Add("customer_id", "a row names a customer_id, an email or an email_sha256");
  }
  if (!row.country().empty() && (row.country().size() != 2 || !AllOf(row.country(), Upper))) {
    errors.Add("country", "want ISO 3166-1 alpha-2 in capitals, such as DE");
  }
  if (!row.language().empty() && (row.language().size() != 2 || !AllOf(row.language(), LowerAlpha))) {
    errors.Add("language", "want ISO 639-1 in lowercase, such as de");
  }
  if (row.tags_size() > kMaxProfileTags) errors.Add("tags", "at most 20");
  for (int i = 0; i < row.tags_size() && i < kMaxProfileTags; ++i) {
    if (row.tags(i).size() > 64 || !AllOf(row.tags(i), TagChar)) {
      errors.Add("tags[" + std::to_string(i) + "]", "want 1-64 of [a-z0-9_:-]");
    }
  }
  if (row.attributes_size() > kMaxProfileAttributes) {
    errors.Add("attributes", "at most 50");
  } else {
    for (const auto& [name, value] : row.attributes()) {
      if (name.size() > 64 || !AllOf(name, NameChar)) {
        errors.Add("attributes", "a column name is not 1-64 of [A-Za-z0-9_-]");
      } else if (value.size() > kMaxAttributeValueBytes) {
        errors.Add("attributes[" + name + "]", "at most 256 bytes");
      }
    }
  }
  return errors;
}

void HashEmail(v1::ProfileRow& row) {
  if (!row.email().empty() && row.email_sha256().empty()) row.set_email_sha256(EmailSha256(row.email()));
  row.clear_email();
}

std::string RowProfileId(const std::string& workspace_id, const v1::ProfileRow& row) {
  if (!row.customer_id().empty()) return CrmProfileId(CustomerHash(workspace_id, row.customer_id()));
  const std::string email = row.email_sha256().empty() ? EmailSha256(row.email()) : row.email_sha256();
  return CrmProfileId(CustomerHash(workspace_id, "email:" + email));
}

std::vector<std::pair<std::string, std::string>> RowFields(const v1::ProfileRow& row) {
  std::vector<std::pair<std::string, std::string>> f;
  if (!row.country().empty()) f.emplace_back(pf::kCountry, row.country());
  if (!row.language().empty()) f.emplace_back(pf::kLanguage, row.language());
  std::set<std::string> tags(row.tags().begin(), row.tags().end());
  if (!tags.empty()) f.emplace_back(pf::kTags, absl::StrJoin(tags, ","));
  std::map<std::string, std::string> attrs(row.attributes().begin(), row.attributes().end());
  if (auto it = attrs.find("followers"); it != attrs.end()) {
    f.emplace_back(pf::kFollowers, std::to_string(std::max<int64_t>(0, Int(it->second))));
    attrs.erase(it);
  }
  for (const auto& [name, value] : attrs) f.emplace_back(std::string(pf::kAttributePrefix) + name, value);
  return f;
}

absl::StatusOr<std::vector<v1::ProfileRow>> RowsFromCsv(const std::string& workspace_id, const std::string& csv) {
  if (csv.size() > kMaxProfileCsvBytes) return absl::InvalidArgumentError("csv: larger than 1 MiB; split the file");
  auto table = ParseCsv(csv, {.max_rows = 100001, .max_fields = kMaxProfileAttributes + 7, .max_field_bytes = 512});
  if (!table.ok()) return absl::InvalidArgumentError("csv: " + std::string(table.status().message()));
  if (table->empty()) return absl::InvalidArgumentError("csv: no header row");
  const auto& header = (*table)[0];
  std::set<std::string> seen;
  for (size_t c = 0; c < header.size(); ++c) {
    if (!seen.insert(header[c]).second) {
      return absl::InvalidArgumentError("csv: line 1, column " + std::to_string(c + 1) + ": '" + header[c] + "' named twice");
    }
  }
  std::vector<v1::ProfileRow> rows;
  for (size_t r = 1; r < table->size(); ++r) {
    const auto& cells = (*table)[r];
    v1::ProfileRow row;
    row.set_workspace_id(workspace_id);
    for (size_t c = 0; c < header.size() && c < cells.size(); ++c) {
      const std::string& name = header[c];
      const std::string& v = cells[c];
      if (v.empty()) continue;
      if (name == "customer_id") {
        row.set_customer_id(v);
      } else if (name == "email") {
        row.set_email(v);
      } else if (name == "email_sha256") {
        row.set_email_sha256(v);
      } else if (name == "country") {
        row.set_country(v);
      } else if (name == "language") {
        row.set_language(v);
      } else if (name == "tags") {
        for (auto t : absl::StrSplit(v, ';')) {
          if (!t.empty()) row.add_tags(std::string(t));
        }
      } else {
        (*row.mutable_attributes())[name] = v;
      }
    }
    FieldErrors errors = ValidateProfileRow(row);
    if (!errors.ok()) {
      // Reported without the values (an e-mail is not echoed back).
      return absl::InvalidArgumentError("csv: line " + std::to_string(r + 1) + ": " + errors.Message());
    }
    HashEmail(row);
    rows.push_back(std::move(row));
  }
  return rows;
}

Profile ProfileFromFields(const std::string& id, const std::vector<std::pair<std::string, std::string>>& fields) {
  Profile p;
  p.id = id;
  const size_t prefix = sizeof(pf::kAttributePrefix) - 1;
  for (const auto& [k, v] : fields) {
    if (k == pf::kNetwork) p.network = v;
    else if (k == pf::kCountry) p.country = v;
    else if (k == pf::kLanguage) p.language = v;
    else if (k == pf::kFollowers) p.followers = Int(v, -1);
    else if (k == pf::kMentions) p.mentions = Int(v);
    else if (k == pf::kReplies) p.replies = Int(v);
    else if (k == pf::kClicks) p.clicks = Int(v);
    else if (k == pf::kConversions) p.conversions = Int(v);
    else if (k == pf::kSentimentMilli) p.sentiment_milli = Int(v);
    else if (k == pf::kScored) p.scored = Int(v);
    else if (k == pf::kLastEngaged) p.last_engaged_ms = Int(v);
    else if (k == pf::kTags) p.tags = SplitList(v);
    else if (k == pf::kCampaigns) p.campaigns = SplitList(v);
    else if (k == pf::kConverted) p.converted = SplitList(v);
    else if (k.compare(0, prefix, pf::kAttributePrefix) == 0) p.attributes.emplace_back(k.substr(prefix), v);
  }
  std::sort(p.attributes.begin(), p.attributes.end());
  return p;
}

v1::Profile ToProto(const Profile& p, const std::string& author) {
  v1::Profile out;
  out.set_id(p.id);
  out.set_network(p.network);
  out.set_author(author);
  out.set_country(p.country);
  out.set_language(p.language);
  out.set_mentions(p.mentions);
  out.set_replies(p.replies);
  out.set_clicks(p.clicks);
  out.set_conversions(p.conversions);
  if (p.scored > 0) out.set_sentiment(p.sentiment());
  if (p.followers >= 0) out.set_followers(p.followers);
  if (p.last_engaged_ms > 0) *out.mutable_last_engaged_time() = FromMs(p.last_engaged_ms);
  for (const auto& t : p.tags) out.add_tags(t);
  for (const auto& c : p.campaigns) out.add_campaigns(c);
  for (const auto& c : p.converted) out.add_converted_campaigns(c);
  for (const auto& [k, v] : p.attributes) (*out.mutable_attributes())[k] = v;
  return out;
}

}  // namespace herald::campaign
