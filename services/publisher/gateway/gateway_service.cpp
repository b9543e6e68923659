#include "publisher/gateway/gateway_service.h"

#include "common/log.h"
#include "common/status.h"
#include "common/strong_types.h"
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

grpc::Status GatewayService::Read(const std::string& ws, const std::string& channel_id, const InboundQuery& query,
                                  v1::InboundPage* response, int64_t* retry_after_ms) {
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
  // Our quota first, at listen priority: what publishing and replies wait
  // for is never taken. A listing that costs several requests pays for each.
  QuotaPlan plan = PlanFor(*profile, ch.id(), CallKind::kRead);
  for (auto& charge : plan) charge.cost *= connector->ReadCalls(query);
  const int64_t now = clock_.NowMs();
  auto quota = limiter_.Acquire(plan, catalog_.Reserve(Priority::kListen), AtMs(now));
  if (!quota.ok()) return ToGrpc(quota.status());
  if (!quota->allowed) {
    Count(ReadOutcome::kThrottled);
    *retry_after_ms = quota->retry_after_ms;
    return {grpc::StatusCode::RESOURCE_EXHAUSTED, "the channel's quota has no room for a read now"};
  }
  Endpoint ep{ch.base_url(), (*current)->access_token, ch.remote_account_id(), ch.handle()};
  InboundRead read = connector->ReadInbound(ep, query);
  if (absl::IsPermissionDenied(read.status) && refresher_.CanRefresh(**current)) {
    auto renewed = refresher_.Fresh(*current, true);  // expired early, or refreshed elsewhere
    if (renewed.ok() && (*renewed)->access_token != ep.token) {
      ep.token = (*renewed)->access_token;
      read = connector->ReadInbound(ep, query);
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
  if (!read.status.ok()) {
    Count(ReadOutcome::kFailed);
    return {grpc::StatusCode::UNAVAILABLE, "reading the network: " + std::string(read.status.message())};
  }
  Count(ReadOutcome::kOk);
  ToProto(read.page, response);
  if (response->refused() > 0) {
    log::Warn("network answer items out of bounds left out", {{"channel_id", channel_id}, {"refused", response->refused()}});
  }
  return grpc::Status::OK;
}

}  // namespace herald::publisher
