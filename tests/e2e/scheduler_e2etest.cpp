// The scheduler's API over real gRPC with every other part real: approvals,
// crisis pause, queues, recurrence and the calendar, bulk import, compose-time
// content checks, and bad input that stores nothing.
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

#include <nlohmann/json.hpp>

#include "absl/time/time.h"
#include "common/http_client.h"
#include "common/time_util.h"
#include "herald/publisher/v1/publisher.grpc.pb.h"
#include "herald/scheduler/v1/scheduler.grpc.pb.h"
#include "e2e_util.h"
#include "platform.h"

namespace herald {
namespace {

using herald::testing::Ctx;
using herald::testing::NowMs;

namespace sched = herald::scheduler::v1;
namespace pub = herald::publisher::v1;
using nlohmann::json;

class SchedulerApi : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    platform_ = new herald::testing::Platform();
    auto ch = grpc::CreateChannel(platform_->Grpc("publisher"), grpc::InsecureChannelCredentials());
    pub::ConnectChannelRequest req;
    req.set_workspace_id("api");
    req.set_network(herald::common::v1::NETWORK_MASTODON);
    req.set_base_url(platform_->simulator_url());
    req.set_access_token("e2e-token");
    req.set_time_zone("Europe/Berlin");
    pub::Channel channel;
    auto s = pub::PublisherService::NewStub(ch)->ConnectChannel(Ctx().get(), req, &channel);
    ASSERT_TRUE(s.ok()) << s.error_message();
    channel_ = channel.id();
  }
  static void TearDownTestSuite() {
    delete platform_;
    platform_ = nullptr;
  }

 protected:
  void SetUp() override {
    scheduler_ = sched::SchedulerService::NewStub(
        grpc::CreateChannel(platform_->Grpc("scheduler"), grpc::InsecureChannelCredentials()));
  }

  sched::CreatePostRequest Request(const std::string& text, int64_t in_ms) {
    sched::CreatePostRequest r;
    r.set_workspace_id("api");
    r.set_text(text);
    r.add_channel_ids(channel_);
    *r.mutable_publish_at() = FromMs(NowMs() + in_ms);
    return r;
  }

  sched::Post Get(const std::string& id) {
    sched::GetPostRequest req;
    req.set_workspace_id("api");
    req.set_post_id(id);
    sched::Post post;
    EXPECT_TRUE(scheduler_->GetPost(Ctx().get(), req, &post).ok());
    return post;
  }

