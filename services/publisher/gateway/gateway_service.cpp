#include "publisher/gateway/gateway_service.h"

#include "common/log.h"
#include "common/status.h"
#include "common/strong_types.h"
#include "common/time_util.h"
#include "common/unary.h"
#include "publisher/gateway/gateway_rules.h"
#include "publisher/quota_plan.h"

namespace herald::publisher {
namespace {

// A call that cannot be made now says when it could.
template <class Request>
grpc::ServerUnaryReactor* Serve(GatewayService& svc, grpc::CallbackServerContext* ctx, Executor& reads,
                                const Request* request, v1::InboundPage* response, FieldErrors (*validate)(const Request&)) {
  return RunUnary(ctx, reads, [&svc, ctx, request, response, validate] {
    if (auto bad = validate(*request); !bad.ok()) return bad.ToGrpc();
    int64_t retry_after_ms = 0;
    grpc::Status s = svc.Read(request->workspace_id(), request->channel_id(), QueryOf(*request), response, &retry_after_ms);
    if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ctx->AddTrailingMetadata("retry-after-ms", std::to_string(std::max<int64_t>(retry_after_ms, 1)));
    }
    return s;
  });
}

}  // namespace

GatewayService::GatewayService(ChannelCache& channels, TokenRefresher& refresher, ConnectorSet& connectors,
                               const NetworkCatalog& catalog, RateLimiter& limiter, Executor& reads,
                               const Clock& clock, prometheus::Registry& registry)
    : channels_(channels),
      refresher_(refresher),
      connectors_(connectors),
      catalog_(catalog),
      limiter_(limiter),
      reads_(reads),
      clock_(clock) {
  auto& family = prometheus::BuildCounter()
                     .Name("herald_gateway_reads_total")
                     .Help("Reads from the networks for listening, by outcome (ok, throttled, refused, failed)")
                     .Register(registry);
  const char* names[] = {"ok", "throttled", "refused", "failed"};
  for (size_t i = 0; i < outcomes_.size(); ++i) outcomes_[i] = &family.Add({{"outcome", names[i]}});
}

grpc::ServerUnaryReactor* GatewayService::ReadMentions(grpc::CallbackServerContext* ctx,
                                                       const v1::ReadMentionsRequest* request,
                                                       v1::InboundPage* response) {
  return Serve(*this, ctx, reads_, request, response, &ValidateReadMentions);
}

grpc::ServerUnaryReactor* GatewayService::SearchPosts(grpc::CallbackServerContext* ctx,
                                                      const v1::SearchPostsRequest* request, v1::InboundPage* response) {
  return Serve(*this, ctx, reads_, request, response, &ValidateSearchPosts);
}

grpc::ServerUnaryReactor* GatewayService::ReadReplies(grpc::CallbackServerContext* ctx,
                                                      const v1::ReadRepliesRequest* request, v1::InboundPage* response) {
  return Serve(*this, ctx, reads_, request, response, &ValidateReadReplies);
}

