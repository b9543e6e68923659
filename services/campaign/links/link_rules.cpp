#include "campaign/links/link_rules.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "common/hmac.h"
#include "common/ids.h"

namespace herald::campaign {
namespace {

constexpr const char* kIdRule = "required, 1-64 of [A-Za-z0-9_-]";
constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void CheckOptionalId(FieldErrors& errors, const char* field, const std::string& id) {
  if (!id.empty() && !IsValidId(id)) errors.Add(field, "1-64 of [A-Za-z0-9_-]");
}

void CheckUtm(FieldErrors& errors, const v1::Utm& u) {
  const std::pair<const char*, const std::string*> fields[] = {{"utm.source", &u.source()},
                                                               {"utm.medium", &u.medium()},
                                                               {"utm.campaign", &u.campaign()},
                                                               {"utm.term", &u.term()},
                                                               {"utm.content", &u.content()}};
  for (const auto& [name, value] : fields) {
    if (value->size() > 200) errors.Add(name, "longer than 200 bytes");
    if (std::any_of(value->begin(), value->end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
      errors.Add(name, "must not hold control characters");
    }
  }
}

// Splits "base?query#fragment".
struct UrlParts {
  std::string base, query, fragment;
};
UrlParts Split(const std::string& url) {
  UrlParts p;
  std::string rest = url;
  if (auto hash = rest.find('#'); hash != std::string::npos) {
    p.fragment = rest.substr(hash);
    rest.resize(hash);
  }
  if (auto q = rest.find('?'); q != std::string::npos) {
    p.query = rest.substr(q + 1);
    rest.resize(q);
  }
  p.base = rest;
  return p;
}

}  // namespace

std::string DestinationProblem(const std::string& url) {
  if (url.empty()) return "required";
  if (url.size() > kMaxUrlBytes) return "longer than " + std::to_string(kMaxUrlBytes) + " bytes";
  if (std::any_of(url.begin(), url.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; })) {
    return "must not hold spaces or control characters (percent-encode them)";
  }
  std::string lower = absl::AsciiStrToLower(url.substr(0, 8));
  size_t start = absl::StartsWith(lower, "https://") ? 8 : absl::StartsWith(lower, "http://") ? 7 : 0;
  if (start == 0) return "want an http:// or https:// URL";
  size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (authority.empty() || authority.find('@') != std::string::npos) return "want a host (and no user:password@)";
  return "";
}

FieldErrors ValidateCreateLink(const v1::CreateLinkRequest& r) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(r.campaign_id())) errors.Add("campaign_id", kIdRule);
  if (auto p = DestinationProblem(r.destination_url()); !p.empty()) errors.Add("destination_url", p);
  CheckUtm(errors, r.utm());
  CheckOptionalId(errors, "post_id", r.post_id());
  CheckOptionalId(errors, "channel_id", r.channel_id());
  CheckOptionalId(errors, "variant", r.variant());
  return errors;
}

FieldErrors ValidatePostLinks(const v1::CreatePostLinksRequest& r) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(r.campaign_id())) errors.Add("campaign_id", kIdRule);
  if (!IsValidId(r.post_id())) errors.Add("post_id", kIdRule);
  CheckOptionalId(errors, "variant", r.variant());
  if (auto p = DestinationProblem(r.destination_url()); !p.empty()) errors.Add("destination_url", p);
  if (r.channel_ids().empty() || r.channel_ids_size() > 50) errors.Add("channel_ids", "1 to 50");
  for (int i = 0; i < r.channel_ids_size() && i < 50; ++i) {
    if (!IsValidId(r.channel_ids(i))) errors.Add("channel_ids[" + std::to_string(i) + "]", kIdRule);
  }
  return errors;
}

v1::Utm EffectiveUtm(const v1::Campaign& c, const v1::Utm& o) {
  v1::Utm u = c.utm();
  if (!o.source().empty()) u.set_source(o.source());
  if (!o.medium().empty()) u.set_medium(o.medium());
  if (!o.campaign().empty()) u.set_campaign(o.campaign());
  if (!o.term().empty()) u.set_term(o.term());
  if (!o.content().empty()) u.set_content(o.content());
  if (u.campaign().empty()) u.set_campaign(c.name());
  return u;
}

