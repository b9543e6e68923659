// Audience rules without I/O: profile ids and e-mail hashes, CRM rows from
// CSV (every bad row named by its line, no e-mail kept), what a mention adds
// to a profile, and segment sizes with Wilson intervals (textbook values).
#include <gtest/gtest.h>

#include "campaign/audiences/mention_profiles.h"
#include "campaign/audiences/profile_rules.h"
#include "campaign/audiences/segment_estimate.h"
#include "campaign/conversions/conversion_rules.h"
#include "common/time_util.h"

namespace herald::campaign {
namespace {

namespace ev = herald::events::v1;

TEST(AudienceRules, ProfileIdsAndEmailHashes) {
  EXPECT_EQ(*SocialProfileId("x", "@Fan"), "x:@fan");
  EXPECT_FALSE(SocialProfileId("x", ""));
  EXPECT_FALSE(SocialProfileId("x", std::string(300, 'a')));
  // SHA-256 of the trimmed, lowercased address (how ad networks match e-mails).
  EXPECT_EQ(EmailSha256("  Alice@Example.COM \n"), "ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976");
  v1::ProfileRow row;
  row.set_customer_id("cust-42");
  // The customer id's profile is the one conversions of that customer reach.
  EXPECT_EQ(RowProfileId("ws", row), CrmProfileId(CustomerHash("ws", "cust-42")));
  v1::ProfileRow by_email;
  by_email.set_email("alice@example.com");
  v1::ProfileRow by_hash;
  by_hash.set_email_sha256(EmailSha256("alice@example.com"));
  HashEmail(by_email);
  EXPECT_TRUE(by_email.email().empty());
  EXPECT_EQ(RowProfileId("ws", by_email), RowProfileId("ws", by_hash));
}

TEST(AudienceRules, RowsAreCheckedFieldByField) {
  v1::ProfileRow row;
  row.set_email("not-an-address");
  row.set_email_sha256("XYZ");
  row.set_country("de");
  row.set_language("German");
  row.add_tags("Has Space");
  (*row.mutable_attributes())["bad name!"] = "x";
  std::string m = ValidateProfileRow(row).Message();
  for (const char* field : {"email", "email_sha256", "country", "language", "tags[0]", "attributes"}) {
    EXPECT_NE(m.find(field), std::string::npos) << field << " in " << m;
  }
  EXPECT_NE(ValidateProfileRow(v1::ProfileRow()).Message().find("customer_id"), std::string::npos);
}

TEST(AudienceRules, CsvRowsBecomeProfilesWithoutTheirEmails) {
  auto rows = RowsFromCsv("ws",
                          "customer_id,email,country,language,tags,plan,followers\n"
                          "c1,Alice@Example.com,DE,de,vip;customer,pro,1200\n"
                          ",bob@example.com,AT,,,,\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  const auto& first = (*rows)[0];
  EXPECT_TRUE(first.email().empty());
  EXPECT_EQ(first.email_sha256(), EmailSha256("alice@example.com"));
  auto fields = RowFields(first);
  Profile p = ProfileFromFields("crm:x", fields);
  EXPECT_EQ(p.country, "DE");
  EXPECT_EQ(p.tags, (std::vector<std::string>{"customer", "vip"}));
  EXPECT_EQ(p.followers, 1200);
  ASSERT_EQ(p.attributes.size(), 1u);
  EXPECT_EQ(p.attributes[0], (std::pair<std::string, std::string>{"plan", "pro"}));
  EXPECT_EQ((*rows)[1].country(), "AT");

  auto bad = RowsFromCsv("ws", "customer_id,country\nc1,DE\nc2,Germany\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 3"), std::string::npos) << bad.status();
  EXPECT_NE(bad.status().message().find("country"), std::string::npos) << bad.status();
  EXPECT_EQ(bad.status().message().find("Germany"), std::string::npos) << "values are not echoed";
  auto broken = RowsFromCsv("ws", "customer_id,country\n\"c1,DE\n");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("line 2"), std::string::npos) << broken.status();
  EXPECT_FALSE(RowsFromCsv("ws", "customer_id,customer_id\nx,y\n").ok());
  EXPECT_FALSE(RowsFromCsv("ws", std::string(kMaxProfileCsvBytes + 1, 'a')).ok());
}

TEST(AudienceRules, AMentionCountsForItsAuthor) {
  ev::MentionReceived m;
  m.mutable_meta()->set_workspace_id("ws");
  m.set_mention_id("men_1");
  m.set_network(herald::common::v1::NETWORK_MASTODON);
  m.set_author_handle("@Fan@social.example");
  m.set_language("de-AT");
  m.set_kind(herald::common::v1::MENTION_KIND_REPLY);
  m.mutable_sentiment()->set_scored(true);
  m.mutable_sentiment()->set_compound(0.6249);
  *m.mutable_created_at() = FromMs(1'800'000'000'000);
  auto u = ProfileUpdateFor(m);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->profile_id, "mastodon:@fan@social.example");
  EXPECT_EQ(u->language, "de");
  EXPECT_TRUE(u->reply);
  EXPECT_EQ(*u->sentiment_milli, 625);
  EXPECT_EQ(u->at_ms, 1'800'000'000'000);
  m.set_author_handle("");
  EXPECT_FALSE(ProfileUpdateFor(m));
}

TEST(SegmentEstimate, WilsonIntervalsMatchTheTextbook) {
  // Wikipedia's "Binomial proportion confidence interval" example: 81 of 263.
  RateInterval r = WilsonInterval(81, 263);
  EXPECT_NEAR(r.low, 0.2553, 1e-4);
  EXPECT_NEAR(r.high, 0.3662, 1e-4);
  RateInterval none = WilsonInterval(0, 50);
  EXPECT_DOUBLE_EQ(none.low, 0.0);
  EXPECT_NEAR(none.high, 0.0713, 1e-4);  // never a zero-width interval at 0
  // Sampling most of a small population narrows it; all of it is exact.
  EXPECT_LT(WilsonInterval(81, 263, 300).high - WilsonInterval(81, 263, 300).low, r.high - r.low);
  RateInterval all = WilsonInterval(81, 263, 263);
  EXPECT_DOUBLE_EQ(all.low, all.high);
}

TEST(SegmentEstimate, SizesFromASample) {
  SizeEstimate exact = EstimateSize(5000, 5000, 1234);
  EXPECT_TRUE(exact.exact);
  EXPECT_EQ(exact.estimate, 1234);
  EXPECT_EQ(exact.low, 1234);
  SizeEstimate e = EstimateSize(1'000'000, 10'000, 1'000);
  EXPECT_FALSE(e.exact);
  EXPECT_EQ(e.estimate, 100'000);
  EXPECT_LT(e.low, 100'000);
  EXPECT_GT(e.high, 100'000);
  EXPECT_NEAR(e.high - e.low, 2 * 1.96 * std::sqrt(0.1 * 0.9 / 10'000) * 1'000'000, 1'000);
  SizeEstimate nothing = EstimateSize(0, 0, 0);
  EXPECT_EQ(nothing.estimate, 0);
}

}  // namespace
}  // namespace herald::campaign
