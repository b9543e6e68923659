// A mention's sentiment: English is scored (tagged, or plainly English when
// untagged), other languages are left unscored, HTML is read as text; the
// Mastodon parser carries it into the event and the inbox item. No I/O.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "listener/mention_parser.h"
#include "listener/sentiment/mention_sentiment.h"
#include "listener/sentiment/vader.h"

namespace herald::listener {
namespace {

TEST(MentionSentiment, EnglishIsScoredOtherLanguagesAreNot) {
  auto tagged = MentionSentiment("I love the new app!", "en");
  ASSERT_TRUE(tagged.scored());
  EXPECT_DOUBLE_EQ(tagged.compound(), Vader::Embedded().Score("I love the new app!").compound);
  EXPECT_GT(tagged.compound(), 0.5);
  EXPECT_NEAR(tagged.positive() + tagged.negative() + tagged.neutral(), 1.0, 1e-9);
  EXPECT_TRUE(MentionSentiment("this update is awful", "en-GB").scored());
  // Spanish, tagged: unscored, even though VADER would find "terrible" in it.
  EXPECT_FALSE(MentionSentiment("la aplicación es terrible", "es").scored());
  // Untagged: English when it reads as English, unscored otherwise.
  EXPECT_TRUE(MentionSentiment("the support was not helpful at all", "").scored());
  EXPECT_FALSE(MentionSentiment("die App ist leider schrecklich langsam", "").scored());
  EXPECT_FALSE(MentionSentiment("新しいアプリは最高です", "").scored());
  EXPECT_FALSE(MentionSentiment("", "").scored());
}

TEST(MentionSentiment, HtmlIsReadAsText) {
  EXPECT_EQ(PlainText("<p>Great &amp; fast<br>thanks &#39;team&#39;</p>"), "Great & fast thanks 'team'");
  EXPECT_EQ(PlainText("<p>I &lt;3 it</p>"), "I <3 it");  // an emoticon survives as text
  EXPECT_GT(MentionSentiment(PlainText("<p>I &lt;3 it</p>"), "en").compound(), 0.3);
  EXPECT_EQ(PlainText("<p>unclosed <a href="), "unclosed");
  EXPECT_EQ(PlainText("no tags"), "no tags");
}

TEST(MentionSentiment, TheParserCarriesLanguageAndSentimentToTheInbox) {
  auto body = [](const std::string& content, const std::string& language) {
    nlohmann::json j = {{"event", "mention.created"},
                        {"object", {{"id", "9"}, {"content", content}, {"language", language}, {"account", {{"acct", "fan"}}}}}};
    return j.dump();
  };
  auto m = ParseMastodonMention(body("<p>@brand this is the worst update ever</p>", "en"), "ws", "ch", 1000);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->language(), "en");
  EXPECT_EQ(m->text(), "@brand this is the worst update ever");  // HTML read as text
  ASSERT_TRUE(m->sentiment().scored());
  EXPECT_LT(m->sentiment().compound(), -0.5);
  auto item = ToInboxItem(*m);
  EXPECT_EQ(item.language(), "en");
  EXPECT_EQ(item.sentiment().compound(), m->sentiment().compound());
  auto french = ParseMastodonMention(body("<p>@brand c'est nul</p>", "fr"), "ws", "ch", 1000);
  ASSERT_TRUE(french.ok());
  EXPECT_FALSE(french->sentiment().scored());
  // A language tag that is not one is no tag; the mention is still taken.
  auto odd = ParseMastodonMention(body("<p>@brand thanks, it works great</p>", "en<script>"), "ws", "ch", 1000);
  ASSERT_TRUE(odd.ok()) << odd.status();
  EXPECT_EQ(odd->language(), "");
  EXPECT_TRUE(odd->sentiment().scored());  // plainly English
}

}  // namespace
}  // namespace herald::listener
