// Campaigns as a marketer uses them, over real TCP: a post belongs to its
// campaign the same way everywhere (the scheduler's post, the campaign's
// listing, analytics' counts), closed and unknown campaigns take no posts,
// pausing holds a campaign's posts and activating releases them, completing
// cancels what is left, and every refusal names its field and stores nothing.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/time_util.h"
#include "herald/analytics/v1/analytics.grpc.pb.h"
#include "herald/campaign/v1/campaign.grpc.pb.h"
#include "herald/publisher/v1/publisher.grpc.pb.h"
#include "herald/scheduler/v1/scheduler.grpc.pb.h"
#include "e2e_util.h"
#include "platform.h"
#include "suite_platform.h"
#include "support/process.h"

namespace herald {
namespace {

using herald::testing::Ctx;
using herald::testing::Eventually;
using herald::testing::HttpJson;
using herald::testing::NowMs;
using herald::testing::Platform;
namespace sched = herald::scheduler::v1;
namespace pub = herald::publisher::v1;
namespace cmp = herald::campaign::v1;
namespace an = herald::analytics::v1;

class Campaigns : public herald::testing::SuitePlatform<Campaigns> {
 protected:

  std::string Connect(const std::string& ws) {
    pub::ConnectChannelRequest req;
    req.set_workspace_id(ws);
    req.set_network(herald::common::v1::NETWORK_MASTODON);
    req.set_base_url(p().simulator_url());
    req.set_access_token("e2e-token");
    pub::Channel ch;
    auto s = Stub<pub::PublisherService>("publisher")->ConnectChannel(Ctx().get(), req, &ch);
    EXPECT_TRUE(s.ok()) << s.error_message() << p().Logs();
    return ch.id();
  }

