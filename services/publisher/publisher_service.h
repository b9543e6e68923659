#pragma once
// gRPC API of the publisher (herald.publisher.v1.PublisherService).
#include "common/clock.h"
#include "common/executor.h"
#include "common/status.h"
#include "herald/publisher/v1/publisher.grpc.pb.h"
#include "common/kafka.h"
#include "publisher/channel_cache.h"
#include "publisher/channel_store.h"
#include "publisher/connector_set.h"
#include "publisher/network_catalog.h"
#include "publisher/rate_limiter.h"

namespace herald::publisher {


class PublisherService final : public v1::PublisherService::CallbackService {
 public:
  PublisherService(ChannelStore& channels, ChannelCache& cache, ConnectorSet& connectors,
                   const NetworkCatalog& catalog, RateLimiter& limiter, KafkaProducer& producer, Executor& executor,
                   Executor& network_calls, const Clock& clock)
      : channels_(channels),
        cache_(cache),
        connectors_(connectors),
        catalog_(catalog),
        limiter_(limiter),
        producer_(producer),
        executor_(executor),
        network_calls_(network_calls),
        clock_(clock) {}

  grpc::ServerUnaryReactor* ConnectChannel(grpc::CallbackServerContext* ctx, const v1::ConnectChannelRequest* request,
                                           v1::Channel* response) override;
  grpc::ServerUnaryReactor* GetChannel(grpc::CallbackServerContext* ctx, const v1::GetChannelRequest* request,
                                       v1::Channel* response) override;
  grpc::ServerUnaryReactor* ListChannels(grpc::CallbackServerContext* ctx, const v1::ListChannelsRequest* request,
                                         v1::ListChannelsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateChannel(grpc::CallbackServerContext* ctx, const v1::UpdateChannelRequest* request,
                                          v1::Channel* response) override;
  grpc::ServerUnaryReactor* DisconnectChannel(grpc::CallbackServerContext* ctx,
                                              const v1::DisconnectChannelRequest* request,
                                              v1::Channel* response) override;

  grpc::ServerUnaryReactor* ValidateContent(grpc::CallbackServerContext* ctx,
                                            const v1::ValidateContentRequest* request,
                                            v1::ValidateContentResponse* response) override;
  grpc::ServerUnaryReactor* GetQuotaStatus(grpc::CallbackServerContext* ctx, const v1::GetQuotaStatusRequest* request,
                                           v1::QuotaStatus* response) override;
  grpc::Status DoGetQuotaStatus(const v1::GetQuotaStatusRequest& request, v1::QuotaStatus* response);
  grpc::Status DoValidateContent(const v1::ValidateContentRequest& request, v1::ValidateContentResponse* response);
  grpc::Status DoConnectChannel(const v1::ConnectChannelRequest& request, v1::Channel* response);
  grpc::Status DoGetChannel(const v1::GetChannelRequest& request, v1::Channel* response);
  grpc::Status DoListChannels(const v1::ListChannelsRequest& request, v1::ListChannelsResponse* response);
  grpc::Status DoUpdateChannel(const v1::UpdateChannelRequest& request, v1::Channel* response);
  grpc::Status DoDisconnectChannel(const v1::DisconnectChannelRequest& request, v1::Channel* response);

 private:
  // The stored channel as the API returns it (refreshable filled in).
  grpc::Status Reread(const v1::Channel& channel, v1::Channel* response);

  ChannelStore& channels_;
  ChannelCache& cache_;
  ConnectorSet& connectors_;
  const NetworkCatalog& catalog_;
  RateLimiter& limiter_;
  KafkaProducer& producer_;
  Executor& executor_;
  Executor& network_calls_;  // calls that wait on a network (bounded line)
  const Clock& clock_;
};

// Field checks (no I/O).
FieldErrors ValidateConnect(const v1::ConnectChannelRequest& request);
FieldErrors ValidateUpdate(const v1::UpdateChannelRequest& request);

}  // namespace herald::publisher