  bool WaitForState(const std::string& id, sched::PostState state, int seconds = 30) {
    for (int i = 0; i < seconds * 10; ++i) {
      if (Get(id).state() == state) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  int TimesPublished(const std::string& text) {
    HttpRequest req;
    req.url = platform_->simulator_url() + "/_sim/ledger";
    auto res = SendHttp(req);
    int n = 0;
    if (!res.ok()) return -1;
    for (const auto& s : json::parse(res->body)) n += s["text"] == text;
    return n;
  }

  int CountPosts() {
    sched::ListPostsRequest req;
    req.set_workspace_id("api");
    req.set_page_size(1000);
    sched::ListPostsResponse res;
    EXPECT_TRUE(scheduler_->ListPosts(Ctx().get(), req, &res).ok());
    return res.posts_size();
  }

  static inline herald::testing::Platform* platform_ = nullptr;
  static inline std::string channel_;
  std::unique_ptr<sched::SchedulerService::Stub> scheduler_;
};

TEST_F(SchedulerApi, APostNeedingApprovalNeverFiresBeforeItIsApproved) {
  auto r = Request("needs approval", 500);
  r.set_approval_required(true);
  sched::Post post;
  ASSERT_TRUE(scheduler_->CreatePost(Ctx().get(), r, &post).ok());
  EXPECT_EQ(post.state(), sched::POST_STATE_PENDING_APPROVAL);
  // A witness due a moment later and published proves the dispatcher has
  // passed the pending post's time (no fixed sleep; the exact instants are
  // checked on a manual clock in dispatch_instants_kafkatest.cpp).
  auto witness_request = Request("witness after needs approval", 1000);
  sched::Post witness;
  ASSERT_TRUE(scheduler_->CreatePost(Ctx().get(), witness_request, &witness).ok());
  ASSERT_TRUE(WaitForState(witness.id(), sched::POST_STATE_PUBLISHED)) << platform_->Logs();
  EXPECT_EQ(Get(post.id()).state(), sched::POST_STATE_PENDING_APPROVAL);
  EXPECT_EQ(TimesPublished("needs approval"), 0);

  sched::ApprovePostRequest approve;
  approve.set_workspace_id("api");
  approve.set_post_id(post.id());
  approve.set_approver("lead");
  ASSERT_TRUE(scheduler_->ApprovePost(Ctx().get(), approve, &post).ok());
  ASSERT_TRUE(WaitForState(post.id(), sched::POST_STATE_PUBLISHED)) << platform_->Logs();
  EXPECT_EQ(TimesPublished("needs approval"), 1);
  // Approving again is refused: it is no longer pending.
  EXPECT_EQ(scheduler_->ApprovePost(Ctx().get(), approve, &post).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(SchedulerApi, RejectSendsTheDraftBackWithAReason) {
  auto r = Request("to be rejected", 60000);
  r.set_approval_required(true);
  sched::Post post;
  ASSERT_TRUE(scheduler_->CreatePost(Ctx().get(), r, &post).ok());
  sched::RejectPostRequest reject;
  reject.set_workspace_id("api");
  reject.set_post_id(post.id());
  EXPECT_EQ(scheduler_->RejectPost(Ctx().get(), reject, &post).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  reject.set_reason("tone is off");
  ASSERT_TRUE(scheduler_->RejectPost(Ctx().get(), reject, &post).ok());
  EXPECT_EQ(post.state(), sched::POST_STATE_DRAFT);
  EXPECT_EQ(post.rejection_reason(), "tone is off");
  sched::SubmitPostRequest submit;
  submit.set_workspace_id("api");
  submit.set_post_id(post.id());
  ASSERT_TRUE(scheduler_->SubmitPost(Ctx().get(), submit, &post).ok());
  EXPECT_EQ(post.state(), sched::POST_STATE_PENDING_APPROVAL);
}

TEST_F(SchedulerApi, CrisisPauseHoldsPostsAndResumeRequeuesOrSkips) {
  sched::PauseRequest pause;
  pause.set_workspace_id("api");
  pause.set_reason("incident");
  sched::PauseState state;
  ASSERT_TRUE(scheduler_->Pause(Ctx().get(), pause, &state).ok());
  sched::Post held, skipped;
  ASSERT_TRUE(scheduler_->CreatePost(Ctx().get(), Request("held then sent", 300), &held).ok());
  ASSERT_TRUE(WaitForState(held.id(), sched::POST_STATE_HELD)) << platform_->Logs();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(TimesPublished("held then sent"), 0);

  sched::ResumeRequest resume;
  resume.set_workspace_id("api");
  sched::ResumeResponse refused;
  EXPECT_EQ(scheduler_->Resume(Ctx().get(), resume, &refused).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // mode is required
  resume.set_mode(sched::ResumeRequest::MODE_REQUEUE);
  sched::ResumeResponse resumed;
  ASSERT_TRUE(scheduler_->Resume(Ctx().get(), resume, &resumed).ok());
  EXPECT_EQ(resumed.requeued(), 1);
  ASSERT_TRUE(WaitForState(held.id(), sched::POST_STATE_PUBLISHED)) << platform_->Logs();
  EXPECT_EQ(TimesPublished("held then sent"), 1);

  // A channel pause with "skip": what fell due meanwhile is canceled.
  pause.set_channel_id(channel_);
  ASSERT_TRUE(scheduler_->Pause(Ctx().get(), pause, &state).ok());
  ASSERT_TRUE(scheduler_->CreatePost(Ctx().get(), Request("skipped by pause", 300), &skipped).ok());
  ASSERT_TRUE(WaitForState(skipped.id(), sched::POST_STATE_HELD));
  resume.set_channel_id(channel_);
  resume.set_mode(sched::ResumeRequest::MODE_SKIP);
  ASSERT_TRUE(scheduler_->Resume(Ctx().get(), resume, &resumed).ok());
  EXPECT_EQ(resumed.skipped(), 1);
  EXPECT_EQ(Get(skipped.id()).state(), sched::POST_STATE_CANCELED);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(TimesPublished("skipped by pause"), 0);
}

TEST_F(SchedulerApi, QueuePostsTakeTheNextFreeSlotsInTheChannelsZone) {
  sched::SetQueueRequest set;
  set.set_workspace_id("api");
  set.set_channel_id(channel_);
  for (int day = 1; day <= 7; ++day) {
    auto* slot = set.add_slots();
    slot->set_day_of_week(day);
    slot->set_hour(9);
    slot->set_minute(30);
  }
  sched::Queue queue;
  ASSERT_TRUE(scheduler_->SetQueue(Ctx().get(), set, &queue).ok());
  EXPECT_EQ(queue.time_zone(), "Europe/Berlin");  // the channel's zone

  sched::SuggestTimesRequest suggest;
  suggest.set_workspace_id("api");
  suggest.set_channel_id(channel_);
  suggest.set_count(3);
  sched::SuggestTimesResponse before;
  ASSERT_TRUE(scheduler_->SuggestTimes(Ctx().get(), suggest, &before).ok());
  ASSERT_EQ(before.times_size(), 3);

  std::vector<int64_t> slots;
  for (int i = 0; i < 2; ++i) {
    auto r = Request("queued " + std::to_string(i), 0);
    r.clear_publish_at();
    r.set_add_to_queue(true);
    sched::Post post;
    ASSERT_TRUE(scheduler_->CreatePost(Ctx().get(), r, &post).ok());
    EXPECT_TRUE(post.queued());
    slots.push_back(ToMs(post.publish_at()));
    absl::TimeZone berlin;
    ASSERT_TRUE(absl::LoadTimeZone("Europe/Berlin", &berlin));
    auto local = absl::ToCivilMinute(absl::FromUnixMillis(slots.back()), berlin);
    EXPECT_EQ(local.hour(), 9);
    EXPECT_EQ(local.minute(), 30);
  }
  sched::SuggestTimesResponse after;
  ASSERT_TRUE(scheduler_->SuggestTimes(Ctx().get(), suggest, &after).ok());
  if (before.source() == "queue") {
    EXPECT_EQ(slots[0], ToMs(before.times(0)));
    EXPECT_EQ(slots[1], ToMs(before.times(1)));
    EXPECT_EQ(ToMs(after.times(0)), ToMs(before.times(2)));  // taken slots are no longer suggested
  } else {
    // The workspace has engagement history from earlier tests (its posts'
    // metrics were read): best hours, never a slot already taken.
    EXPECT_EQ(before.source(), "engagement");
    EXPECT_EQ(before.proposed_slots_size(), 3);
    for (const auto& t : after.times()) {
      EXPECT_GT(ToMs(t), NowMs());
      for (int64_t taken : slots) EXPECT_NE(ToMs(t), taken);
    }
  }
}

// The calendar of a fixed window, checked instant by instant: 09:00 in New
// York every day is 14:00 UTC until daylight saving starts (Sunday 14 March
// 2027) and 13:00 UTC from that morning on. No clock or sleep is involved:
// the window is explicit.
TEST_F(SchedulerApi, RecurringPostsShowInTheCalendarAtTheirExactInstants) {
  auto r = Request("every morning", 0);
  r.clear_publish_at();
  r.mutable_recurrence()->set_rrule("FREQ=DAILY;BYHOUR=9;BYMINUTE=0");
  r.mutable_recurrence()->set_time_zone("America/New_York");
  r.mutable_recurrence()->set_start_local("2026-01-01T09:00");
  sched::Post post;
  ASSERT_TRUE(scheduler_->CreatePost(Ctx().get(), r, &post).ok());
  EXPECT_GT(ToMs(post.publish_at()), NowMs());
  auto utc = [](const char* iso) {
    google::protobuf::Timestamp t;
    EXPECT_TRUE(google::protobuf::util::TimeUtil::FromString(iso, &t)) << iso;
    return ToMs(t);
  };
  sched::GetCalendarRequest cal;
  cal.set_workspace_id("api");
  *cal.mutable_start_time() = FromMs(utc("2027-03-10T00:00:00Z"));
  *cal.mutable_end_time() = FromMs(utc("2027-03-17T23:59:59Z"));
  sched::Calendar calendar;
  ASSERT_TRUE(scheduler_->GetCalendar(Ctx().get(), cal, &calendar).ok());
  std::vector<int64_t> mornings;
  for (const auto& e : calendar.entries()) {
    if (e.post_id() != post.id()) continue;
    mornings.push_back(ToMs(e.at()));
    EXPECT_TRUE(e.projected());
  }
  std::sort(mornings.begin(), mornings.end());
  const std::vector<int64_t> want = {utc("2027-03-10T14:00:00Z"), utc("2027-03-11T14:00:00Z"),
                                     utc("2027-03-12T14:00:00Z"), utc("2027-03-13T14:00:00Z"),
                                     utc("2027-03-14T13:00:00Z"), utc("2027-03-15T13:00:00Z"),
                                     utc("2027-03-16T13:00:00Z"), utc("2027-03-17T13:00:00Z")};
  EXPECT_EQ(mornings, want);
}

TEST_F(SchedulerApi, BulkImportCreatesGoodRowsAndReportsBadOnes) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  ctx.AddMetadata("authorization", herald::testing::TestAuthorization());
  sched::ImportPostsResponse summary;
  auto writer = scheduler_->ImportPosts(&ctx, &summary);
  for (int i = 0; i < 3; ++i) {
    auto r = Request("imported " + std::to_string(i), 3'600'000 + i);
    if (i == 1) r.set_text("");
    ASSERT_TRUE(writer->Write(r));
  }
  writer->WritesDone();
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(summary.created(), 2);
  ASSERT_EQ(summary.errors_size(), 1);
  EXPECT_EQ(summary.errors(0).row(), 2);
  EXPECT_NE(summary.errors(0).message().find("text"), std::string::npos);
}

TEST_F(SchedulerApi, CancelAndRescheduleAndUpdate) {
  sched::Post a, b;
  ASSERT_TRUE(scheduler_->CreatePost(Ctx().get(), Request("will be canceled", 2000), &a).ok());
  sched::CancelPostRequest cancel;
  cancel.set_workspace_id("api");
  cancel.set_post_id(a.id());
  ASSERT_TRUE(scheduler_->CancelPost(Ctx().get(), cancel, &a).ok());
  EXPECT_EQ(a.state(), sched::POST_STATE_CANCELED);

  ASSERT_TRUE(scheduler_->CreatePost(Ctx().get(), Request("draft text", 3'600'000), &b).ok());
  sched::UpdatePostRequest update;
  update.set_workspace_id("api");
  update.set_post_id(b.id());
  update.set_text("final text after edit");
  ASSERT_TRUE(scheduler_->UpdatePost(Ctx().get(), update, &b).ok());
  sched::ReschedulePostRequest reschedule;
  reschedule.set_workspace_id("api");
  reschedule.set_post_id(b.id());
  *reschedule.mutable_publish_at() = FromMs(NowMs() + 500);
  ASSERT_TRUE(scheduler_->ReschedulePost(Ctx().get(), reschedule, &b).ok());
  ASSERT_TRUE(WaitForState(b.id(), sched::POST_STATE_PUBLISHED)) << platform_->Logs();
  EXPECT_EQ(TimesPublished("final text after edit"), 1);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(TimesPublished("will be canceled"), 0);
  EXPECT_EQ(Get(a.id()).state(), sched::POST_STATE_CANCELED);
}

TEST_F(SchedulerApi, BadInputIsRefusedNamingTheFieldAndStoresNothing) {
  int before = CountPosts();
  auto expect_invalid = [&](sched::CreatePostRequest r, const std::string& field) {
    sched::Post out;
    auto s = scheduler_->CreatePost(Ctx().get(), r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field << ": " << s.error_message();
    EXPECT_NE(s.error_message().find(field), std::string::npos) << field << " not in: " << s.error_message();
  };
  auto recurring = [&](const std::string& rrule, const std::string& zone) {
    auto r = Request("recurring", 0);
    r.clear_publish_at();
    r.mutable_recurrence()->set_rrule(rrule);
    r.mutable_recurrence()->set_time_zone(zone);
    r.mutable_recurrence()->set_start_local("2027-01-01T09:00");
    return r;
  };
  expect_invalid(recurring("FREQ=DAILY", "Mars/Base"), "recurrence.time_zone");
  expect_invalid(recurring("FREQ=SOMETIMES", "UTC"), "recurrence.rrule");
  expect_invalid(recurring("FREQ=DAILY;BYHOUR=25", "UTC"), "BYHOUR");
  expect_invalid(Request("in the past", -3'600'000), "publish_at");
  expect_invalid(Request("", 60000), "text");
  expect_invalid(Request(std::string(70000, 'x'), 60000), "text");
  auto unknown = Request("unknown channel", 60000);
  unknown.set_channel_ids(0, "ch_nope");
  expect_invalid(unknown, "channel_ids[0]");
  // Compose-time network rules: Mastodon allows 500 characters and 4 media.
  expect_invalid(Request(std::string(501, 'y'), 60000), "targets[" + channel_ + "].text");
  auto media = Request("five images", 60000);
  for (int i = 0; i < 5; ++i) media.add_media_urls("https://cdn.example/" + std::to_string(i) + ".png");
  expect_invalid(media, "targets[" + channel_ + "].media_urls");
  // A URL counts as 23 characters, so this fits.
  sched::Post fits;
  auto long_url = Request(std::string(470, 'z') + " https://example.com/" + std::string(200, 'u'), 60000);
  EXPECT_TRUE(scheduler_->CreatePost(Ctx().get(), long_url, &fits).ok());
  EXPECT_EQ(CountPosts(), before + 1);

  sched::SetQueueRequest q;
  q.set_workspace_id("api");
  q.set_channel_id(channel_);
  q.set_time_zone("Nowhere/City");
  q.add_slots()->set_day_of_week(8);
  sched::Queue queue;
  auto s = scheduler_->SetQueue(Ctx().get(), q, &queue);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("time_zone"), std::string::npos);
  EXPECT_NE(s.error_message().find("slots[0].day_of_week"), std::string::npos);
}

}  // namespace
}  // namespace herald
