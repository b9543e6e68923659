// The scheduler's verbs (approve, reject, cancel, edit…) against a real
// redis-server: a verb that loses a race to another change is refused with
// FAILED_PRECONDITION, never answered OK carrying the post the other change
// made. (Lifecycle events go to the dev broker.)
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>

#include "common/clock.h"
#include "common/executor.h"
#include "common/kafka.h"
#include "common/time_util.h"
#include "redis_fixture.h"
#include "scheduler/channel_directory.h"
#include "scheduler/post_store.h"
#include "scheduler/scheduler_service.h"
#include "support/devbroker.h"

namespace herald::scheduler {
namespace {

// Every channel exists; content checks run a hook first (another person's
// change landing while the publisher is asked).
class HookedDirectory : public ChannelDirectory {
 public:
  std::function<void()> on_validate;
  absl::StatusOr<std::optional<ChannelInfo>> Lookup(const std::string&, const std::string& id) override {
    return std::optional<ChannelInfo>(ChannelInfo{id, "UTC", true});
  }
  absl::StatusOr<std::vector<ContentProblem>> ValidateContent(const std::string&, const std::string&, const std::string&,
                                                          const std::vector<std::string>&, const std::string&,
                                                          bool, bool) override {
    if (on_validate) std::exchange(on_validate, nullptr)();
    return std::vector<ContentProblem>{};
  }
};

class PostVerbs : public herald::testing::RedisTest {
 protected:
  static void SetUpTestSuite() {
    RedisTest::SetUpTestSuite();
    if (!broker_) broker_ = new herald::testing::DevBroker();
  }
  PostVerbs()
      : store_(redis(), 4),
        producer_(KafkaOptions{broker_->brokers(), "verbs-test", {}}),
        service_(store_, directory_, producer_, executor_, SystemClock::Instance()) {}

  v1::Post Create(const std::string& request_id, bool approval) {
    v1::CreatePostRequest r;
    r.set_workspace_id("ws");
    r.set_request_id(request_id);
    r.set_text("original text");
    r.add_channel_ids("ch1");
    *r.mutable_publish_at() = FromMs(SystemClock::Instance().NowMs() + 3'600'000);
    r.set_approval_required(approval);
    v1::Post post;
    auto s = service_.DoCreatePost(r, &post);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return post;
  }

