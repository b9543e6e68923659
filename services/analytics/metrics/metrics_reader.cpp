#include "analytics/metrics/metrics_reader.h"

#include <algorithm>

#include "analytics/metrics/read_schedule.h"
#include "analytics/store/rollup_keys.h"
#include "common/events.h"
#include "common/gateway_call.h"
#include "common/log.h"
#include "common/network_names.h"
#include "common/time_util.h"
#include "herald/publisher/v1/gateway.grpc.pb.h"
#include "herald/topics.h"

namespace herald::analytics {
namespace {

namespace pub = herald::publisher::v1;

// KEYS: the workspace's queue. ARGV: now, lease ms, batch. Due posts, each
// pushed a lease ahead (claimed) in the same step.
const RedisScript kClaim(R"lua(
local now = tonumber(ARGV[1])
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
for _, post in ipairs(due) do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), post) end
return due
)lua");

class GatewayMetricsSource final : public MetricsSource {
 public:
  explicit GatewayMetricsSource(std::shared_ptr<grpc::Channel> channel) : stub_(pub::NetworkGateway::NewStub(channel)) {}

  MetricsAnswer Read(const std::string& ws, const std::string& channel_id, const std::string& remote_id) override {
    pub::GetPostMetricsRequest req;
    req.set_workspace_id(ws);
    req.set_channel_id(channel_id);
    req.set_post_remote_id(remote_id);
    pub::PostMetrics res;
    GatewayOutcome call = CallGateway([&](grpc::ClientContext* ctx) { return stub_->GetPostMetrics(ctx, req, &res); });
    MetricsAnswer out{call.status, call.retry_after_ms, {}};
    if (!out.status.ok()) return out;
    auto& c = out.counts;
    if (res.has_impressions()) c.set_impressions(res.impressions());
    if (res.has_likes()) c.set_likes(res.likes());
    if (res.has_replies()) c.set_replies(res.replies());
    if (res.has_reposts()) c.set_reposts(res.reposts());
    if (res.has_quotes()) c.set_quotes(res.quotes());
    if (res.has_saves()) c.set_saves(res.saves());
    if (res.has_link_clicks()) c.set_link_clicks(res.link_clicks());
    if (res.has_video_views()) c.set_video_views(res.video_views());
    return out;
  }

  FollowersAnswer ReadFollowers(const std::string& ws, const std::string& channel_id) override {
    pub::GetChannelMetricsRequest req;
    req.set_workspace_id(ws);
    req.set_channel_id(channel_id);
    pub::ChannelMetrics res;
    GatewayOutcome call =
        CallGateway([&](grpc::ClientContext* ctx) { return stub_->GetChannelMetrics(ctx, req, &res); });
    FollowersAnswer out{call.status, call.retry_after_ms, std::nullopt};
    if (out.status.ok() && res.has_followers()) out.followers = res.followers();
    return out;
  }

 private:
  std::unique_ptr<pub::NetworkGateway::Stub> stub_;
};

std::string Get(const std::map<std::string, std::string>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? "" : it->second;
}

}  // namespace

std::unique_ptr<MetricsSource> MakeGatewayMetricsSource(std::shared_ptr<grpc::Channel> publisher) {
  return std::make_unique<GatewayMetricsSource>(std::move(publisher));
}

