// The recommendation service with its real stores (Redis), the campaign and
// experiment services it applies through (events to a real broker), and fakes
// at its two outside edges — analytics' figures and the scheduler's queues: a
// queue slot moves once with one call, a queue that changed since is refused
// and left alone, and without analytics only experiments are judged.
#include <gtest/gtest.h>

#include <prometheus/registry.h>

#include "campaign/campaign_service.h"
#include "campaign/campaign_store.h"
#include "campaign/experiments/experiment_service.h"
#include "campaign/experiments/experiment_store.h"
#include "campaign/links/link_maker.h"
#include "campaign/links/link_store.h"
#include "campaign/outbox.h"
#include "campaign/recommendations/recommendation_service.h"
#include "common/executor.h"
#include "redis_fixture.h"
#include "support/devbroker.h"

namespace herald::campaign {
namespace {

class NoPosts : public SchedulerPosts {
 public:
  absl::StatusOr<PostSummary> Describe(const std::string&, const std::string&) override {
    return absl::NotFoundError("no posts here");
  }
  absl::Status Attach(const std::string&, const std::string&, const std::string&,
                      const std::map<std::string, std::string>&) override {
    return absl::OkStatus();
  }
  absl::StatusOr<CampaignPostList> List(const std::string&, const std::string&, int) override {
    return CampaignPostList{};
  }
  absl::Status Hold(const std::string&, const std::string&, const std::string&) override { return absl::OkStatus(); }
  absl::Status Release(const std::string&, const std::string&, bool) override { return absl::OkStatus(); }
  absl::StatusOr<int> CancelRemaining(const std::string&, const std::string&) override { return 0; }
  absl::StatusOr<std::string> Create(const std::string&, const NewPost& post) override { return "p_" + post.request_id; }
  absl::StatusOr<bool> CancelIfPending(const std::string&, const std::string&) override { return false; }
};

class FakeFigures : public CampaignFigures {
 public:
  absl::StatusOr<std::vector<ChannelResult>> Channels(const std::string&, const std::string&,
                                                      const std::vector<std::string>&, int64_t, int64_t) override {
    return std::vector<ChannelResult>{};
  }
  absl::StatusOr<HourScores> BestTimes(const std::string&, const std::string&, const std::string& zone, int) override {
    zones_asked.push_back(zone);
    return scores;
  }
  HourScores scores;
  std::vector<std::string> zones_asked;
};

class FakeQueues : public SchedulerQueues {
 public:
  absl::StatusOr<QueueState> Get(const std::string&, const std::string& channel) override { return queues[channel]; }
  absl::Status Set(const std::string&, const std::string& channel, const QueueState& q) override {
    ++sets;
    queues[channel] = q;
    return absl::OkStatus();
  }
  std::map<std::string, QueueState> queues;
  int sets = 0;
};

std::vector<std::tuple<int, int, int>> Slots(const QueueState& q) {
  std::vector<std::tuple<int, int, int>> out;
  for (const auto& h : q.slots) out.emplace_back(h.day_of_week, h.hour, h.minute);
  return out;
}

class RecommendationApi : public herald::testing::RedisTest {
 protected:
  static void SetUpTestSuite() {
    RedisTest::SetUpTestSuite();
    if (!broker_) broker_ = new herald::testing::DevBroker();
  }

  RecommendationApi()
      : producer_(KafkaOptions{broker_->brokers(), "recommendations-test", {}}),
        outbox_(redis(), producer_, clock_, OutboxOptions{.grace = std::chrono::milliseconds(0)}, registry_),
        campaign_api_(campaigns_, posts_, link_maker_, producer_, executor_, clock_),
        experiment_api_(experiments_, campaigns_, posts_, nullptr, outbox_, executor_, clock_) {
    figures_.scores.scores.fill(1.0);
    figures_.scores.scores[1 * 24 + 3] = 0.4;   // Tue 03:00
    figures_.scores.scores[3 * 24 + 10] = 1.8;  // Thu 10:00
    figures_.scores.channel_posts = 40;
    queues_.queues["ch_x"] = {"Europe/Berlin", {{2, 3, 15}, {3, 9, 0}}};
  }

