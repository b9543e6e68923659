// Campaigns and a campaign's posts in a real Redis: the campaign service's
// store (create once, compare-and-set updates, newest-first listing) and the
// scheduler's side of membership (the post's campaign and its index, set in
// one step, what went out before the join kept with it).
#include "campaign/campaign_store.h"

#include <thread>

#include "campaign/links/link_maker.h"
#include "campaign/links/link_store.h"

#include "common/time_util.h"
#include "redis_fixture.h"
#include "scheduler/post_rules.h"
#include "scheduler/post_store.h"

namespace herald {
namespace {

using herald::testing::RedisTest;
namespace cmp = herald::campaign::v1;

constexpr int64_t kNow = 1'800'000'000'000;

cmp::Campaign MakeCampaign(const std::string& id, int64_t created_ms) {
  cmp::Campaign c;
  c.set_id(id);
  c.set_workspace_id("ws");
  c.set_name("campaign " + id);
  c.set_objective(cmp::OBJECTIVE_TRAFFIC);
  c.set_status(cmp::CAMPAIGN_STATUS_DRAFT);
  c.set_version(1);
  *c.mutable_create_time() = FromMs(created_ms);
  return c;
}

class CampaignStoreTest : public RedisTest {
 protected:
  campaign::CampaignStore store{redis()};
};

TEST_F(CampaignStoreTest, CreateIsOnceAndARetryGetsTheFirst) {
  auto a = store.Create(MakeCampaign("c_1", kNow));
  ASSERT_TRUE(a.ok()) << a.status();
  auto again = MakeCampaign("c_1", kNow + 5);
  again.set_name("second try");
  auto b = store.Create(again);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->name(), "campaign c_1");
  auto listed = store.List("ws", 10, "");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->campaigns.size(), 1u);
  EXPECT_TRUE(absl::IsNotFound(store.Get("other_ws", "c_1").status()));
}

TEST_F(CampaignStoreTest, ReplaceIsACompareAndSetOnTheVersion) {
  ASSERT_TRUE(store.Create(MakeCampaign("c_1", kNow)).ok());
  auto v2 = MakeCampaign("c_1", kNow);
  v2.set_name("renamed");
  v2.set_version(2);
  ASSERT_TRUE(store.Replace(v2, 1).ok());
  auto stale = v2;
  stale.set_name("lost update");
  stale.set_version(2);
  EXPECT_TRUE(absl::IsAborted(store.Replace(stale, 1)));  // written against version 1, now 2
  EXPECT_EQ(store.Get("ws", "c_1")->name(), "renamed");
  EXPECT_TRUE(absl::IsNotFound(store.Replace(MakeCampaign("c_none", kNow), 0)));
  // Undoing a create deletes only an untouched campaign.
  ASSERT_TRUE(store.Delete("ws", "c_1").ok());
  EXPECT_TRUE(store.Get("ws", "c_1").ok());
}

TEST_F(CampaignStoreTest, ListsNewestFirstInPagesThatNeitherRepeatNorSkip) {
  for (int i = 0; i < 25; ++i) {
    // Several in the same millisecond: the id orders them.
    ASSERT_TRUE(store.Create(MakeCampaign("c_" + std::to_string(100 + i), kNow + i / 3)).ok());
  }
  std::vector<std::string> seen;
  std::string cursor;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = store.List("ws", 7, cursor);
    ASSERT_TRUE(page.ok());
    for (const auto& c : page->campaigns) seen.push_back(c.id());
    cursor = page->next;
    if (cursor.empty()) break;
  }
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_EQ(seen.front(), "c_124");
  EXPECT_EQ(seen.back(), "c_100");
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), 25u);
}

class CampaignMembershipTest : public RedisTest {
 protected:
  scheduler::PostStore posts{redis(), 4};

