#pragma once
// gRPC API of the network gateway (herald.publisher.v1.NetworkGateway): reads
// from the networks with the channel's credentials and quota, for the
// listener at the "listen" priority and for analytics (post metrics) at
// "backfill".
#include <array>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "common/clock.h"
#include "common/executor.h"
#include "herald/publisher/v1/gateway.grpc.pb.h"
#include "publisher/channel_cache.h"
#include "publisher/connector_set.h"
#include "publisher/network_catalog.h"
#include "publisher/rate_limiter.h"
#include "publisher/token_refresher.h"

namespace herald::publisher {

class GatewayService final : public v1::NetworkGateway::CallbackService {
 public:
  // `reads`: the pool the network calls wait in (bounded, apart from the
  // publisher's other work).
  GatewayService(ChannelCache& channels, TokenRefresher& refresher, ConnectorSet& connectors,
                 const NetworkCatalog& catalog, RateLimiter& limiter, Executor& reads, const Clock& clock,
                 prometheus::Registry& registry);

  grpc::ServerUnaryReactor* ReadMentions(grpc::CallbackServerContext* ctx, const v1::ReadMentionsRequest* request,
                                         v1::InboundPage* response) override;
  grpc::ServerUnaryReactor* SearchPosts(grpc::CallbackServerContext* ctx, const v1::SearchPostsRequest* request,
                                        v1::InboundPage* response) override;
  grpc::ServerUnaryReactor* ReadReplies(grpc::CallbackServerContext* ctx, const v1::ReadRepliesRequest* request,
                                        v1::InboundPage* response) override;
  grpc::ServerUnaryReactor* GetPostMetrics(grpc::CallbackServerContext* ctx, const v1::GetPostMetricsRequest* request,
                                           v1::PostMetrics* response) override;
  grpc::ServerUnaryReactor* GetChannelMetrics(grpc::CallbackServerContext* ctx,
                                              const v1::GetChannelMetricsRequest* request,
                                              v1::ChannelMetrics* response) override;

  // The read itself (checked request); `retry_after_ms` is set when the
  // answer is RESOURCE_EXHAUSTED.
  grpc::Status Read(const std::string& workspace_id, const std::string& channel_id, const InboundQuery& query,
                    v1::InboundPage* response, int64_t* retry_after_ms);
  // A post's counts (checked request), at the backfill priority.
  grpc::Status Metrics(const std::string& workspace_id, const std::string& channel_id, const std::string& remote_id,
                       v1::PostMetrics* response, int64_t* retry_after_ms);
  // The channel account's counts (checked request), at the backfill priority.
  grpc::Status AccountMetrics(const std::string& workspace_id, const std::string& channel_id,
                              v1::ChannelMetrics* response, int64_t* retry_after_ms);

 private:
  // What every read shares: an active channel, room in its quota at
  // `priority` (`cost` requests; negative: the connector does not read this,
  // FAILED_PRECONDITION before any quota is spent), a fresh token (refreshed once if refused),
  // and the network's own limits tightening ours.
  template <class Result, class Cost, class Call>
  grpc::Status Through(const std::string& ws, const std::string& channel_id, Priority priority, Cost&& cost,
                       Call&& call, Result& read, int64_t* retry_after_ms);

  enum class ReadOutcome { kOk, kThrottled, kRefused, kFailed };
  void Count(ReadOutcome outcome) { outcomes_[static_cast<size_t>(outcome)]->Increment(); }

  ChannelCache& channels_;
  TokenRefresher& refresher_;
  ConnectorSet& connectors_;
  const NetworkCatalog& catalog_;
  RateLimiter& limiter_;
  Executor& reads_;
  const Clock& clock_;
  // One series per outcome, made up front (not looked up per read).
  std::array<prometheus::Counter*, 4> outcomes_{};
};

}  // namespace herald::publisher
