// Tracked links' rules: destinations, UTM parameters and the click id on a
// URL, short codes, and what a click tells about its client.
#include "campaign/links/link_rules.h"

#include <gtest/gtest.h>

#include <set>

namespace herald::campaign {
namespace {

TEST(LinkRules, DestinationsAreAbsoluteHttpUrlsWithAHost) {
  EXPECT_EQ(DestinationProblem("https://shop.example.com/winter?ref=1#top"), "");
  EXPECT_EQ(DestinationProblem("HTTP://example.com"), "");
  EXPECT_NE(DestinationProblem(""), "");
  EXPECT_NE(DestinationProblem("ftp://example.com/file"), "");
  EXPECT_NE(DestinationProblem("javascript:alert(1)"), "");
  EXPECT_NE(DestinationProblem("https:///path"), "");
  EXPECT_NE(DestinationProblem("https://user:pw@example.com/"), "");
  EXPECT_NE(DestinationProblem("https://example.com/a b"), "");
  EXPECT_NE(DestinationProblem("https://example.com/\r\nSet-Cookie: x"), "");
  EXPECT_NE(DestinationProblem("https://example.com/" + std::string(2100, 'a')), "");
}

TEST(LinkRules, UtmParametersReplaceOldOnesAndKeepEverythingElse) {
  v1::Utm utm;
  utm.set_source("herald");
  utm.set_medium("social");
  utm.set_campaign("Winter sale & more");
  EXPECT_EQ(WithUtm("https://shop.example.com/p?id=7&utm_source=old&x=1#reviews", utm),
            "https://shop.example.com/p?id=7&x=1&utm_source=herald&utm_medium=social&"
            "utm_campaign=Winter%20sale%20%26%20more#reviews");
  EXPECT_EQ(WithUtm("https://example.com", utm),
            "https://example.com?utm_source=herald&utm_medium=social&utm_campaign=Winter%20sale%20%26%20more");
  EXPECT_EQ(WithUtm("https://example.com/?a=1", v1::Utm()), "https://example.com/?a=1");
  EXPECT_EQ(WithClickId("https://example.com/p?a=1#f", "k_42"), "https://example.com/p?a=1&hclid=k_42#f");
  EXPECT_EQ(WithClickId("https://example.com/p", "k_42"), "https://example.com/p?hclid=k_42");
}

TEST(LinkRules, TheCampaignsUtmDefaultsAreOverriddenFieldByField) {
  v1::Campaign c;
  c.set_name("Spring");
  c.mutable_utm()->set_source("herald");
  c.mutable_utm()->set_medium("social");
  v1::Utm o;
  o.set_medium("paid_social");
  v1::Utm u = EffectiveUtm(c, o);
  EXPECT_EQ(u.source(), "herald");
  EXPECT_EQ(u.medium(), "paid_social");
  EXPECT_EQ(u.campaign(), "Spring");  // the campaign's name when nobody set one
}

TEST(LinkRules, CodesAreEightAlphanumericsAndSpreadOut) {
  std::set<std::string> codes;
  for (uint64_t i = 0; i < 1000; ++i) {
    std::string code = LinkCodeFrom(i * 0x9E3779B97F4A7C15ULL);
    EXPECT_TRUE(IsLinkCode(code)) << code;
    codes.insert(code);
  }
  EXPECT_EQ(codes.size(), 1000u);
  EXPECT_FALSE(IsLinkCode("abc"));
  EXPECT_FALSE(IsLinkCode("abcd-fgh"));
  EXPECT_FALSE(IsLinkCode("../../et"));
  // The same link asked again has the same identity; another post another.
  EXPECT_EQ(LinkIdentity("c1", "p1", "ch1", "a", "https://x"), LinkIdentity("c1", "p1", "ch1", "a", "https://x"));
  EXPECT_NE(LinkIdentity("c1", "p1", "ch1", "a", "https://x"), LinkIdentity("c1", "p2", "ch1", "a", "https://x"));
}

TEST(LinkRules, UserAgentsAreClassedAndPreviewsAreBots) {
  EXPECT_EQ(ClassifyUserAgent(""), AgentClass::kBot);
  EXPECT_EQ(ClassifyUserAgent("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"),
            AgentClass::kBot);
  EXPECT_EQ(ClassifyUserAgent("Twitterbot/1.0"), AgentClass::kBot);
  EXPECT_EQ(ClassifyUserAgent("Slackbot-LinkExpanding 1.0"), AgentClass::kBot);
  EXPECT_EQ(ClassifyUserAgent("curl/7.88.1"), AgentClass::kBot);
  EXPECT_EQ(ClassifyUserAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"),
            AgentClass::kMobile);
  EXPECT_EQ(ClassifyUserAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0"),
            AgentClass::kDesktop);
  EXPECT_EQ(ClassifyUserAgent("SomeTV/1.0"), AgentClass::kOther);
  EXPECT_EQ(AgentClassName(AgentClass::kMobile), "mobile");
}

TEST(LinkRules, ReferrersKeepOnlyTheirOrigin) {
  EXPECT_EQ(RefererOrigin("https://News.Example.com/story/42?utm=x"), "https://news.example.com");
  EXPECT_EQ(RefererOrigin("http://t.co"), "http://t.co");
  EXPECT_EQ(RefererOrigin("android-app://com.twitter.android"), "");
  EXPECT_EQ(RefererOrigin("https://"), "");
  EXPECT_EQ(RefererOrigin("https://user@evil.example/"), "");
}

TEST(LinkRules, IpHashesTellClientsApartWithinADayAndNotAcrossDays) {
  const int64_t noon = 1'796'040'000'000;  // 2026-11-30T12:00:00Z
  std::string a = DailyIpHash("secret", "203.0.113.7", noon);
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(a, DailyIpHash("secret", "203.0.113.7", noon + 3600000));      // same day
  EXPECT_NE(a, DailyIpHash("secret", "203.0.113.8", noon));                // another client
  EXPECT_NE(a, DailyIpHash("secret", "203.0.113.7", noon + 86400000));     // the next day
  EXPECT_NE(a, DailyIpHash("other-secret", "203.0.113.7", noon));          // another deployment
  EXPECT_EQ(a.find("203"), std::string::npos);
}

TEST(LinkRules, CreateRequestsNameEachBadField) {
  v1::CreateLinkRequest r;
  r.set_destination_url("mailto:x@example.com");
  r.set_post_id("bad id");
  r.mutable_utm()->set_source(std::string(201, 's'));
  auto errors = ValidateCreateLink(r);
  std::set<std::string> named;
  for (const auto& [field, problem] : errors.errors()) named.insert(field);
  EXPECT_EQ(named, (std::set<std::string>{"workspace_id", "campaign_id", "destination_url", "utm.source", "post_id"}));
}

}  // namespace
}  // namespace herald::campaign
