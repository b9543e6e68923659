// The segment language: what the issue's own example means, every kind of
// predicate, unknown values matching nothing, and parse errors that give
// their line and column.
#include "campaign/audiences/segment_language.h"

#include <gtest/gtest.h>

namespace herald::campaign {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;
constexpr int64_t kDay = 86400000;

Segment Parse(const std::string& text) {
  auto s = Segment::Parse(text);
  if (auto* e = std::get_if<SegmentError>(&s)) {
    ADD_FAILURE() << text << " → " << e->ToString();
    return std::get<Segment>(Segment::Parse("mentions >= 0"));
  }
  return std::get<Segment>(std::move(s));
}

SegmentError Error(const std::string& text) {
  auto s = Segment::Parse(text);
  if (!std::holds_alternative<SegmentError>(s)) {
    ADD_FAILURE() << text << " parsed";
    return {};
  }
  return std::get<SegmentError>(s);
}

Profile Fan() {
  Profile p;
  p.id = "x:@fan";
  p.network = "x";
  p.country = "DE";
  p.language = "de";
  p.followers = 5000;
  p.mentions = 4;
  p.sentiment_milli = 1200;
  p.scored = 2;
  p.last_engaged_ms = kNow - 3 * kDay;
  p.tags = {"customer", "vip"};
  p.campaigns = {"c_winter"};
  p.attributes = {{"plan", "pro"}, {"tier", "gold"}};
  return p;
}

TEST(SegmentLanguage, TheIssuesExample) {
  Segment s = Parse(R"(country in ("DE","AT") and engaged_within(30d) and followers > 1000 and not tagged("employee"))");
  Profile p = Fan();
  EXPECT_TRUE(s.Matches(p, kNow));
  p.country = "FR";
  EXPECT_FALSE(s.Matches(p, kNow));
  p = Fan();
  p.last_engaged_ms = kNow - 31 * kDay;
  EXPECT_FALSE(s.Matches(p, kNow));
  p = Fan();
  p.followers = 1000;
  EXPECT_FALSE(s.Matches(p, kNow));
  p = Fan();
  p.tags = {"employee"};
  EXPECT_FALSE(s.Matches(p, kNow));
}

TEST(SegmentLanguage, EveryPredicate) {
  Profile p = Fan();
  for (const char* yes : {"network = \"X\"", "country != \"AT\"", "language in (\"DE\", \"en\")", "attr.plan = \"pro\"",
                          "attr.tier not in (\"silver\")", "mentions >= 4", "mentions < 4.5", "sentiment > 0.5",
                          "tagged(\"vip\")", "engaged_with(\"c_winter\")", "has(\"plan\")", "has(\"attr.tier\")",
                          "engaged_within(72h)", "not converted_for(\"c_winter\")", "clicks = 0",
                          "(mentions > 100 or tagged(\"vip\")) and country = \"de\""}) {
    EXPECT_TRUE(Parse(yes).Matches(p, kNow)) << yes;
  }
  for (const char* no : {"attr.plan = \"free\"", "has(\"region\")", "engaged_within(71h)", "mentions > 4",
                         "mentions > 100 or tagged(\"vip\") and country = \"AT\"", "not (tagged(\"vip\"))"}) {
    EXPECT_FALSE(Parse(no).Matches(p, kNow)) << no;
  }
}

TEST(SegmentLanguage, AProfileWithoutAValueMatchesNoComparisonOfIt) {
  Profile p;
  p.network = "crm";
  for (const char* text : {"followers >= 0", "followers != 5", "sentiment < 1", "country != \"DE\"",
                           "country not in (\"DE\")", "attr.plan != \"pro\"", "engaged_within(3650d)"}) {
    EXPECT_FALSE(Parse(text).Matches(p, kNow)) << text;
  }
}

TEST(SegmentLanguage, ToStringIsNormalizedAndParsesToTheSameSegment) {
  Segment t = Parse("not(country in (\"at\",\"DE\",\"de\")or mentions>=2) and attr.plan=\"a \\\"b\\\"\"");
  EXPECT_EQ(t.ToString(), "not (country in (\"AT\", \"DE\") or mentions >= 2) and attr.plan = \"a \\\"b\\\"\"");
  Segment again = Parse(t.ToString());
  EXPECT_EQ(again.ToString(), t.ToString());
}

TEST(SegmentLanguage, ErrorsGiveTheirPosition) {
  struct Case {
    std::string text;
    int line, column;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {"country in (\"DE\", \"AT\"", 1, 23, "expected ',' or ')'"},
           {"followers > \"many\"", 1, 13, "takes a number"},
           {"country > \"DE\"", 1, 9, "only = and !="},
           {"folowers > 10", 1, 1, "unknown field or function 'folowers'"},
           {"mentions > 1 and\n  engaged_within(30)", 2, 18, "a duration such as 30d"},
           {"tagged(\"vip\"", 1, 13, "expected ')'"},
           {"(mentions > 1", 1, 14, "expected ')' to close the '(' at 1"},
           {"mentions > 1 mentions", 1, 14, "expected 'and', 'or' or the end"},
           {"country = \"DE", 1, 11, "never closed"},
           {"country = \"DE\" & x", 1, 16, "unexpected character '&'"},
           {"followers in (\"a\")", 1, 11, "'in' compares text"},
           {"", 1, 1, "expected a field"},
           {"clicks ! 3", 1, 8, "'!' must be '!='"},
           {"engaged_within(1.5d)", 1, 16, "whole number"},
       }) {
    SegmentError e = Error(c.text);
    EXPECT_EQ(e.line, c.line) << c.text << " → " << e.ToString();
    EXPECT_EQ(e.column, c.column) << c.text << " → " << e.ToString();
    EXPECT_NE(e.message.find(c.says), std::string::npos) << c.text << " → " << e.ToString();
  }
}

TEST(SegmentLanguage, HostileExpressionsAreBoundedBeforeWork) {
  EXPECT_NE(Error(std::string(kMaxSegmentBytes + 1, ' ')).message.find("longer than"), std::string::npos);
  EXPECT_NE(Error(std::string(40, '(') + "clicks > 1" + std::string(40, ')')).message.find("nested"), std::string::npos);
  std::string many = "clicks>0";
  for (int i = 0; i < 300; ++i) many += " or clicks>0";  // 3,608 bytes: within the length bound
  EXPECT_NE(Error(many).message.find("more than 256 terms"), std::string::npos);
  std::string values = "country in (";
  for (int i = 0; i < 101; ++i) values += std::string(i ? "," : "") + "\"A" + std::to_string(i) + "\"";
  EXPECT_NE(Error(values + ")").message.find("more than 100 values"), std::string::npos);
  // Deep "not not not ..." is nesting too.
  std::string nots;
  for (int i = 0; i < 40; ++i) nots += "not ";
  EXPECT_NE(Error(nots + "clicks > 0").message.find("nested"), std::string::npos);
}

}  // namespace
}  // namespace herald::campaign