  cmp::Campaign NewCampaign(const std::string& ws, const std::string& name, bool activate = true) {
    cmp::CreateCampaignRequest cc;
    cc.set_workspace_id(ws);
    cc.set_name(name);
    cc.set_objective(cmp::OBJECTIVE_TRAFFIC);
    cc.set_activate(activate);
    cmp::Campaign c;
    auto s = Stub<cmp::CampaignService>("campaign")->CreateCampaign(Ctx().get(), cc, &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return c;
  }

  grpc::Status Post(const std::string& ws, const std::string& channel, const std::string& campaign, int64_t in_ms,
                    sched::Post* out, const std::string& text = "campaign post") {
    sched::CreatePostRequest r;
    r.set_workspace_id(ws);
    r.set_text(text + " " + std::to_string(NowMs()));
    r.add_channel_ids(channel);
    r.set_campaign_id(campaign);
    *r.mutable_publish_at() = FromMs(NowMs() + in_ms);
    return Stub<sched::SchedulerService>("scheduler")->CreatePost(Ctx().get(), r, out);
  }

  sched::PostState StateOf(const std::string& ws, const std::string& post_id) {
    sched::GetPostRequest g;
    g.set_workspace_id(ws);
    g.set_post_id(post_id);
    sched::Post post;
    if (!Stub<sched::SchedulerService>("scheduler")->GetPost(Ctx().get(), g, &post).ok()) return {};
    return post.state();
  }

  cmp::Campaign Get(const std::string& ws, const std::string& id) {
    cmp::GetCampaignRequest g;
    g.set_workspace_id(ws);
    g.set_campaign_id(id);
    cmp::Campaign c;
    auto s = Stub<cmp::CampaignService>("campaign")->GetCampaign(Ctx().get(), g, &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return c;
  }

  grpc::Status SetStatus(const std::string& ws, const std::string& id, cmp::CampaignStatus status,
                         cmp::Campaign* out) {
    cmp::SetCampaignStatusRequest r;
    r.set_workspace_id(ws);
    r.set_campaign_id(id);
    r.set_status(status);
    return Stub<cmp::CampaignService>("campaign")->SetCampaignStatus(Ctx().get(), r, out);
  }

  an::CampaignStats Stats(const std::string& ws, const std::string& id) {
    an::GetCampaignStatsRequest r;
    r.set_workspace_id(ws);
    r.set_campaign_id(id);
    an::CampaignStats s;
    (void)Stub<an::AnalyticsService>("analytics")->GetCampaignStats(Ctx().get(), r, &s);
    return s;
  }

};

void ExpectInvalid(const grpc::Status& s, const std::string& field) {
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field << ": " << s.error_message();
  EXPECT_NE(s.error_message().find(field), std::string::npos) << "does not name " << field << ": " << s.error_message();
}

TEST_F(Campaigns, APostBelongsToItsCampaignTheSameWayEverywhere) {
  const std::string ws = "cmp-members";
  std::string channel = Connect(ws);
  cmp::Campaign campaign = NewCampaign(ws, "Members");

  // Created in the campaign: the campaign lists it at once.
  sched::Post created;
  ASSERT_TRUE(Post(ws, channel, campaign.id(), 1500, &created).ok()) << p().Logs();
  EXPECT_EQ(created.campaign_id(), campaign.id());
  cmp::Campaign got = Get(ws, campaign.id());
  EXPECT_EQ(got.post_count(), 1);
  ASSERT_EQ(got.post_ids_size(), 1);
  EXPECT_EQ(got.post_ids(0), created.id());

  // Published without a campaign, attached afterwards: it counts as published for it.
  sched::Post loose;
  ASSERT_TRUE(Post(ws, channel, "", 1500, &loose).ok());
  ASSERT_TRUE(Eventually([&] {
    return StateOf(ws, created.id()) == sched::POST_STATE_PUBLISHED &&
           StateOf(ws, loose.id()) == sched::POST_STATE_PUBLISHED;
  })) << p().Logs();
  cmp::AttachPostRequest attach;
  attach.set_workspace_id(ws);
  attach.set_campaign_id(campaign.id());
  attach.set_post_id(loose.id());
  cmp::Campaign after;
  ASSERT_TRUE(Stub<cmp::CampaignService>("campaign")->AttachPost(Ctx().get(), attach, &after).ok());
  ASSERT_TRUE(Stub<cmp::CampaignService>("campaign")->AttachPost(Ctx().get(), attach, &after).ok());  // idempotent
  EXPECT_EQ(after.post_count(), 2);

  // Another campaign cannot take it over.
  cmp::Campaign other = NewCampaign(ws, "Other");
  attach.set_campaign_id(other.id());
  EXPECT_EQ(Stub<cmp::CampaignService>("campaign")->AttachPost(Ctx().get(), attach, &after).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  // The scheduler lists the campaign's posts from its own index.
  sched::ListPostsRequest lp;
  lp.set_workspace_id(ws);
  lp.set_campaign_id(campaign.id());
  sched::ListPostsResponse listed;
  ASSERT_TRUE(Stub<sched::SchedulerService>("scheduler")->ListPosts(Ctx().get(), lp, &listed).ok());
  EXPECT_EQ(listed.total_size(), 2);
  EXPECT_EQ(listed.posts_size(), 2);

  // Analytics: two posts, two published, however the events were repeated.
  an::CampaignStats stats;
  ASSERT_TRUE(Eventually([&] {
    stats = Stats(ws, campaign.id());
    return stats.posts() >= 2 && stats.posts_published() >= 2;
  })) << stats.DebugString() << p().Logs();
  std::this_thread::sleep_for(std::chrono::seconds(2));  // a duplicate would have landed by now
  stats = Stats(ws, campaign.id());
  EXPECT_EQ(stats.posts(), 2);
  EXPECT_EQ(stats.posts_published(), 2);
  EXPECT_EQ(Stats(ws, other.id()).posts(), 0);
}

TEST_F(Campaigns, UnknownAndClosedCampaignsTakeNoPosts) {
  const std::string ws = "cmp-closed";
  std::string channel = Connect(ws);
  auto scheduler = Stub<sched::SchedulerService>("scheduler");
  sched::ListPostsRequest lp;
  lp.set_workspace_id(ws);
  sched::ListPostsResponse before, after;
  ASSERT_TRUE(scheduler->ListPosts(Ctx().get(), lp, &before).ok());

  sched::Post out;
  ExpectInvalid(Post(ws, channel, "c_never_created", 60000, &out), "campaign_id");
  // Another workspace's campaign is as unknown as a made-up one.
  cmp::Campaign foreign = NewCampaign("cmp-elsewhere", "Elsewhere");
  ExpectInvalid(Post(ws, channel, foreign.id(), 60000, &out), "campaign_id");

  // A campaign on named channels takes posts for those only.
  cmp::CreateCampaignRequest cc;
  cc.set_workspace_id(ws);
  cc.set_name("Narrow");
  cc.set_objective(cmp::OBJECTIVE_AWARENESS);
  cc.add_channel_ids("ch_some_other");
  cmp::Campaign narrow;
  ASSERT_TRUE(Stub<cmp::CampaignService>("campaign")->CreateCampaign(Ctx().get(), cc, &narrow).ok());
  ExpectInvalid(Post(ws, channel, narrow.id(), 60000, &out), "channel_ids[0]");

  // Completed, then archived: neither new posts nor attachments.
  cmp::Campaign done = NewCampaign(ws, "Done");
  sched::Post loose;
  ASSERT_TRUE(Post(ws, channel, "", 3600000, &loose).ok());
  cmp::Campaign c;
  ASSERT_TRUE(SetStatus(ws, done.id(), cmp::CAMPAIGN_STATUS_COMPLETED, &c).ok());
  EXPECT_EQ(c.status(), cmp::CAMPAIGN_STATUS_COMPLETED);
  EXPECT_EQ(Post(ws, channel, done.id(), 60000, &out).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  cmp::AttachPostRequest attach;
  attach.set_workspace_id(ws);
  attach.set_campaign_id(done.id());
  attach.set_post_id(loose.id());
  EXPECT_EQ(Stub<cmp::CampaignService>("campaign")->AttachPost(Ctx().get(), attach, &c).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(SetStatus(ws, done.id(), cmp::CAMPAIGN_STATUS_ARCHIVED, &c).ok());
  EXPECT_EQ(Post(ws, channel, done.id(), 60000, &out).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // Archived is final; a draft cannot be paused.
  EXPECT_EQ(SetStatus(ws, done.id(), cmp::CAMPAIGN_STATUS_ACTIVE, &c).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  cmp::Campaign draft = NewCampaign(ws, "Plan", /*activate=*/false);
  EXPECT_EQ(draft.status(), cmp::CAMPAIGN_STATUS_DRAFT);
  EXPECT_EQ(SetStatus(ws, draft.id(), cmp::CAMPAIGN_STATUS_PAUSED, &c).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  ASSERT_TRUE(scheduler->ListPosts(Ctx().get(), lp, &after).ok());
  EXPECT_EQ(after.posts_size(), before.posts_size() + 1);  // only `loose`
  EXPECT_EQ(Get(ws, done.id()).post_count(), 0);
}

TEST_F(Campaigns, PausingHoldsTheCampaignsPostsAndActivatingReleasesThem) {
  const std::string ws = "cmp-pause";
  std::string channel = Connect(ws);
  cmp::Campaign campaign = NewCampaign(ws, "Pausable");
  cmp::Campaign c;
  ASSERT_TRUE(SetStatus(ws, campaign.id(), cmp::CAMPAIGN_STATUS_PAUSED, &c).ok());
  EXPECT_EQ(c.status(), cmp::CAMPAIGN_STATUS_PAUSED);
  sched::Post held, free;
  ASSERT_TRUE(Post(ws, channel, campaign.id(), 1500, &held, "held while paused").ok());  // a paused campaign still takes posts
  ASSERT_TRUE(Post(ws, channel, "", 1500, &free, "not in the campaign").ok());
  // The post outside the campaign goes out; the campaign's is held.
  ASSERT_TRUE(Eventually([&] {
    return StateOf(ws, free.id()) == sched::POST_STATE_PUBLISHED && StateOf(ws, held.id()) == sched::POST_STATE_HELD;
  })) << sched::PostState_Name(StateOf(ws, held.id())) << p().Logs();
  ASSERT_TRUE(SetStatus(ws, campaign.id(), cmp::CAMPAIGN_STATUS_ACTIVE, &c).ok());
  ASSERT_TRUE(Eventually([&] { return StateOf(ws, held.id()) == sched::POST_STATE_PUBLISHED; })) << p().Logs();
  nlohmann::json ledger = HttpJson("GET", p().simulator_url() + "/_sim/ledger");
  int held_copies = 0;
  for (const auto& entry : ledger) held_copies += entry.value("text", "").rfind("held while paused", 0) == 0;
  EXPECT_EQ(held_copies, 1);  // once, after the release
}

TEST_F(Campaigns, CompletingCancelsWhatIsLeftToPublish) {
  const std::string ws = "cmp-complete";
  std::string channel = Connect(ws);
  cmp::Campaign campaign = NewCampaign(ws, "Short");
  sched::Post later;
  ASSERT_TRUE(Post(ws, channel, campaign.id(), 3600000, &later).ok());
  cmp::Campaign c;
  ASSERT_TRUE(SetStatus(ws, campaign.id(), cmp::CAMPAIGN_STATUS_COMPLETED, &c).ok());
  EXPECT_EQ(StateOf(ws, later.id()), sched::POST_STATE_CANCELED);
  // Completing again (a retry) changes nothing and succeeds.
  ASSERT_TRUE(SetStatus(ws, campaign.id(), cmp::CAMPAIGN_STATUS_COMPLETED, &c).ok());
  EXPECT_EQ(c.version(), Get(ws, campaign.id()).version());
}

TEST_F(Campaigns, UpdatesAreVersionedListsFilterAndBadInputChangesNothing) {
  const std::string ws = "cmp-update";
  auto campaigns = Stub<cmp::CampaignService>("campaign");
  cmp::Campaign campaign = NewCampaign(ws, "Versioned");
  EXPECT_EQ(campaign.version(), 1);

  cmp::UpdateCampaignRequest u;
  u.set_workspace_id(ws);
  u.set_campaign_id(campaign.id());
  u.add_update_mask("owner");
  u.add_update_mask("end_date");
  u.add_update_mask("start_date");
  u.add_update_mask("time_zone");
  u.mutable_campaign()->set_owner("maria");
  u.mutable_campaign()->set_time_zone("Europe/Berlin");
  u.mutable_campaign()->set_start_date("2026-12-01");
  u.mutable_campaign()->set_end_date("2026-12-24");
  u.set_expected_version(1);
  cmp::Campaign updated;
  ASSERT_TRUE(campaigns->UpdateCampaign(Ctx().get(), u, &updated).ok());
  EXPECT_EQ(updated.version(), 2);
  EXPECT_EQ(updated.owner(), "maria");
  EXPECT_EQ(updated.name(), "Versioned");  // not in the mask
  // Written against version 1 again: a lost update, refused.
  EXPECT_EQ(campaigns->UpdateCampaign(Ctx().get(), u, &updated).error_code(), grpc::StatusCode::ABORTED);

  // Bad input: named, and the campaign is as it was.
  cmp::UpdateCampaignRequest bad = u;
  bad.set_expected_version(0);
  bad.clear_update_mask();
  bad.add_update_mask("status");
  ExpectInvalid(campaigns->UpdateCampaign(Ctx().get(), bad, &updated), "update_mask[0]");
  bad.clear_update_mask();
  bad.add_update_mask("end_date");
  bad.mutable_campaign()->set_end_date("2026-11-01");
  ExpectInvalid(campaigns->UpdateCampaign(Ctx().get(), bad, &updated), "campaign.end_date");
  cmp::SetCampaignStatusRequest st;
  st.set_workspace_id(ws);
  st.set_campaign_id(campaign.id());
  ExpectInvalid(campaigns->SetCampaignStatus(Ctx().get(), st, &updated), "status");
  cmp::ListCampaignsRequest lc;
  lc.set_workspace_id(ws);
  lc.set_page_size(500);
  cmp::ListCampaignsResponse list;
  ExpectInvalid(campaigns->ListCampaigns(Ctx().get(), lc, &list), "page_size");
  cmp::CreateCampaignRequest cc;
  cc.set_workspace_id(ws);
  cc.set_name("Bad flight");
  cc.set_objective(cmp::OBJECTIVE_AWARENESS);
  cc.set_start_date("2026-12-01");
  cc.set_end_date("2026-12-31");
  cc.set_time_zone("Nowhere/Land");
  ExpectInvalid(campaigns->CreateCampaign(Ctx().get(), cc, &updated), "time_zone");
  cmp::Campaign now = Get(ws, campaign.id());
  EXPECT_EQ(now.version(), 2);
  EXPECT_EQ(now.end_date(), "2026-12-24");

  // Lists: newest first, filtered by owner, status and flight.
  NewCampaign(ws, "Second");
  lc.set_page_size(0);
  ASSERT_TRUE(campaigns->ListCampaigns(Ctx().get(), lc, &list).ok());
  ASSERT_EQ(list.campaigns_size(), 2);  // the refused create stored nothing
  EXPECT_EQ(list.campaigns(0).name(), "Second");
  lc.set_owner("maria");
  ASSERT_TRUE(campaigns->ListCampaigns(Ctx().get(), lc, &list).ok());
  ASSERT_EQ(list.campaigns_size(), 1);
  EXPECT_EQ(list.campaigns(0).id(), campaign.id());
  lc.clear_owner();
  lc.set_from_date("2027-01-01");
  ASSERT_TRUE(campaigns->ListCampaigns(Ctx().get(), lc, &list).ok());
  ASSERT_EQ(list.campaigns_size(), 1);  // "Second" has no flight: it always runs
  EXPECT_EQ(list.campaigns(0).name(), "Second");
}

TEST_F(Campaigns, HeraldctlRunsACampaignsLifeWithExactMoney) {
  const std::string ws = "cmp-ctl";
  auto ctl = [&](const std::string& args, int want_exit = 0) {
    return herald::testing::Heraldctl(p().operator_key(),
                                      "--campaign-addr " + p().Grpc("campaign") + " --workspace " + ws + " " + args,
                                      want_exit);
  };
  std::string created = ctl(
      "create campaign --name 'Spring sale' --objective conversions --budget 1500.50 --daily-budget 100 "
      "--currency EUR --zone Europe/Berlin --start 2027-03-01 --end 2027-03-31 --target-cpa 12.5 --target-roas 4 "
      "--utm-source herald --utm-medium social -o json");
  auto c = nlohmann::json::parse(created, nullptr, false);
  ASSERT_TRUE(c.is_object()) << created;
  std::string id = c["id"];
  EXPECT_EQ(c["budget"]["micros"], "1500500000");  // exact: no binary fraction on the way
  EXPECT_EQ(c["targets"]["cpa"]["micros"], "12500000");
  EXPECT_EQ(c["status"], "CAMPAIGN_STATUS_DRAFT");
  EXPECT_NE(ctl("activate campaign " + id).find("active"), std::string::npos);
  EXPECT_NE(ctl("pause campaign " + id + " --reason 'stock check'").find("paused"), std::string::npos);
  std::string listed = ctl("get campaigns --status paused");
  EXPECT_NE(listed.find(id), std::string::npos) << listed;
  EXPECT_NE(listed.find("1500.50 EUR"), std::string::npos) << listed;
  EXPECT_NE(ctl("update campaign " + id + " --owner maria").find("version 4"), std::string::npos);
  std::string shown = ctl("get campaign " + id);
  EXPECT_NE(shown.find("maria"), std::string::npos) << shown;
  EXPECT_NE(shown.find("2027-03-01..2027-03-31 Europe/Berlin"), std::string::npos) << shown;
  // Refusals keep kubectl's shape and exit codes.
  EXPECT_NE(ctl("create campaign --name x --objective sales", 2).find("--objective"), std::string::npos);
  EXPECT_NE(ctl("create campaign --name x --objective traffic --budget 1.2345678", 2).find("--budget"),
            std::string::npos);
  EXPECT_NE(ctl("archive campaign " + id, 1).find("cannot go from PAUSED to ARCHIVED"), std::string::npos);
}

}  // namespace
}  // namespace herald