  scheduler::v1::Post MakePost(const std::string& id, const std::string& campaign) {
    scheduler::v1::CreatePostRequest r;
    r.set_workspace_id("ws");
    r.set_text("text of " + id);
    r.add_channel_ids("ch1");
    r.set_campaign_id(campaign);
    *r.mutable_publish_at() = FromMs(kNow + 60000);
    return scheduler::BuildPost(r, id, kNow + 60000, kNow);
  }
};

TEST_F(CampaignMembershipTest, PostsCreatedInACampaignAndAttachedLaterAreListedInJoinOrder) {
  ASSERT_TRUE(posts.Create(MakePost("p_a", "c_1")).ok());
  ASSERT_TRUE(posts.Create(MakePost("p_b", "")).ok());
  ASSERT_TRUE(posts.Create(MakePost("p_c", "c_2")).ok());
  auto page = posts.ListCampaign(WorkspaceId("ws"), "c_1", 100, "");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->total, 1);

  auto attached = posts.AttachCampaign(PostId("p_b"), "c_1", AtMs(kNow + 10));
  ASSERT_TRUE(attached.ok()) << attached.status();
  EXPECT_EQ(attached->campaign_id(), "c_1");
  EXPECT_EQ(posts.Get(PostId("p_b"))->campaign_id(), "c_1");
  // Again: unchanged, still one entry.
  ASSERT_TRUE(posts.AttachCampaign(PostId("p_b"), "c_1", AtMs(kNow + 20)).ok());
  // Another campaign's post stays where it is.
  auto other = posts.AttachCampaign(PostId("p_c"), "c_1", AtMs(kNow + 30));
  EXPECT_TRUE(absl::IsFailedPrecondition(other.status())) << other.status();
  EXPECT_TRUE(absl::IsNotFound(posts.AttachCampaign(PostId("p_none"), "c_1", AtMs(kNow)).status()));

  page = posts.ListCampaign(WorkspaceId("ws"), "c_1", 100, "");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 2);
  ASSERT_EQ(page->posts.size(), 2u);
  EXPECT_EQ(page->posts[0].id(), "p_a");
  EXPECT_EQ(page->posts[1].id(), "p_b");
  // One at a time: the cursor moves on, and ends.
  auto first = posts.ListCampaign(WorkspaceId("ws"), "c_1", 1, "");
  ASSERT_EQ(first->posts.size(), 1u);
  auto second = posts.ListCampaign(WorkspaceId("ws"), "c_1", 1, first->next);
  ASSERT_EQ(second->posts.size(), 1u);
  EXPECT_EQ(second->posts[0].id(), "p_b");
  auto none = posts.ListCampaign(WorkspaceId("ws"), "c_1", 1, second->next);
  EXPECT_TRUE(none->posts.empty());
  EXPECT_TRUE(none->next.empty());
}

TEST_F(CampaignMembershipTest, WhatWentOutBeforeTheJoinIsKeptWithIt) {
  auto post = MakePost("p_pub", "");
  ASSERT_TRUE(posts.Create(post).ok());
  herald::events::v1::PublishResult r;
  r.set_post_id("p_pub");
  r.set_channel_id("ch1");
  r.set_occurrence_ms(kNow + 60000);
  r.set_outcome(herald::events::v1::PUBLISH_OUTCOME_PUBLISHED);
  auto updated = posts.Update(PostId("p_pub"), [&](scheduler::v1::Post& p, scheduler::DueChange*) {
    return scheduler::ApplyResult(p, r, kNow + 61000).changed;
  });
  ASSERT_TRUE(updated.ok() && updated->has_value());
  auto attached = posts.AttachCampaign(PostId("p_pub"), "c_1", AtMs(kNow + 70000));
  ASSERT_TRUE(attached.ok());
  ASSERT_EQ(attached->published_before_campaign_size(), 1);
  EXPECT_EQ(attached->published_before_campaign(0), "ch1@" + std::to_string(kNow + 60000));
  EXPECT_EQ(scheduler::MembershipEvents(*attached).size(), 2u);  // the join and that delivery
}

