// The networks file and the content rules it drives (no I/O).
#include <gtest/gtest.h>

#include "publisher/content_rules.h"
#include "publisher/network_catalog.h"
#include "publisher/quota_plan.h"

namespace herald::publisher {
namespace {

using herald::common::v1::Network;

const NetworkProfile& Profile(Network n) { return *NetworkCatalog::Embedded().Find(n); }

TEST(NetworkCatalog, TheBuiltInFileDescribesEveryNetwork) {
  const auto& catalog = NetworkCatalog::Embedded();
  EXPECT_FALSE(catalog.version().empty());
  for (int n = herald::common::v1::Network_MIN + 1; n <= herald::common::v1::Network_MAX; ++n) {
    EXPECT_NE(catalog.Find(static_cast<Network>(n)), nullptr) << n;
  }
  EXPECT_EQ(Profile(Network::NETWORK_X).text.max_length, 280);
  EXPECT_EQ(Profile(Network::NETWORK_BLUESKY).quotas[0].Cost(CallKind::kPublish), 3);  // points
  EXPECT_DOUBLE_EQ(catalog.Class(Priority::kReply).reserve, 0.1);
  EXPECT_EQ(catalog.Class(Priority::kListen).rank, 2);
}

TEST(NetworkCatalog, RefusesABadFileNamingThePath) {
  auto bad = [](const std::string& json) { return std::string(NetworkCatalog::Parse(json).status().message()); };
  EXPECT_NE(bad("[1]").find("not a JSON object"), std::string::npos);
  EXPECT_NE(bad(R"({"networks":{}})").find("version"), std::string::npos);
  EXPECT_NE(bad(R"({"version":"1","networks":{"myspace":{}}})").find("networks.myspace: unknown network"),
            std::string::npos);
  EXPECT_NE(bad(R"({"version":"1","networks":{"x":{"text":{"max_length":0,"counting":"code_points"},"media":{"max":1}}}})")
                .find("networks.x.text.max_length"),
            std::string::npos);
  EXPECT_NE(bad(R"({"version":"1","networks":{"x":{"text":{"max_length":9,"counting":"bytes"},"media":{"max":1}}}})")
                .find("networks.x.text.counting"),
            std::string::npos);
  EXPECT_NE(bad(R"({"version":"1","networks":{"x":{"text":{"max_length":9,"counting":"code_points"},"media":{"max":1},
               "quotas":[{"scope":"account","windows":[{"name":"1h","limit":-5,"seconds":3600}]}]}}})")
                .find("networks.x.quotas[0].windows[0].limit"),
            std::string::npos);
  EXPECT_NE(bad(R"({"version":"1","priorities":{"reply":0.4,"listen":0.2},"networks":{}})").find("priorities.listen"),
            std::string::npos);  // a lower class leaving less than a higher one
  auto ok = NetworkCatalog::Parse(
      R"({"version":"7","networks":{"x":{"text":{"max_length":9,"counting":"code_points"},"media":{"max":1}}}})");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->version(), "7");
  EXPECT_EQ(ok->Find(Network::NETWORK_MASTODON), nullptr);
}

TEST(CountedLength, EachNetworkCountsItsOwnWay) {
  const auto& x = Profile(Network::NETWORK_X).text;
  const auto& bsky = Profile(Network::NETWORK_BLUESKY).text;
  const auto& mastodon = Profile(Network::NETWORK_MASTODON).text;
  std::string url = "https://example.com/a/very/long/path/that/is/more/than/twenty/three/characters";
  EXPECT_EQ(CountedLength("see " + url, x), 4 + 23);
  EXPECT_EQ(CountedLength("see " + url, mastodon), 4 + 23);
  EXPECT_EQ(CountedLength("see " + url, bsky), 4 + static_cast<int>(url.size()));  // Bluesky: as written
  EXPECT_EQ(CountedLength("héllo", x), 5);           // Latin-1 weighs 1
  EXPECT_EQ(CountedLength("日本語", x), 6);          // CJK weighs 2
  EXPECT_EQ(CountedLength("日本語", mastodon), 3);
  EXPECT_EQ(CountedLength("👍🏽", x), 2);              // an emoji with its skin tone: one emoji
  EXPECT_EQ(CountedLength("👍🏽", mastodon), 2);       // two code points
  EXPECT_EQ(CountedLength("👨‍👩‍👧", bsky), 1);           // a ZWJ family is one grapheme
  EXPECT_EQ(CountedLength("e\xCC\x81", bsky), 1);   // e + combining acute
  EXPECT_EQ(CountedLength("🇩🇪🇫🇷", bsky), 2);          // two flags
}