std::string QueryEscape(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string WithUtm(const std::string& url, const v1::Utm& utm) {
  UrlParts p = Split(url);
  std::string query;
  // Keep every parameter but utm_*, in order.
  size_t pos = 0;
  while (pos <= p.query.size() && !p.query.empty()) {
    size_t amp = p.query.find('&', pos);
    std::string param = p.query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    if (!param.empty() && !absl::StartsWithIgnoreCase(param, "utm_")) query += (query.empty() ? "" : "&") + param;
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  const std::pair<const char*, const std::string*> params[] = {{"utm_source", &utm.source()},
                                                               {"utm_medium", &utm.medium()},
                                                               {"utm_campaign", &utm.campaign()},
                                                               {"utm_term", &utm.term()},
                                                               {"utm_content", &utm.content()}};
  for (const auto& [name, value] : params) {
    if (!value->empty()) query += std::string(query.empty() ? "" : "&") + name + "=" + QueryEscape(*value);
  }
  return p.base + (query.empty() ? "" : "?" + query) + p.fragment;
}

std::string WithClickId(const std::string& url, std::string_view click_id) {
  UrlParts p = Split(url);
  std::string param = std::string(kClickIdParam) + "=" + QueryEscape(click_id);
  return p.base + "?" + (p.query.empty() ? param : p.query + "&" + param) + p.fragment;
}

bool IsLinkCode(std::string_view code) {
  return code.size() == kCodeLength &&
         std::all_of(code.begin(), code.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
}

std::string LinkCodeFrom(uint64_t bits) {
  std::string code(kCodeLength, '0');
  for (size_t i = 0; i < kCodeLength; ++i) {
    code[i] = kAlphabet[bits % kAlphabet.size()];
    bits /= kAlphabet.size();
  }
  return code;
}

std::string LinkIdentity(const std::string& campaign_id, const std::string& post_id, const std::string& channel_id,
                         const std::string& variant, const std::string& target_url) {
  // Ids hold no '|'; the URL is last, so the fields cannot run into each other.
  return HashedId("", campaign_id + "|" + post_id + "|" + channel_id + "|" + variant + "|" + target_url);
}

AgentClass ClassifyUserAgent(std::string_view ua) {
  if (ua.empty()) return AgentClass::kBot;
  static constexpr std::string_view kBots[] = {
      "bot",         "crawl",      "spider",   "slurp",   "preview",  "facebookexternalhit", "embedly",
      "curl/",       "wget/",      "python-",  "go-http", "java/",    "okhttp",              "headless",
      "lighthouse",  "pingdom",    "monitor",  "scan",    "httpclient", "axios/",            "node-fetch"};
  std::string lower = absl::AsciiStrToLower(std::string(ua.substr(0, 512)));
  for (auto b : kBots) {
    if (lower.find(b) != std::string::npos) return AgentClass::kBot;
  }
  if (lower.find("mobile") != std::string::npos || lower.find("android") != std::string::npos ||
      lower.find("iphone") != std::string::npos || lower.find("ipad") != std::string::npos) {
    return AgentClass::kMobile;
  }
  if (lower.find("windows") != std::string::npos || lower.find("macintosh") != std::string::npos ||
      lower.find("x11") != std::string::npos || lower.find("cros") != std::string::npos) {
    return AgentClass::kDesktop;
  }
  return AgentClass::kOther;
}

std::string_view AgentClassName(AgentClass c) {
  switch (c) {
    case AgentClass::kDesktop: return "desktop";
    case AgentClass::kMobile: return "mobile";
    case AgentClass::kBot: return "bot";
    default: return "other";
  }
}

std::string RefererOrigin(std::string_view referer) {
  std::string head = absl::AsciiStrToLower(std::string(referer.substr(0, 8)));
  size_t start = absl::StartsWith(head, "https://") ? 8 : absl::StartsWith(head, "http://") ? 7 : 0;
  if (start == 0) return "";
  size_t end = referer.find_first_of("/?#", start);
  std::string origin(referer.substr(0, end == std::string_view::npos ? referer.size() : end));
  if (origin.size() > 255 || origin.size() == start ||
      std::any_of(origin.begin(), origin.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f || c == '@'; })) {
    return "";
  }
  return absl::AsciiStrToLower(origin);
}

std::string DailyIpHash(std::string_view secret, std::string_view address, int64_t now_ms) {
  // The day's salt is the same for every click of the day: kept per thread.
  struct Salt {
    int64_t day = -1;
    std::string secret, value;
  };
  thread_local Salt salt;
  const int64_t day = now_ms >= 0 ? now_ms / 86'400'000 : (now_ms - 86'399'999) / 86'400'000;
  if (salt.day != day || salt.secret != secret) {
    std::string date = absl::FormatTime("%Y-%m-%d", absl::FromUnixMillis(now_ms), absl::UTCTimeZone());
    salt = {day, std::string(secret), HmacSha256Hex(secret, "herald-click-salt|" + date)};
  }
  return HmacSha256Hex(salt.value, address).substr(0, 16);
}

}  // namespace herald::campaign