class LinkStoreTest : public RedisTest {
 protected:
  campaign::LinkStore links{redis()};
  cmp::Campaign campaign = [] {
    auto c = MakeCampaign("c_links", kNow);
    c.mutable_utm()->set_source("herald");
    return c;
  }();
};

TEST_F(LinkStoreTest, TheSameLinkAskedTwiceIsOneLinkAndCodesNeverCollide) {
  ManualClock clock(kNow);
  campaign::LinkMaker maker(links, clock, "http://go.test");
  auto a = maker.Make(campaign, "https://shop.example.com/", cmp::Utm(), "p_1", "ch1", "");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->short_url(), "http://go.test/l/" + a->code());
  EXPECT_EQ(a->target_url(), "https://shop.example.com/?utm_source=herald&utm_campaign=campaign%20c_links");
  auto again = maker.Make(campaign, "https://shop.example.com/", cmp::Utm(), "p_1", "ch1", "");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->code(), a->code());
  clock.AdvanceMs(1);  // listed in the order made
  auto other_channel = maker.Make(campaign, "https://shop.example.com/", cmp::Utm(), "p_1", "ch2", "");
  ASSERT_TRUE(other_channel.ok());
  EXPECT_NE(other_channel->code(), a->code());

  // A code that is taken is refused, whatever link asks for it.
  cmp::TrackedLink squatter = *a;
  squatter.set_post_id("p_other");
  auto taken = links.Create(squatter, "another-identity");
  ASSERT_TRUE(taken.ok());
  EXPECT_FALSE(taken->has_value());
  EXPECT_EQ((*links.Get(a->code()))->post_id(), "p_1");

  auto page = links.List("ws", "c_links", 10, "");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->links.size(), 2u);
  EXPECT_EQ(page->links[0].code(), a->code());  // oldest first
  EXPECT_FALSE(links.Get("ZZZZZZZZ")->has_value());
}

TEST_F(LinkStoreTest, ConcurrentMakersOfOneLinkAgreeOnItsCode) {
  ManualClock clock(kNow);
  campaign::LinkMaker maker(links, clock, "http://go.test");
  std::vector<std::string> codes(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto l = maker.Make(campaign, "https://shop.example.com/race", cmp::Utm(), "p_race", "ch1", "b");
      if (l.ok()) codes[i] = l->code();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& c : codes) EXPECT_EQ(c, codes[0]);
  EXPECT_EQ(links.List("ws", "c_links", 10, "")->links.size(), 1u);
}

TEST_F(LinkStoreTest, AClientsSecondClickWithinTheWindowIsARepeat) {
  EXPECT_TRUE(*links.FirstClick("Ab3dE5gH", "ip1", 200));
  EXPECT_FALSE(*links.FirstClick("Ab3dE5gH", "ip1", 200));
  EXPECT_TRUE(*links.FirstClick("Ab3dE5gH", "ip2", 200));  // another client
  EXPECT_TRUE(*links.FirstClick("Zz3dE5gH", "ip1", 200));  // another link
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(*links.FirstClick("Ab3dE5gH", "ip1", 200));  // the window passed
}

TEST_F(LinkStoreTest, AClickIsKeptForConversionsAndForgottenAfterItsRetention) {
  EXPECT_TRUE(*links.RecordClick("Ab3dE5gH", "ip9", 60000, "k_kept", "click bytes", 300));
  EXPECT_FALSE(*links.RecordClick("Ab3dE5gH", "ip9", 60000, "k_again", "other bytes", 300));  // a repeat, still kept
  EXPECT_EQ(**links.FindClick("k_kept"), "click bytes");
  EXPECT_EQ(**links.FindClick("k_again"), "other bytes");
  EXPECT_FALSE(links.FindClick("k_never")->has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_FALSE(links.FindClick("k_kept")->has_value());  // past its retention
}

}  // namespace
}  // namespace herald