template <class Result, class Cost, class Call>
grpc::Status GatewayService::Through(const std::string& ws, const std::string& channel_id, Priority priority,
                                     Cost&& cost, Call&& call, Result& read, int64_t* retry_after_ms) {
  auto cached = channels_.Get(WorkspaceId(ws), ChannelId(channel_id));
  if (!cached.ok()) return ToGrpc(cached.status());
  const auto& ch = (*cached)->channel;
  if (ch.status() != v1::CHANNEL_STATUS_ACTIVE) {
    return {grpc::StatusCode::FAILED_PRECONDITION,
            "channel " + channel_id + " is " + v1::ChannelStatus_Name(ch.status()) + ", not active: nothing is read"};
  }
  const NetworkProfile* profile = catalog_.Find(ch.network());
  Connector* connector = connectors_.For(ch.network());
  if (!profile || !connector) {
    return {grpc::StatusCode::FAILED_PRECONDITION, "Herald reads nothing from this channel's network"};
  }
  auto current = refresher_.Fresh(*cached, false);
  if (!current.ok()) {
    Count(ReadOutcome::kRefused);
    return {absl::IsPermissionDenied(current.status()) ? grpc::StatusCode::FAILED_PRECONDITION
                                                       : grpc::StatusCode::UNAVAILABLE,
            "token refresh: " + std::string(current.status().message())};
  }
  // Our quota first, at the read's priority: what publishing and replies
  // wait for is never taken. A read that costs several requests pays for each.
  const int calls = cost(*connector);
  if (calls < 0) {
    return {grpc::StatusCode::FAILED_PRECONDITION, "Herald does not read this from the channel's network yet"};
  }
  QuotaPlan plan = PlanFor(*profile, ch.id(), CallKind::kRead);
  for (auto& charge : plan) charge.cost *= calls;
  const int64_t now = clock_.NowMs();
  auto quota = limiter_.Acquire(plan, catalog_.Class(priority), AtMs(now));
  if (!quota.ok()) return ToGrpc(quota.status());
  if (!quota->allowed) {
    Count(ReadOutcome::kThrottled);
    *retry_after_ms = quota->retry_after_ms;
    return {grpc::StatusCode::RESOURCE_EXHAUSTED, "the channel's quota has no room for a read now"};
  }
  Endpoint ep{ch.base_url(), (*current)->access_token, ch.remote_account_id(), ch.handle()};
  read = call(*connector, ep);
  if (absl::IsPermissionDenied(read.status) && refresher_.CanRefresh(**current)) {
    auto renewed = refresher_.Fresh(*current, true);  // expired early, or refreshed elsewhere
    if (renewed.ok() && (*renewed)->access_token != ep.token) {
      ep.token = (*renewed)->access_token;
      read = call(*connector, ep);
    }
  }
  // The network's own view of the quota tightens ours.
  if (absl::IsResourceExhausted(read.status)) {
    int64_t until = now + std::max<int64_t>(read.retry_after_ms, 1000);
    if (read.limit_reset_ms > until) until = read.limit_reset_ms;
    (void)limiter_.BlockUntil(plan, AtMs(until));
    Count(ReadOutcome::kThrottled);
    *retry_after_ms = until - now;
    return {grpc::StatusCode::RESOURCE_EXHAUSTED, "the network is rate limiting: " + std::string(read.status.message())};
  }
  if (read.status.ok() && read.limit_remaining == 0 && read.limit_reset_ms > now) {
    (void)limiter_.BlockUntil(plan, AtMs(read.limit_reset_ms));
  }
  if (absl::IsPermissionDenied(read.status)) {
    Count(ReadOutcome::kRefused);
    return {grpc::StatusCode::FAILED_PRECONDITION,
            "the network refused the channel's credentials: " + std::string(read.status.message())};
  }
  if (absl::IsInvalidArgument(read.status)) {
    Count(ReadOutcome::kRefused);
    return {grpc::StatusCode::INVALID_ARGUMENT, std::string(read.status.message())};
  }
  if (absl::IsNotFound(read.status)) {
    Count(ReadOutcome::kRefused);
    return {grpc::StatusCode::NOT_FOUND, std::string(read.status.message())};
  }
  if (!read.status.ok()) {
    Count(ReadOutcome::kFailed);
    return {grpc::StatusCode::UNAVAILABLE, "reading the network: " + std::string(read.status.message())};
  }
  Count(ReadOutcome::kOk);
  return grpc::Status::OK;
}

grpc::Status GatewayService::Read(const std::string& ws, const std::string& channel_id, const InboundQuery& query,
                                  v1::InboundPage* response, int64_t* retry_after_ms) {
  InboundRead read;
  grpc::Status s = Through(
      ws, channel_id, Priority::kListen, [&query](const Connector& c) { return c.ReadCalls(query); },
      [&query](Connector& c, const Endpoint& ep) { return c.ReadInbound(ep, query); }, read, retry_after_ms);
  if (!s.ok()) return s;
  ToProto(read.page, response);
  if (response->refused() > 0) {
    log::Warn("network answer items out of bounds left out", {{"channel_id", channel_id}, {"refused", response->refused()}});
  }
  return grpc::Status::OK;
}