TEST(CheckContent, OverLengthMediaAndHashtagsAreNamed) {
  v1::ValidateContentRequest r;
  r.set_text(std::string(281, 'a'));
  auto x = CheckContent(r, Profile(Network::NETWORK_X));
  EXPECT_FALSE(x.ok());
  EXPECT_EQ(x.violations(0).field(), "text");
  EXPECT_EQ(x.length(), 281);
  EXPECT_EQ(x.max_length(), 280);

  r.set_text("a photo");
  auto ig = CheckContent(r, Profile(Network::NETWORK_INSTAGRAM));
  ASSERT_EQ(ig.violations_size(), 1);
  EXPECT_EQ(ig.violations(0).field(), "media_urls");  // Instagram needs media
  std::string tags;
  for (int i = 0; i < 31; ++i) tags += "#t" + std::to_string(i) + " ";
  r.set_text(tags);
  r.add_media_urls("https://cdn/1.jpg");
  ig = CheckContent(r, Profile(Network::NETWORK_INSTAGRAM));
  ASSERT_EQ(ig.violations_size(), 1);
  EXPECT_NE(ig.violations(0).message().find("31 hashtags"), std::string::npos);

  for (int i = 0; i < 4; ++i) r.add_media_urls("https://cdn/x.jpg");
  r.set_text("five images");
  EXPECT_EQ(CheckContent(r, Profile(Network::NETWORK_MASTODON)).violations(0).field(), "media_urls");
}

TEST(SplitThread, NumberedPartsThatEachFit) {
  const auto& rules = Profile(Network::NETWORK_X).text;
  std::string text;
  for (int i = 0; i < 120; ++i) text += "word" + std::to_string(i) + " ";
  auto parts = SplitThread(text, rules, 25);
  ASSERT_GE(parts.size(), 3u);
  std::string rejoined;
  for (size_t k = 0; k < parts.size(); ++k) {
    EXPECT_LE(CountedLength(parts[k], rules), rules.max_length) << parts[k];
    std::string suffix = " " + std::to_string(k + 1) + "/" + std::to_string(parts.size());
    ASSERT_EQ(parts[k].substr(parts[k].size() - suffix.size()), suffix);
    rejoined += parts[k].substr(0, parts[k].size() - suffix.size()) + " ";
  }
  EXPECT_EQ(rejoined, text);  // nothing lost, nothing reordered
  EXPECT_TRUE(SplitThread(text, rules, 2).empty());  // does not fit in 2
  EXPECT_EQ(SplitThread("short", rules, 5), std::vector<std::string>{"short"});

  v1::ValidateContentRequest r;
  r.set_text(text);
  r.set_split_into_thread(true);
  auto checked = CheckContent(r, Profile(Network::NETWORK_X));
  EXPECT_TRUE(checked.ok());
  EXPECT_EQ(static_cast<size_t>(checked.thread_parts_size()), parts.size());
  r.set_text(std::string(3001, 'a'));
  auto linkedin = CheckContent(r, Profile(Network::NETWORK_LINKEDIN));
  ASSERT_FALSE(linkedin.ok());
  EXPECT_NE(linkedin.violations(0).message().find("has no threads"), std::string::npos);
}

TEST(QuotaPlan, AppWindowsShareOneHashTagWithTheAccount) {
  auto x = PlanFor(Profile(Network::NETWORK_X), "ch_1", CallKind::kPublish);
  ASSERT_EQ(x.size(), 2u);
  EXPECT_EQ(x[0].key, "rl:{x}:acct:ch_1:15m");
  EXPECT_EQ(x[1].key, "rl:{x}:app:24h");
  auto bsky = PlanFor(Profile(Network::NETWORK_BLUESKY), "ch_2", CallKind::kPublish);
  ASSERT_EQ(bsky.size(), 2u);
  EXPECT_EQ(bsky[0].key, "rl:{bluesky:ch_2}:acct:ch_2:1h");
  EXPECT_EQ(bsky[0].cost, 3);
  // X's reads come from a window of their own, never from posting's.
  auto x_read = PlanFor(Profile(Network::NETWORK_X), "ch_1", CallKind::kRead);
  ASSERT_EQ(x_read.size(), 1u);
  EXPECT_EQ(x_read[0].key, "rl:{x}:acct:ch_1:read-15m");
  // Mastodon's one window is shared by reads and posts.
  auto m_read = PlanFor(Profile(Network::NETWORK_MASTODON), "ch_3", CallKind::kRead);
  auto m_post = PlanFor(Profile(Network::NETWORK_MASTODON), "ch_3", CallKind::kPublish);
  ASSERT_EQ(m_read.size(), 1u);
  ASSERT_EQ(m_post.size(), 1u);
  EXPECT_EQ(m_read[0].key, m_post[0].key);
}

}  // namespace
}  // namespace herald::publisher