MetricsReader::MetricsReader(RedisClient& redis, MetricsSource& source, KafkaProducer& producer, const Clock& clock,
                             prometheus::Registry& registry, MetricsReaderOptions options)
    : redis_(redis),
      source_(source),
      producer_(producer),
      clock_(clock),
      options_(std::move(options)) {
  auto& family = prometheus::BuildCounter()
                     .Name("herald_analytics_metric_reads_total")
                     .Help("Post metric reads through the gateway, by outcome (ok, throttled, failed, stopped: the "
                           "network has no metrics, the post or the channel is gone).")
                     .Register(registry);
  const char* names[] = {"ok", "throttled", "failed", "stopped"};
  for (size_t i = 0; i < reads_.size(); ++i) reads_[i] = &family.Add({{"outcome", names[i]}});
  auto& followers = prometheus::BuildCounter()
                        .Name("herald_analytics_follower_reads_total")
                        .Help("Channel follower reads through the gateway, by outcome (ok, throttled, failed, "
                              "stopped: the network gives no follower count or the channel is gone).")
                        .Register(registry);
  for (size_t i = 0; i < follower_reads_.size(); ++i) follower_reads_[i] = &followers.Add({{"outcome", names[i]}});
}

void MetricsReader::Loop(const std::atomic<bool>& stopping) {
  while (!stopping) {
    if (Turn() == 0) clock_.SleepFor(std::chrono::milliseconds(options_.turn_ms));
  }
}

int MetricsReader::Turn() {
  auto workspaces = redis_.Command({"SMEMBERS", kMetricsWorkspacesKey});
  if (!workspaces.ok() || workspaces->is_error()) return 0;
  int reads = 0;
  for (const auto& w : workspaces->elements) {
    const std::string& ws = w.str;
    int64_t now = clock_.NowMs();
    auto due = redis_.Eval(kClaim, {keys::Prefix(ws) + "mdue"},
                           {std::to_string(now), std::to_string(options_.lease_ms), std::to_string(options_.batch)});
    if (!due.ok() || due->is_error()) {
      log::Warn("claiming metric reads failed", {{"workspace", ws}});
      continue;
    }
    for (const auto& post : due->elements) {
      ReadOne(ws, post.str);
      ++reads;
    }
    if (options_.follower_interval_ms <= 0) continue;
    now = clock_.NowMs();  // the post reads above may have taken minutes
    auto channels = redis_.Eval(kClaim, {keys::Prefix(ws) + "cdue"},
                                {std::to_string(now), std::to_string(options_.lease_ms), std::to_string(options_.batch)});
    if (!channels.ok() || channels->is_error()) {
      log::Warn("claiming follower reads failed", {{"workspace", ws}});
      continue;
    }
    for (const auto& channel : channels->elements) {
      ReadChannel(ws, channel.str);
      ++reads;
    }
  }
  return reads;
}

void MetricsReader::ReadChannel(const std::string& ws, const std::string& channel_id) {
  // Times are taken when the read happens, not when the batch was claimed:
  // a batch of reads can take minutes, and a retry set from a stale time
  // would fall due at once.
  std::string queue = keys::Prefix(ws) + "cdue";
  auto at = [&](int64_t when) { (void)redis_.Command({"ZADD", queue, std::to_string(when), channel_id}); };
  FollowersAnswer answer = source_.ReadFollowers(ws, channel_id);
  const int64_t now = clock_.NowMs();
  if (absl::IsResourceExhausted(answer.status)) {
    CountFollowers(kThrottled);
    at(now + std::clamp<int64_t>(answer.retry_after_ms, 1000, 86400000));
    return;
  }
  if (absl::IsFailedPrecondition(answer.status) || absl::IsInvalidArgument(answer.status) ||
      absl::IsNotFound(answer.status) || absl::IsPermissionDenied(answer.status) ||
      (answer.status.ok() && !answer.followers)) {
    // No count to read (the network gives none, or the channel is paused or
    // gone). The channel stays queued, far ahead, so a reconnected one is
    // read again and the rollups do not queue it anew.
    CountFollowers(kStopped);
    at(now + options_.follower_recheck_ms);
    return;
  }
  if (!answer.status.ok()) {
    CountFollowers(kFailed);
    at(now + options_.failure_backoff_ms);
    return;
  }
  events::v1::ChannelMetricsSnapshot snap;
  snap.set_channel_id(channel_id);
  *snap.mutable_observed_at() = FromMs(now);
  snap.set_followers(*answer.followers);
  *snap.mutable_meta() = NewEventMeta(snap, ws, clock_);
  absl::Status sent = producer_.ProduceSync(topics::k_channel_metrics, channel_id, snap.SerializeAsString(),
                                            EventHeaders(snap.meta()), std::chrono::seconds(10));
  if (!sent.ok()) {
    CountFollowers(kFailed);
    at(now + options_.failure_backoff_ms);
    return;
  }
  CountFollowers(kOk);
  at(now + options_.follower_interval_ms);
}