  v1::Campaign NewCampaign(const std::string& ws) {
    v1::CreateCampaignRequest r;
    r.set_workspace_id(ws);
    r.set_name("Queue test");
    r.set_objective(v1::OBJECTIVE_ENGAGEMENT);
    r.add_channel_ids("ch_x");
    r.set_activate(true);
    v1::Campaign c;
    auto s = campaign_api_.DoCreateCampaign(r, &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return c;
  }

  static inline herald::testing::DevBroker* broker_ = nullptr;
  SystemClock clock_;
  prometheus::Registry registry_;
  Executor executor_{1};
  CampaignStore campaigns_{redis()};
  LinkStore links_{redis()};
  LinkMaker link_maker_{links_, clock_, "http://127.0.0.1:1"};
  ExperimentStore experiments_{redis()};
  AppliedStore applied_{redis()};
  NoPosts posts_;
  FakeFigures figures_;
  FakeQueues queues_;
  KafkaProducer producer_;
  Outbox outbox_;
  CampaignService campaign_api_;
  ExperimentService experiment_api_;
};

TEST_F(RecommendationApi, AQueueSlotMovesOnceWithOneCall) {
  RecommendationService api(campaign_api_, campaigns_, experiment_api_, &figures_, queues_, applied_, executor_, clock_);
  const v1::Campaign c = NewCampaign("ws1");
  v1::ListRecommendationsRequest list;
  list.set_workspace_id("ws1");
  list.set_campaign_id(c.id());
  v1::ListRecommendationsResponse listed;
  ASSERT_TRUE(api.DoListRecommendations(list, &listed).ok());
  ASSERT_EQ(listed.recommendations_size(), 1) << listed.DebugString();
  const auto& r = listed.recommendations(0);
  EXPECT_EQ(r.kind(), v1::RECOMMENDATION_KIND_MOVE_QUEUE_SLOT);
  EXPECT_EQ(r.slot_move().time_zone(), "Europe/Berlin");
  EXPECT_EQ(figures_.zones_asked, std::vector<std::string>{"Europe/Berlin"});  // scored in the queue's zone

  v1::ApplyRecommendationRequest apply;
  apply.set_workspace_id("ws1");
  apply.set_campaign_id(c.id());
  apply.set_recommendation_id(r.id());
  v1::AppliedRecommendation applied;
  ASSERT_TRUE(api.DoApplyRecommendation(apply, &applied).ok());
  EXPECT_FALSE(applied.already_applied());
  EXPECT_EQ(Slots(queues_.queues["ch_x"]), (std::vector<std::tuple<int, int, int>>{{4, 10, 15}, {3, 9, 0}}));
  EXPECT_EQ(queues_.queues["ch_x"].time_zone, "Europe/Berlin");
  EXPECT_EQ(queues_.sets, 1);
  ASSERT_TRUE(api.DoApplyRecommendation(apply, &applied).ok());
  EXPECT_TRUE(applied.already_applied());
  EXPECT_EQ(queues_.sets, 1);  // nothing done twice
  // The poor hour is gone: nothing more to move.
  ASSERT_TRUE(api.DoListRecommendations(list, &listed).ok());
  EXPECT_EQ(listed.recommendations_size(), 0) << listed.DebugString();
}

TEST_F(RecommendationApi, AProposalWhoseQueueChangedIsRefusedAndChangesNothing) {
  RecommendationService api(campaign_api_, campaigns_, experiment_api_, &figures_, queues_, applied_, executor_, clock_);
  const v1::Campaign c = NewCampaign("ws2");
  v1::ListRecommendationsRequest list;
  list.set_workspace_id("ws2");
  list.set_campaign_id(c.id());
  v1::ListRecommendationsResponse listed;
  ASSERT_TRUE(api.DoListRecommendations(list, &listed).ok());
  ASSERT_EQ(listed.recommendations_size(), 1);
  queues_.queues["ch_x"].slots[0].hour = 4;  // someone edited the queue meanwhile
  v1::ApplyRecommendationRequest apply;
  apply.set_workspace_id("ws2");
  apply.set_campaign_id(c.id());
  apply.set_recommendation_id(listed.recommendations(0).id());
  v1::AppliedRecommendation applied;
  auto s = api.DoApplyRecommendation(apply, &applied);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
  EXPECT_NE(s.error_message().find("list again"), std::string::npos);
  EXPECT_EQ(queues_.sets, 0);
  // Another campaign cannot apply it either, nor a malformed id.
  apply.set_recommendation_id("rec_xyz");
  EXPECT_EQ(api.DoApplyRecommendation(apply, &applied).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(RecommendationApi, WithoutAnalyticsOnlyExperimentsAreJudged) {
  RecommendationService api(campaign_api_, campaigns_, experiment_api_, nullptr, queues_, applied_, executor_, clock_);
  const v1::Campaign c = NewCampaign("ws3");
  v1::ListRecommendationsRequest list;
  list.set_workspace_id("ws3");
  list.set_campaign_id(c.id());
  v1::ListRecommendationsResponse listed;
  ASSERT_TRUE(api.DoListRecommendations(list, &listed).ok());
  EXPECT_EQ(listed.recommendations_size(), 0);
  ASSERT_EQ(listed.skipped_size(), 1);
  EXPECT_NE(listed.skipped(0).find("no analytics configured"), std::string::npos);
  list.set_lookback_days(91);
  EXPECT_EQ(api.DoListRecommendations(list, &listed).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  list.set_lookback_days(0);
  list.set_campaign_id("c_missing");
  EXPECT_EQ(api.DoListRecommendations(list, &listed).error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace herald::campaign
