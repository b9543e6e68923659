// The listening query language: parsing (errors with positions), matching
// and the terms a keyword search polls for. No I/O.
#include <gtest/gtest.h>

#include "listener/rules/query.h"

namespace herald::listener {
namespace {

bool Match(const std::string& query, const std::string& text, const std::string& lang = "en",
           const std::string& network = "x") {
  auto q = Query::Parse(query);
  EXPECT_TRUE(q.ok()) << query << ": " << q.status();
  return q.ok() && q->Matches({text, lang, network});
}

std::string Error(const std::string& query) {
  auto q = Query::Parse(query);
  EXPECT_FALSE(q.ok()) << query << " parsed as " << (q.ok() ? q->ToString() : "");
  return q.ok() ? "" : std::string(q.status().message());
}

TEST(ListeningQuery, WordsPhrasesTagsAndHandlesMatchWholeWordsInAnyCase) {
  EXPECT_TRUE(Match("herald", "Loving HERALD today"));
  EXPECT_FALSE(Match("herald", "heraldry is a hobby"));  // whole words only
  EXPECT_TRUE(Match("\"customer service\"", "their Customer  Service, honestly"));
  EXPECT_FALSE(Match("\"customer service\"", "service to the customer"));
  EXPECT_TRUE(Match("#launch", "big day #Launch!"));
  EXPECT_FALSE(Match("#launch", "the launch was fine"));  // a hashtag is not the word
  EXPECT_TRUE(Match("@herald", "thanks @Herald for the fix"));
  EXPECT_TRUE(Match("@alice.bsky.social", "cc @alice.bsky.social"));
  EXPECT_TRUE(Match("don't", "I don't know"));
  EXPECT_TRUE(Match("café", "le café est bon"));  // words in any script
}

TEST(ListeningQuery, BooleanOperatorsWithPrecedenceAndImplicitAnd) {
  EXPECT_TRUE(Match("herald AND outage", "herald has an outage"));
  EXPECT_TRUE(Match("herald outage", "outage at herald"));  // adjacency is AND
  EXPECT_FALSE(Match("herald outage", "herald is fine"));
  EXPECT_TRUE(Match("outage OR down", "is it down?"));
  EXPECT_TRUE(Match("herald NOT job", "herald is great"));
  EXPECT_FALSE(Match("herald NOT job", "herald job opening"));
  EXPECT_FALSE(Match("herald -job", "herald job opening"));
  // AND binds tighter than OR: a OR (b AND c).
  EXPECT_TRUE(Match("acme OR herald outage", "acme rocks"));
  EXPECT_FALSE(Match("(acme OR herald) outage", "acme rocks"));
  EXPECT_TRUE(Match("(acme OR herald) AND (outage OR down) NOT \"scheduled maintenance\"", "Herald down again"));
  EXPECT_FALSE(Match("(acme OR herald) AND (outage OR down) NOT \"scheduled maintenance\"",
                     "herald down for scheduled maintenance"));
  EXPECT_TRUE(Match("herald and", "herald and friends"));  // lower-case "and" is a word
}

TEST(ListeningQuery, LanguageAndNetworkFields) {
  EXPECT_TRUE(Match("herald lang:en", "herald", "en-GB"));
  EXPECT_FALSE(Match("herald lang:en", "herald", "es"));
  EXPECT_FALSE(Match("herald lang:en", "herald", ""));  // unknown language matches no lang: term
  EXPECT_TRUE(Match("herald NOT lang:en", "herald", "de"));
  EXPECT_TRUE(Match("herald network:bluesky", "herald", "en", "bluesky"));
  EXPECT_FALSE(Match("herald network:bluesky", "herald", "en", "x"));
}

TEST(ListeningQuery, ARefusedQuerySaysWhereAndWhatWasExpected) {
  EXPECT_EQ(Error(""), "at 1: an empty query; expected a term");
  EXPECT_EQ(Error("   "), "at 1: an empty query; expected a term");
  EXPECT_EQ(Error("herald AND"), "at 11: the query ends where a term or '(' was expected");
  EXPECT_EQ(Error("(herald OR acme"), "at 16: expected ')' to close the '(' at 1");
  EXPECT_EQ(Error("herald)"), "at 7: ')' without a matching '('");
  EXPECT_EQ(Error("herald \"big launch"), "at 8: a phrase opened here is never closed (expected '\"')");
  EXPECT_EQ(Error("herald OR OR acme"), "at 11: expected a term or '(', found 'OR'");
  EXPECT_EQ(Error("country:fr herald"), "at 1: unknown field 'country'; expected lang: or network:");
  EXPECT_EQ(Error("herald lang:"), "at 13: expected a value after 'lang:'");
  EXPECT_EQ(Error("\"\""), "at 1: an empty phrase; expected words between the quotes");
  EXPECT_EQ(Error("herald ~~~"), "at 8: '~~~' has no letters or digits; expected a term");
  // Bounded before work: length, depth, terms.
  EXPECT_NE(Error(std::string(Query::kMaxLength + 1, 'a')).find("longer than 2048 bytes"), std::string::npos);
  EXPECT_NE(Error(std::string(40, '(') + "a" + std::string(40, ')')).find("nested deeper than 32"), std::string::npos);
  std::string many;
  for (int i = 0; i <= Query::kMaxTerms; ++i) many += "w" + std::to_string(i) + " OR ";
  EXPECT_NE(Error(many + "end").find("more than 128 terms"), std::string::npos);
}

TEST(ListeningQuery, SearchTermsAreWhatItAsksForNotWhatItExcludes) {
  auto q = Query::Parse("(Herald OR \"Herald App\" OR #heraldlaunch) @heraldhq NOT job -hiring lang:en");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->SearchTerms(), (std::vector<std::string>{"herald", "\"herald app\"", "#heraldlaunch", "@heraldhq"}));
  EXPECT_EQ(q->ToString(), "((herald OR \"herald app\" OR #heraldlaunch) AND @heraldhq AND NOT job AND NOT hiring AND lang:en)");
  // The canonical form parses back to the same query.
  auto again = Query::Parse(q->ToString());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->ToString(), q->ToString());
}

}  // namespace
}  // namespace herald::listener
