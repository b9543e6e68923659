// The metrics reader against a real Redis: a retry is timed from when the
// read was answered, not from when its batch was claimed (a batch of reads
// through the gateway can take minutes; a retry timed from the claim would
// fall due at once and hammer a throttled network).
#include "analytics/metrics/metrics_reader.h"

#include <prometheus/registry.h>

#include "analytics/store/rollup_keys.h"
#include "analytics/store/rollup_store.h"
#include "redis_fixture.h"

namespace herald::analytics {
namespace {

using herald::testing::RedisTest;

constexpr int64_t kT = 1'800'000'000'000;

// Each read takes two minutes and is throttled for thirty seconds.
class SlowThrottledSource : public MetricsSource {
 public:
  explicit SlowThrottledSource(ManualClock& clock) : clock_(clock) {}
  MetricsAnswer Read(const std::string&, const std::string&, const std::string&) override {
    clock_.AdvanceMs(120000);
    return {absl::ResourceExhaustedError("throttled"), 30000, {}};
  }
  FollowersAnswer ReadFollowers(const std::string&, const std::string&) override {
    clock_.AdvanceMs(120000);
    return {absl::ResourceExhaustedError("throttled"), 30000, std::nullopt};
  }

 private:
  ManualClock& clock_;
};

class MetricsReaderTest : public RedisTest {};

TEST_F(MetricsReaderTest, ARetryIsTimedFromTheAnswerNotFromTheClaim) {
  ManualClock clock(kT);
  SlowThrottledSource source(clock);
  KafkaOptions ko;
  ko.brokers = "127.0.0.1:9";  // never produced to: every read is throttled
  KafkaProducer producer(ko);
  prometheus::Registry registry;
  MetricsReaderOptions options;
  options.ages_ms = {2000, 6000};
  options.follower_interval_ms = 3600000;
  MetricsReader reader(redis(), source, producer, clock, registry, options);

  const std::string p = keys::Prefix("ws");
  ASSERT_TRUE(redis().Command({"SADD", kMetricsWorkspacesKey, "ws"}).ok());
  for (const char* post : {"p_1", "p_2"}) {
    ASSERT_TRUE(redis().Command({"ZADD", p + "mdue", std::to_string(kT), post}).ok());
    ASSERT_TRUE(redis().Command({"HSET", p + "post:" + post, "ch", "ch1", "rid", "r1", "pub", std::to_string(kT - 1000)}).ok());
  }
  ASSERT_TRUE(redis().Command({"ZADD", p + "cdue", std::to_string(kT), "ch1"}).ok());

  EXPECT_EQ(reader.Turn(), 3);
  // p_1 was answered at T+2m, p_2 at T+4m, the channel at T+6m: each retry
  // 30 s after its own answer.
  EXPECT_EQ(redis().Command({"ZSCORE", p + "mdue", "p_1"})->AsInt(), kT + 120000 + 30000);
  EXPECT_EQ(redis().Command({"ZSCORE", p + "mdue", "p_2"})->AsInt(), kT + 240000 + 30000);
  EXPECT_EQ(redis().Command({"ZSCORE", p + "cdue", "ch1"})->AsInt(), kT + 360000 + 30000);
}

}  // namespace
}  // namespace herald::analytics
