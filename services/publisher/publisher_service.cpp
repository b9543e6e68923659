#include "publisher/publisher_service.h"

#include "common/ids.h"
#include "common/log.h"
#include "common/status.h"
#include "common/time_util.h"
#include "common/unary.h"
#include "publisher/content_rules.h"
#include "publisher/quota_plan.h"

namespace herald::publisher {

// The (workspace_id, channel_id) pair most requests name a channel by.
FieldErrors ChannelRefErrors(const std::string& workspace_id, const std::string& channel_id) {
  FieldErrors errors;
  if (!IsValidId(workspace_id)) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!IsValidId(channel_id)) errors.Add("channel_id", "required, 1-64 of [A-Za-z0-9_-]");
  return errors;
}

FieldErrors ValidateConnect(const v1::ConnectChannelRequest& r) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (r.network() == herald::common::v1::NETWORK_UNSPECIFIED) {
    errors.Add("network", "required");
  } else if (NetworkName(r.network()).empty()) {
    errors.Add("network", "unknown network");
  }
  if (r.network() == herald::common::v1::NETWORK_BLUESKY && r.identifier().empty()) {
    errors.Add("identifier", "required for Bluesky: the handle to sign in with");
  }
  if (r.identifier().size() > 256) errors.Add("identifier", "longer than 256 characters");
  const std::string& url = r.base_url();
  bool scheme = url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
  if (url.empty()) {
    errors.Add("base_url", "required, e.g. https://mastodon.social");
  } else if (!scheme || url.size() > 2048 || url.find_first_of(" \t\r\n") != std::string::npos) {
    errors.Add("base_url", "must be an http(s) URL");
  }
  if (r.access_token().empty()) {
    errors.Add("access_token", "required");
  } else if (r.access_token().size() > 4096) {
    errors.Add("access_token", "longer than 4096 bytes");
  } else if (r.network() == herald::common::v1::NETWORK_WEBHOOK && r.access_token().size() < 16) {
    errors.Add("access_token", "a webhook's signing secret needs at least 16 characters");
  }
  if (!r.time_zone().empty() && (r.time_zone().size() > 64 || r.time_zone().find(' ') != std::string::npos)) {
    errors.Add("time_zone", "not an IANA zone name");
  }
  return errors;
}

grpc::ServerUnaryReactor* PublisherService::ConnectChannel(grpc::CallbackServerContext* ctx,
                                                           const v1::ConnectChannelRequest* request,
                                                           v1::Channel* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoConnectChannel(*request, response); });
}

grpc::ServerUnaryReactor* PublisherService::GetChannel(grpc::CallbackServerContext* ctx,
                                                       const v1::GetChannelRequest* request, v1::Channel* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoGetChannel(*request, response); });
}

grpc::ServerUnaryReactor* PublisherService::ListChannels(grpc::CallbackServerContext* ctx,
                                                         const v1::ListChannelsRequest* request,
                                                         v1::ListChannelsResponse* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoListChannels(*request, response); });
}

grpc::ServerUnaryReactor* PublisherService::ValidateContent(grpc::CallbackServerContext* ctx,
                                                            const v1::ValidateContentRequest* request,
                                                            v1::ValidateContentResponse* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoValidateContent(*request, response); });
}

grpc::Status PublisherService::DoValidateContent(const v1::ValidateContentRequest& request,
                                                 v1::ValidateContentResponse* response) {
  if (auto bad = ChannelRefErrors(request.workspace_id(), request.channel_id()); !bad.ok()) return bad.ToGrpc();
  auto channel = channels_.Get(request.workspace_id(), request.channel_id());
  if (!channel.ok()) return ToGrpc(channel.status());
  const NetworkProfile* network = catalog_.Find(channel->network());
  if (!network) return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "the networks file has no rules for this network");
  *response = CheckContent(request, *network);
  response->set_rules_version(catalog_.version());
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* PublisherService::GetQuotaStatus(grpc::CallbackServerContext* ctx,
                                                           const v1::GetQuotaStatusRequest* request,
                                                           v1::QuotaStatus* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoGetQuotaStatus(*request, response); });
}

