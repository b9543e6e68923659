// Spike alerts against a real Redis, on a manual clock: mentions counted per
// channel and rule, ended buckets judged once, a step alerted once, a failed
// emit judged again, and a restart (a new watcher on the same Redis) neither
// loses nor repeats an alert.
#include <gtest/gtest.h>

#include <set>

#include "common/clock.h"
#include "common/time_util.h"
#include "listener/alerts/spike_watch.h"
#include "redis_fixture.h"

namespace herald::listener {
namespace {

namespace ev = herald::events::v1;
constexpr int64_t kBucket = 5 * 60 * 1000;

class SpikeWatchTest : public herald::testing::RedisTest {
 protected:
  // Mentions on channel "ch1" (one in three also matching rule "r1") over one bucket.
  void Mentions(SpikeWatch& watch, int n) {
    for (int i = 0; i < n; ++i) {
      ev::MentionReceived m;
      m.mutable_meta()->set_workspace_id("ws");
      m.set_channel_id("ch1");
      if (i % 3 == 0) m.add_rule_ids("r1");
      ASSERT_TRUE(watch.Record(m).ok());
    }
  }
  ManualClock clock_{1'800'000'000'000 / kBucket * kBucket};
  std::vector<ev::ListeningSpike> emitted_;
  bool emit_fails_ = false;
  SpikeWatch::Emit emit_ = [this](const ev::ListeningSpike& s) {
    if (emit_fails_) return absl::UnavailableError("broker down");
    emitted_.push_back(s);
    return absl::OkStatus();
  };
};

TEST_F(SpikeWatchTest, AStepIsAlertedOncePerSeriesAndEachBucketIsJudgedOnce) {
  SpikeWatch watch(redis(), clock_, emit_);
  for (int b = 0; b < 24; ++b) {  // two quiet hours
    Mentions(watch, 6);
    clock_.AdvanceMs(kBucket);
    ASSERT_TRUE(watch.CloseDue().ok());
  }
  EXPECT_TRUE(emitted_.empty());
  Mentions(watch, 90);  // a surge
  ASSERT_TRUE(watch.CloseDue().ok());
  EXPECT_TRUE(emitted_.empty()) << "the bucket has not ended yet";
  clock_.AdvanceMs(kBucket);
  ASSERT_TRUE(watch.CloseDue().ok());
  ASSERT_EQ(emitted_.size(), 2u);  // the channel and the rule
  std::set<std::string> series;
  for (const auto& s : emitted_) {
    series.insert(s.series_kind() + ":" + s.series_id());
    EXPECT_EQ(s.meta().workspace_id(), "ws");
    EXPECT_EQ(ToMs(s.bucket_start()), clock_.NowMs() - kBucket);
  }
  EXPECT_EQ(series, (std::set<std::string>{"channel:ch1", "rule:r1"}));
  EXPECT_EQ(emitted_[0].count() + emitted_[1].count(), 90 + 30);
  // Judged once: closing again (or the surge going on) alerts no more.
  ASSERT_TRUE(watch.CloseDue().ok());
  Mentions(watch, 95);
  clock_.AdvanceMs(kBucket);
  ASSERT_TRUE(watch.CloseDue().ok());
  EXPECT_EQ(emitted_.size(), 2u);
  // Kept to look back on, newest first, in this workspace only.
  auto recent = watch.RecentSpikes("ws", 50);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ((*recent)[0].meta().event_id(), emitted_[1].meta().event_id());
  EXPECT_TRUE(watch.RecentSpikes("other", 50)->empty());
}

TEST_F(SpikeWatchTest, AFailedEmitIsJudgedAgainAndARestartNeitherLosesNorRepeats) {
  {
    SpikeWatch watch(redis(), clock_, emit_);
    for (int b = 0; b < 24; ++b) {
      Mentions(watch, 5);
      clock_.AdvanceMs(kBucket);
      ASSERT_TRUE(watch.CloseDue().ok());
    }
    Mentions(watch, 80);
    clock_.AdvanceMs(kBucket);
    emit_fails_ = true;  // the broker is down when the spike is found
    ASSERT_TRUE(watch.CloseDue().ok());
    EXPECT_TRUE(emitted_.empty());
  }
  emit_fails_ = false;
  SpikeWatch restarted(redis(), clock_, emit_);  // a new process on the same Redis
  ASSERT_TRUE(restarted.CloseDue().ok());
  ASSERT_EQ(emitted_.size(), 2u);
  const std::string id = emitted_[0].meta().event_id();
  ASSERT_TRUE(restarted.CloseDue().ok());
  EXPECT_EQ(emitted_.size(), 2u);
  // The same spike always has the same event id (consumers drop a repeat).
  EXPECT_EQ(id.rfind("ev_spike_", 0), 0u);
}

TEST_F(SpikeWatchTest, OneCloserAtATime) {
  SpikeWatch a(redis(), clock_, emit_), b(redis(), clock_, emit_);
  ASSERT_TRUE(redis().Command({"SET", "{lst}:spike-closer", "1", "PX", "60000"}).ok());  // someone holds the lease
  EXPECT_EQ(a.CloseDue().status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(redis().Command({"DEL", "{lst}:spike-closer"}).ok());
  EXPECT_TRUE(b.CloseDue().ok());
}

}  // namespace
}  // namespace herald::listener