grpc::Status GatewayService::Metrics(const std::string& ws, const std::string& channel_id,
                                     const std::string& remote_id, v1::PostMetrics* response,
                                     int64_t* retry_after_ms) {
  MetricsRead read;
  grpc::Status s = Through(
      ws, channel_id, Priority::kBackfill, [](const Connector& c) { return c.ReadsMetrics() ? 1 : -1; },
      [&remote_id](Connector& c, const Endpoint& ep) { return c.ReadMetrics(ep, remote_id); }, read, retry_after_ms);
  if (absl::IsInvalidArgument(read.status)) {
    // The network has no metrics Herald reads: a standing fact, not a bad request.
    return {grpc::StatusCode::FAILED_PRECONDITION, std::string(read.status.message())};
  }
  if (!s.ok()) return s;
  *response->mutable_observe_time() = FromMs(clock_.NowMs());
  const PostCounts& c = read.counts;
  if (c.impressions) response->set_impressions(*c.impressions);
  if (c.likes) response->set_likes(*c.likes);
  if (c.replies) response->set_replies(*c.replies);
  if (c.reposts) response->set_reposts(*c.reposts);
  if (c.quotes) response->set_quotes(*c.quotes);
  if (c.saves) response->set_saves(*c.saves);
  if (c.link_clicks) response->set_link_clicks(*c.link_clicks);
  if (c.video_views) response->set_video_views(*c.video_views);
  return grpc::Status::OK;
}

grpc::Status GatewayService::AccountMetrics(const std::string& ws, const std::string& channel_id,
                                            v1::ChannelMetrics* response, int64_t* retry_after_ms) {
  AccountRead read;
  grpc::Status s = Through(
      ws, channel_id, Priority::kBackfill, [](const Connector& c) { return c.ReadsFollowers() ? 1 : -1; },
      [](Connector& c, const Endpoint& ep) { return c.ReadAccount(ep); }, read, retry_after_ms);
  if (absl::IsInvalidArgument(read.status)) {
    return {grpc::StatusCode::FAILED_PRECONDITION, std::string(read.status.message())};
  }
  if (!s.ok()) return s;
  *response->mutable_observe_time() = FromMs(clock_.NowMs());
  if (read.followers) response->set_followers(*read.followers);
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* GatewayService::GetChannelMetrics(grpc::CallbackServerContext* ctx,
                                                            const v1::GetChannelMetricsRequest* request,
                                                            v1::ChannelMetrics* response) {
  return RunUnary(ctx, reads_, [this, ctx, request, response] {
    if (auto bad = ValidateGetChannelMetrics(*request); !bad.ok()) return bad.ToGrpc();
    int64_t retry_after_ms = 0;
    grpc::Status s = AccountMetrics(request->workspace_id(), request->channel_id(), response, &retry_after_ms);
    if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ctx->AddTrailingMetadata("retry-after-ms", std::to_string(std::max<int64_t>(retry_after_ms, 1)));
    }
    return s;
  });
}

grpc::ServerUnaryReactor* GatewayService::GetPostMetrics(grpc::CallbackServerContext* ctx,
                                                         const v1::GetPostMetricsRequest* request,
                                                         v1::PostMetrics* response) {
  return RunUnary(ctx, reads_, [this, ctx, request, response] {
    if (auto bad = ValidateGetPostMetrics(*request); !bad.ok()) return bad.ToGrpc();
    int64_t retry_after_ms = 0;
    grpc::Status s =
        Metrics(request->workspace_id(), request->channel_id(), request->post_remote_id(), response, &retry_after_ms);
    if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ctx->AddTrailingMetadata("retry-after-ms", std::to_string(std::max<int64_t>(retry_after_ms, 1)));
    }
    return s;
  });
}

}  // namespace herald::publisher
