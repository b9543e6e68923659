// VADER in C++ against the reference implementation (npm vader-sentiment
// 1.1.3): a fixture of 6,000 mention texts with the reference's scores
// (tools/vader_fixture), and the rules one by one. The fixture is read from
// the source tree; the scorer itself does no I/O.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "listener/sentiment/vader.h"

namespace herald::listener {
namespace {

double Compound(const std::string& text) { return Vader::Embedded().Score(text).compound; }

TEST(Vader, TheEmbeddedLexiconIsWhole) { EXPECT_EQ(Vader::Embedded().lexicon_size(), 7503u); }

TEST(Vader, AgreesWithTheReferenceImplementationOnTheFixture) {
  std::ifstream in(std::string(HERALD_SOURCE_DIR) + "/tests/unit/data/vader_reference.jsonl");
  ASSERT_TRUE(in) << "fixture missing";
  size_t total = 0, agree = 0, parts_agree = 0;
  std::string line, worst;
  double worst_delta = 0;
  while (std::getline(in, line)) {
    auto row = nlohmann::json::parse(line);
    const std::string text = row["text"];
    auto s = Vader::Embedded().Score(text);
    // The reference rounds compound to 4 places and the shares to 3.
    double delta = std::fabs(s.compound - row["compound"].get<double>());
    ++total;
    agree += delta <= 0.0005;
    parts_agree += std::fabs(s.positive - row["pos"].get<double>()) <= 0.0006 &&
                   std::fabs(s.negative - row["neg"].get<double>()) <= 0.0006 &&
                   std::fabs(s.neutral - row["neu"].get<double>()) <= 0.0006;
    if (delta > worst_delta) {
      worst_delta = delta;
      worst = text + " → " + std::to_string(s.compound) + " vs " + row["compound"].dump();
    }
  }
  ASSERT_GE(total, 5000u);
  // The goal: |Δcompound| ≤ 0.0005 on at least 99.5 % of texts.
  EXPECT_GE(static_cast<double>(agree) / static_cast<double>(total), 0.995) << agree << " of " << total << "; worst: " << worst;
  EXPECT_GE(static_cast<double>(parts_agree) / static_cast<double>(total), 0.995) << parts_agree << " of " << total;
  RecordProperty("agree", std::to_string(agree) + "/" + std::to_string(total));
  std::printf("compound within 0.0005: %zu of %zu; shares within rounding: %zu; worst delta %.6f\n", agree, total,
              parts_agree, worst_delta);
}

TEST(Vader, EachRuleMovesTheScoreTheWayTheReferenceDoes) {
  // Reference values from vader-sentiment 1.1.3 (node), rounded as it rounds.
  struct Case {
    const char* text;
    double compound;
  };
  const Case cases[] = {
      {"The product is good", 0.4404},
      {"The product is very good", 0.4927},                // a booster
      {"The product is not good", -0.3412},                // negation
      {"THE PRODUCT IS GOOD", 0.4404},                     // every word in capitals: no emphasis
      {"The product is GOOD", 0.5622},                     // capitals among lower case: emphasis
      {"The product is good!!!", 0.5826},                  // exclamations
      {"Is it good???", 0.533},                            // questions
      {"I love it but the support is awful :(", -0.4019},  // "but" and an emoticon
      {"It is good, but slow", 0.2382},
      {"kind of meh", -0.0772},                            // a dampener bigram
      {"never so good", 0.6474},
      {"the least good", -0.3412},
      {"at least good", 0.4404},
      {"The product is NOT good!!!", 0.5826},              // negations match case-sensitively, as in the reference
      {"", 0},
      {"   ", 0},
  };
  for (const auto& c : cases) {
    EXPECT_NEAR(Compound(c.text), c.compound, 0.00006) << c.text;
  }
}

TEST(Vader, ATokenListedTwiceTakesItsLaterRating) {
  auto v = Vader::FromLexicon("good\t1.0\ngood\t2.0\n");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->lexicon_size(), 1u);
  EXPECT_NEAR(v->Score("good").compound, 2.0 / std::sqrt(4.0 + 15.0), 1e-12);  // normalised with alpha 15
}

TEST(Vader, ABadLexiconIsRefusedNamingTheLine) {
  EXPECT_TRUE(Vader::FromLexicon("good\t1.9\t0.9\t[2, 2]\nbad\t-2.5\n").ok());
  auto bad = Vader::FromLexicon("good\t1.9\nbad\tvery\n");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("line 2"), std::string::npos) << bad.status();
  EXPECT_FALSE(Vader::FromLexicon("").ok());
  EXPECT_FALSE(Vader::FromLexicon("\tnot a token\n").ok());
}

}  // namespace
}  // namespace herald::listener
