#pragma once
// Reads published posts' metrics through the publisher's network gateway
// (analytics never talks to a network) and announces each answer as a
// PostMetricsSnapshot on post.metrics, which the rollups count as changes.
// Channels' follower counts are read the same way, every
// `follower_interval_ms`, from their own queue ({an:<ws>}:cdue, filled when
// the rollups first see a channel) onto channel.metrics.
//
// Due reads wait in each workspace's queue, {an:<ws>}:mdue (post → when),
// filled by the rollups' own script when a result says a post went out. A
// replica claims due posts by pushing them a lease ahead, so replicas share
// the work and a read whose replica died is made again after the lease (a
// repeated snapshot changes nothing). The answer decides what follows: the
// next age of the schedule; the retry-after of a throttled read; five
// minutes after a failure; nothing more for a network without metrics or a
// channel that is gone.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/channel.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "absl/status/statusor.h"
#include "common/background_thread.h"
#include "common/clock.h"
#include "common/kafka.h"
#include "analytics/store/rollup_store.h"
#include "common/redis.h"
#include "herald/events/v1/events.pb.h"

namespace herald::analytics {

// The gateway's answer for one post.
struct MetricsAnswer {
  absl::Status status;
  int64_t retry_after_ms = 0;
  events::v1::PostMetricsSnapshot counts;  // the count fields only
};

// The gateway's answer for one channel's account.
struct FollowersAnswer {
  absl::Status status;
  int64_t retry_after_ms = 0;
  std::optional<int64_t> followers;
};

class MetricsSource {
 public:
  virtual ~MetricsSource() = default;
  virtual MetricsAnswer Read(const std::string& workspace_id, const std::string& channel_id,
                             const std::string& remote_id) = 0;
  virtual FollowersAnswer ReadFollowers(const std::string& workspace_id, const std::string& channel_id) = 0;
};

std::unique_ptr<MetricsSource> MakeGatewayMetricsSource(std::shared_ptr<grpc::Channel> publisher);

struct MetricsReaderOptions {
  std::vector<int64_t> ages_ms;
  int64_t lease_ms = 300000;
  int64_t failure_backoff_ms = 300000;
  // Posts claimed per workspace per turn: read one after another, each up
  // to the gateway call's minute, so batch × 60 s stays inside the lease.
  int batch = 4;
  int64_t turn_ms = 1000;
  // How often a channel's followers are read (0: never).
  int64_t follower_interval_ms = 6 * 3600000;
  // A channel with no count to read (its network gives none, or it is
  // paused) is asked again after this long: the gateway refuses such a read
  // before spending quota, so a daily question costs nothing.
  int64_t follower_recheck_ms = 86400000;
};

class MetricsReader {
 public:
  MetricsReader(RedisClient& redis, MetricsSource& source, KafkaProducer& producer, const Clock& clock,
                prometheus::Registry& registry, MetricsReaderOptions options);
  void Start() { thread_.Start([this](const std::atomic<bool>& stopping) { Loop(stopping); }); }
  void Stop() { thread_.Stop(); }
  // One turn over every workspace with reads due; returns reads made.
  int Turn();

 private:
  void Loop(const std::atomic<bool>& stopping);
  void ReadOne(const std::string& ws, const std::string& post_id);
  void ReadChannel(const std::string& ws, const std::string& channel_id);

  RedisClient& redis_;
  MetricsSource& source_;
  KafkaProducer& producer_;
  const Clock& clock_;
  MetricsReaderOptions options_;
  enum Outcome { kOk, kThrottled, kFailed, kStopped };
  void Count(Outcome o) { reads_[o]->Increment(); }
  std::array<prometheus::Counter*, 4> reads_{};
  void CountFollowers(Outcome o) { follower_reads_[o]->Increment(); }
  std::array<prometheus::Counter*, 4> follower_reads_{};
  BackgroundThread thread_;
};

}  // namespace herald::analytics