  static inline herald::testing::DevBroker* broker_ = nullptr;
  PostStore store_;
  HookedDirectory directory_;
  KafkaProducer producer_;
  Executor executor_{2};
  SchedulerService service_;
};

// Deterministic: the cancel lands while the edit asks the publisher about
// its content, between the edit's early check and its write.
TEST_F(PostVerbs, AnEditThatLosesARaceIsRefusedNotAnsweredWithTheOtherChange) {
  auto post = Create("edit-race", false);
  directory_.on_validate = [&] {
    v1::CancelPostRequest c;
    c.set_workspace_id("ws");
    c.set_post_id(post.id());
    v1::Post canceled;
    EXPECT_TRUE(service_.DoCancelPost(c, &canceled).ok());
  };
  v1::UpdatePostRequest u;
  u.set_workspace_id("ws");
  u.set_post_id(post.id());
  u.set_text("edited text");
  v1::Post out;
  auto s = service_.DoUpdatePost(u, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
  EXPECT_NE(s.error_message().find("CANCELED"), std::string::npos) << s.error_message();
  auto stored = store_.Get(PostId(post.id()));
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->state(), v1::POST_STATE_CANCELED);
  EXPECT_EQ(stored->text(), "original text");  // the edit changed nothing
}

// Two reviewers at once: for every post exactly one of approve and reject
// wins; the other is refused, and what the winner was told is what is stored.
TEST_F(PostVerbs, ApproveRacingRejectExactlyOneWins) {
  constexpr int kPosts = 100;
  int approved = 0, rejected = 0;
  for (int i = 0; i < kPosts; ++i) {
    auto post = Create("review-" + std::to_string(i), true);
    std::atomic<int> ready{0};
    grpc::Status approve_status, reject_status;
    v1::Post approve_answer, reject_answer;
    std::thread approver([&] {
      v1::ApprovePostRequest a;
      a.set_workspace_id("ws");
      a.set_post_id(post.id());
      ++ready;
      while (ready < 2) {
      }
      approve_status = service_.DoApprovePost(a, &approve_answer);
    });
    std::thread rejecter([&] {
      v1::RejectPostRequest r;
      r.set_workspace_id("ws");
      r.set_post_id(post.id());
      r.set_reason("off-brand");
      ++ready;
      while (ready < 2) {
      }
      reject_status = service_.DoRejectPost(r, &reject_answer);
    });
    approver.join();
    rejecter.join();
    ASSERT_NE(approve_status.ok(), reject_status.ok())
        << "approve: " << approve_status.error_message() << " / reject: " << reject_status.error_message();
    const grpc::Status& loser = approve_status.ok() ? reject_status : approve_status;
    EXPECT_EQ(loser.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << loser.error_message();
    auto stored = store_.Get(PostId(post.id()));
    ASSERT_TRUE(stored.ok()) << stored.status();
    if (approve_status.ok()) {
      ++approved;
      EXPECT_EQ(approve_answer.state(), v1::POST_STATE_SCHEDULED);
      EXPECT_EQ(stored->state(), v1::POST_STATE_SCHEDULED);
    } else {
      ++rejected;
      EXPECT_EQ(reject_answer.state(), v1::POST_STATE_DRAFT);
      EXPECT_EQ(stored->state(), v1::POST_STATE_DRAFT);
    }
  }
  EXPECT_EQ(approved + rejected, kPosts);
}

}  // namespace
}  // namespace herald::scheduler

namespace herald::scheduler {
namespace {

// Analytics as SuggestTimes sees it: fixed scores, or unreachable.
class FixedAdvisor : public EngagementAdvisor {
 public:
  absl::StatusOr<BestHours> answer;
  absl::StatusOr<BestHours> Best(const std::string&, const std::string&, const std::string&) override {
    return answer;
  }
};

TEST_F(PostVerbs, SuggestTimesOffersTheHourAnalyticsFoundBestAndFallsBackToTheQueue) {
  FixedAdvisor advisor;
  // Tuesday 13:00 (hour 37) is the channel's best, then Thursday 09:00 (81).
  BestHours best;
  best.hours = {{37, 2.4}, {81, 1.3}, {10, 0.7}};
  best.channel_posts = 40;
  best.workspace_posts = 90;
  advisor.answer = best;
  SchedulerService::Options options;
  options.advisor = &advisor;
  SchedulerService service(store_, directory_, producer_, executor_, SystemClock::Instance(), options);
  v1::SuggestTimesRequest req;
  req.set_workspace_id("ws");
  req.set_channel_id("suggest-ch");
  req.set_count(2);
  v1::SuggestTimesResponse res;
  ASSERT_TRUE(service.DoSuggestTimes(req, &res).ok());
  EXPECT_EQ(res.source(), "engagement");
  ASSERT_EQ(res.times_size(), 2);
  auto first = absl::ToCivilHour(absl::FromUnixMillis(ToMs(res.times(0))), absl::UTCTimeZone());
  EXPECT_EQ(absl::GetWeekday(absl::CivilDay(first)), absl::Weekday::tuesday);
  EXPECT_EQ(first.hour(), 13);
  ASSERT_EQ(res.proposed_slots_size(), 2);
  EXPECT_EQ(res.proposed_slots(0).day_of_week(), 2);  // in week order: Tuesday, then Thursday
  EXPECT_EQ(res.proposed_slots(0).hour(), 13);
  EXPECT_EQ(res.proposed_slots(1).day_of_week(), 4);

  // Analytics unreachable and no queue: the old answer, not a guess.
  advisor.answer = absl::UnavailableError("analytics down");
  res.Clear();
  grpc::Status s = service.DoSuggestTimes(req, &res);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
}

}  // namespace
}  // namespace herald::scheduler
