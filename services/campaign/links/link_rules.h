#pragma once
// Tracked links, free of I/O: what a destination may be, how UTM parameters
// and the click id are put on it, what a short code looks like, and what a
// click says about its client without keeping who it is.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "herald/campaign/v1/campaign.pb.h"
#include "herald/campaign/v1/links.pb.h"

namespace herald::campaign {

inline constexpr size_t kMaxUrlBytes = 2048;
inline constexpr size_t kCodeLength = 8;
// The query parameter the click id travels in to the destination.
inline constexpr std::string_view kClickIdParam = "hclid";

FieldErrors ValidateCreateLink(const v1::CreateLinkRequest& request);
FieldErrors ValidatePostLinks(const v1::CreatePostLinksRequest& request);
// An absolute http(s) URL with a host, without spaces or control characters,
// at most kMaxUrlBytes; the problem otherwise ("" when fine).
std::string DestinationProblem(const std::string& url);

// The campaign's default UTM parameters, replaced field by field by
// `overrides`; utm_campaign falls back to the campaign's name.
v1::Utm EffectiveUtm(const v1::Campaign& campaign, const v1::Utm& overrides);
// The URL with utm_* parameters set (existing utm_* replaced, everything else
// kept in order), before any fragment.
std::string WithUtm(const std::string& url, const v1::Utm& utm);
// The URL with hclid=<click_id> added before any fragment.
std::string WithClickId(const std::string& url, std::string_view click_id);
// RFC 3986 percent-encoding of a query component.
std::string QueryEscape(std::string_view value);

// 8 of [0-9A-Za-z] (62^8 ≈ 2.2e14 codes; creation refuses a taken one).
bool IsLinkCode(std::string_view code);
// A code from 64 random bits.
std::string LinkCodeFrom(uint64_t random_bits);
// What identifies a link request for idempotency: the same campaign, post,
// channel, variant and target URL name the same link.
std::string LinkIdentity(const std::string& campaign_id, const std::string& post_id, const std::string& channel_id,
                         const std::string& variant, const std::string& target_url);

enum class AgentClass { kDesktop, kMobile, kBot, kOther };
// Crawlers, link previews (the networks fetch every link they show),
// libraries and an empty agent are bots; phones and tablets mobile.
AgentClass ClassifyUserAgent(std::string_view user_agent);
std::string_view AgentClassName(AgentClass c);
// "https://news.example.com" from a Referer header; "" when it is not an http(s) URL.
std::string RefererOrigin(std::string_view referer);
// The client address as 16 hex characters of HMAC-SHA256 under a salt
// derived from `secret` and the UTC day of `now_ms`: the same client within a
// day, nobody after it.
std::string DailyIpHash(std::string_view secret, std::string_view address, int64_t now_ms);

}  // namespace herald::campaign