void MetricsReader::ReadOne(const std::string& ws, const std::string& post_id) {
  if (options_.ages_ms.empty()) return;
  std::string queue = keys::Prefix(ws) + "mdue";
  auto record = redis_.Command({"HGETALL", keys::Prefix(ws) + "post:" + post_id});
  if (!record.ok() || record->is_error()) return;  // the lease brings it back
  std::map<std::string, std::string> rec;
  for (size_t k = 0; k + 1 < record->elements.size(); k += 2) rec[record->elements[k].str] = record->elements[k + 1].str;
  auto at = [&](int64_t when) { (void)redis_.Command({"ZADD", queue, std::to_string(when), post_id}); };
  auto stop = [&] { (void)redis_.Command({"ZREM", queue, post_id}); };
  std::string channel = Get(rec, "ch"), remote = Get(rec, "rid");
  int64_t published = std::atoll(Get(rec, "pub").c_str());
  if (channel.empty() || remote.empty() || published <= 0) {
    stop();
    return;
  }
  MetricsAnswer answer = source_.Read(ws, channel, remote);
  int64_t now = clock_.NowMs();  // after the answer: the claim's time may be minutes old
  // Past the schedule's last age (and a day's grace), a post that keeps
  // failing is given up on rather than retried forever.
  const int64_t give_up_at = published + options_.ages_ms.back() + 86400000;
  if (absl::IsResourceExhausted(answer.status)) {
    Count(kThrottled);
    // The gateway's word, within reason: at least a second, at most a day.
    at(now + std::clamp<int64_t>(answer.retry_after_ms, 1000, 86400000));
    return;
  }
  if (absl::IsFailedPrecondition(answer.status) || absl::IsInvalidArgument(answer.status) ||
      absl::IsNotFound(answer.status) || absl::IsPermissionDenied(answer.status)) {
    // A network without metrics, or a channel gone: asking again would not help.
    Count(kStopped);
    log::Info("metric reads of a post stopped", {{"workspace", ws}, {"post_id", post_id},
                                                 {"reason", answer.status.ToString()}});
    stop();
    return;
  }
  if (!answer.status.ok()) {
    Count(kFailed);
    if (now > give_up_at) {
      stop();
    } else {
      at(now + options_.failure_backoff_ms);
    }
    return;
  }
  events::v1::PostMetricsSnapshot snap = answer.counts;
  snap.set_post_id(post_id);
  snap.set_channel_id(channel);
  snap.set_network(NetworkFromName(Get(rec, "net")));
  snap.set_remote_id(remote);
  *snap.mutable_observed_at() = FromMs(now);
  *snap.mutable_published_at() = FromMs(published);
  snap.set_campaign_id(Get(rec, "cmp"));
  snap.set_variant(Get(rec, "var"));
  *snap.mutable_meta() = NewEventMeta(snap, ws, clock_);
  absl::Status sent = producer_.ProduceSync(topics::k_post_metrics, post_id, snap.SerializeAsString(),
                                            EventHeaders(snap.meta()), std::chrono::seconds(10));
  if (!sent.ok()) {
    Count(kFailed);
    at(now + options_.failure_backoff_ms);
    return;
  }
  Count(kOk);
  if (auto next = NextRead(published, options_.ages_ms, now)) {
    at(*next);
  } else {
    stop();
  }
}

}  // namespace herald::analytics