grpc::Status PublisherService::DoGetQuotaStatus(const v1::GetQuotaStatusRequest& request, v1::QuotaStatus* response) {
  if (auto bad = ChannelRefErrors(request.workspace_id(), request.channel_id()); !bad.ok()) return bad.ToGrpc();
  auto channel = channels_.Get(request.workspace_id(), request.channel_id());
  if (!channel.ok()) return ToGrpc(channel.status());
  response->set_channel_id(channel->id());
  response->set_network(channel->network());
  response->set_rules_version(catalog_.version());
  const NetworkProfile* network = catalog_.Find(channel->network());
  if (!network) return grpc::Status::OK;
  QuotaPlan plan = PlanFor(*network, channel->id(), CallKind::kPublish);
  auto headroom = limiter_.Headroom(plan, clock_.NowMs());
  if (!headroom.ok()) return ToGrpc(headroom.status());
  for (size_t i = 0; i < plan.size(); ++i) {
    auto* w = response->add_windows();
    w->set_scope(plan[i].key.find(":app:") != std::string::npos ? "app" : "account");
    w->set_window(plan[i].window.name);
    w->set_limit(plan[i].window.limit);
    w->set_window_seconds(plan[i].window.window_ms / 1000);
    w->set_cost(plan[i].cost);
    w->set_available((*headroom)[i].available / std::max<int64_t>(1, plan[i].cost));
    *w->mutable_next_time() = FromMs((*headroom)[i].next_ms);
  }
  return grpc::Status::OK;
}

grpc::Status PublisherService::DoConnectChannel(const v1::ConnectChannelRequest& request, v1::Channel* response) {
  FieldErrors errors = ValidateConnect(request);
  if (!errors.ok()) return errors.ToGrpc();
  std::string base_url = request.base_url();
  while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();

  Connector* connector = connectors_.For(request.network());
  if (!connector) return InvalidArgument("network", "no connector for this network");
  auto account = connector->VerifyCredentials(Endpoint{base_url, request.access_token(), "", request.identifier()});
  if (absl::IsPermissionDenied(account.status())) return InvalidArgument("access_token", "rejected by the network");
  if (!account.ok()) return ToGrpc(account.status());

  // Same account reconnected → same channel id: posts scheduled for it stay
  // valid. The network is part of it: one server can host several APIs.
  uint64_t h = StableHash(request.workspace_id() + "|" + NetworkName(request.network()) + "|" + base_url + "|" +
                          account->remote_id);
  v1::Channel channel;
  channel.set_id("ch_" + ToHex(std::string_view(reinterpret_cast<const char*>(&h), sizeof h)));
  channel.set_workspace_id(request.workspace_id());
  channel.set_network(request.network());
  channel.set_base_url(base_url);
  channel.set_handle(account->handle);
  channel.set_remote_account_id(account->remote_id);
  channel.set_status(v1::CHANNEL_STATUS_ACTIVE);
  channel.set_time_zone(request.time_zone().empty() ? "UTC" : request.time_zone());
  auto existing = channels_.Get(request.workspace_id(), channel.id());
  *channel.mutable_create_time() = existing.ok() ? existing->create_time() : FromMs(clock_.NowMs());
  if (auto s = channels_.Put(channel, request.access_token()); !s.ok()) return ToGrpc(s);
  log::Info("channel connected", {{"channel_id", channel.id()}, {"workspace_id", channel.workspace_id()},
                                  {"handle", channel.handle()}});
  *response = channel;
  return grpc::Status::OK;
}

grpc::Status PublisherService::DoGetChannel(const v1::GetChannelRequest& request, v1::Channel* response) {
  if (auto bad = ChannelRefErrors(request.workspace_id(), request.channel_id()); !bad.ok()) return bad.ToGrpc();
  auto c = channels_.Get(request.workspace_id(), request.channel_id());
  if (!c.ok()) return ToGrpc(c.status());
  *response = std::move(*c);
  return grpc::Status::OK;
}

grpc::Status PublisherService::DoListChannels(const v1::ListChannelsRequest& request,
                                              v1::ListChannelsResponse* response) {
  if (!IsValidId(request.workspace_id())) return InvalidArgument("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  auto list = channels_.List(request.workspace_id());
  if (!list.ok()) return ToGrpc(list.status());
  for (auto& c : *list) *response->add_channels() = std::move(c);
  return grpc::Status::OK;
}

}  // namespace herald::publisher
