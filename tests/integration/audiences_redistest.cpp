// Profiles and segments in a real Redis: a mention counts once however often
// it is delivered, a CRM import replaces the CRM fields (re-importing the same
// file changes nothing), samples are uniform and complete when asked for all,
// and a segment's create request is idempotent.
#include "campaign/audiences/profile_store.h"

#include <set>

#include "campaign/audiences/profile_rules.h"
#include "common/time_util.h"
#include "redis_fixture.h"

namespace herald::campaign {
namespace {

class Profiles : public herald::testing::RedisTest {
 protected:
  ProfileStore store{redis()};

  static ProfileStore::MentionUpdate Mention(const std::string& id, const std::string& author, int64_t at_ms,
                                             std::optional<int64_t> sentiment = std::nullopt) {
    ProfileStore::MentionUpdate u;
    u.workspace_id = "ws";
    u.mention_id = id;
    u.profile_id = *SocialProfileId("x", author);
    u.network = "x";
    u.author = author;
    u.language = "de";
    u.sentiment_milli = sentiment;
    u.at_ms = at_ms;
    return u;
  }
};

TEST_F(Profiles, AMentionCountsOnceHoweverOftenDelivered) {
  auto first = store.ApplyMentions({Mention("m1", "@fan", 1000, 500), Mention("m2", "@fan", 3000, -100),
                                    Mention("m1", "@fan", 1000, 500)});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, 2);
  auto again = store.ApplyMentions({Mention("m2", "@fan", 3000, -100)});  // a redelivery
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  auto reply = Mention("m3", "@fan", 2000);
  reply.reply = true;
  ASSERT_TRUE(store.ApplyMentions({reply}).ok());
  auto got = store.Get("ws", "x:@fan");
  ASSERT_TRUE(got.ok() && got->has_value());
  const Profile& p = (*got)->first;
  EXPECT_EQ((*got)->second, "@fan");
  EXPECT_EQ(p.mentions, 2);
  EXPECT_EQ(p.replies, 1);
  EXPECT_EQ(p.scored, 2);
  EXPECT_DOUBLE_EQ(p.sentiment(), 0.2);
  EXPECT_EQ(p.last_engaged_ms, 3000);  // the latest, whatever order they came in
  EXPECT_EQ(p.language, "de");
  EXPECT_EQ(*store.Count("ws"), 1);
}

TEST_F(Profiles, ACrmImportReplacesTheCrmFieldsAndKeepsTheRest) {
  const std::string id = "crm:abc";
  ASSERT_TRUE(store.ImportRows("ws", {{id, {{"co", "DE"}, {"tags", "vip"}, {"a:plan", "pro"}, {"a:seats", "5"}}}}).ok());
  // A mention-like count the CRM does not own survives the next import.
  ASSERT_TRUE(redis().Command({"HINCRBY", ProfileKey("ws", id), "cvn", "2"}).ok());
  ASSERT_TRUE(store.ImportRows("ws", {{id, {{"co", "AT"}, {"a:plan", "team"}}}}).ok());
  ASSERT_TRUE(store.ImportRows("ws", {{id, {{"co", "AT"}, {"a:plan", "team"}}}}).ok());  // the same file again
  auto got = store.Get("ws", id);
  ASSERT_TRUE(got.ok() && got->has_value());
  const Profile& p = (*got)->first;
  EXPECT_EQ(p.network, "crm");
  EXPECT_EQ(p.country, "AT");
  EXPECT_TRUE(p.tags.empty());
  EXPECT_EQ(p.attributes, (std::vector<std::pair<std::string, std::string>>{{"plan", "team"}}));
  EXPECT_EQ(p.conversions, 2);
  EXPECT_EQ(*store.Count("ws"), 1);
}

TEST_F(Profiles, SamplesAreDistinctAndCompleteWhenAskedForAll) {
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> rows;
  for (int i = 0; i < 2500; ++i) rows.push_back({"crm:" + std::to_string(i), {{"co", i % 2 ? "DE" : "AT"}}});
  ASSERT_TRUE(store.ImportRows("ws", rows).ok());
  EXPECT_EQ(*store.Count("ws"), 2500);
  auto some = store.Sample("ws", 1000);
  ASSERT_TRUE(some.ok());
  std::set<std::string> ids;
  int de = 0;
  for (const auto& p : *some) {
    ids.insert(p.id);
    de += p.country == "DE";
  }
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_GT(de, 400);  // half of them, give or take (a 6-sigma band)
  EXPECT_LT(de, 600);
  auto all = store.Sample("ws", 100000);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2500u);
  EXPECT_TRUE(store.Sample("empty_ws", 10)->empty());
}

TEST_F(Profiles, ASegmentsCreateRequestIsIdempotent) {
  v1::Segment s;
  s.set_id("seg_1");
  s.set_workspace_id("ws");
  s.set_name("fans");
  s.set_expression("mentions > 1");
  auto made = store.CreateSegment(s, "req-1");
  ASSERT_TRUE(made.ok()) << made.status();
  v1::Segment retry = s;
  retry.set_id("seg_2");  // a retry would draw another id: the first is answered
  auto again = store.CreateSegment(retry, "req-1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id(), "seg_1");
  EXPECT_EQ(store.ListSegments("ws")->size(), 1u);
  ASSERT_TRUE(store.DeleteSegment("ws", "seg_1").ok());
  EXPECT_FALSE(store.GetSegment("ws", "seg_1")->has_value());
  EXPECT_TRUE(store.ListSegments("ws")->empty());
}

}  // namespace
}  // namespace herald::campaign
