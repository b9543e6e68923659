#include "publisher/publisher_service.h"

#include "absl/time/time.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/egress.h"
#include "common/status.h"
#include "common/time_util.h"
#include "common/unary.h"
#include "publisher/channel_events.h"
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

namespace {

void CheckToken(FieldErrors& errors, const std::string& field, const std::string& token) {
  if (token.empty()) {
    errors.Add(field, "required");
  } else if (token.size() > 4096) {
    errors.Add(field, "longer than 4096 bytes");
  }
}

}  // namespace

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
  } else if (auto st = CheckOutboundUrl(url); !st.ok()) {
    errors.Add("base_url", std::string(st.message()));
  }
  CheckToken(errors, "access_token", r.access_token());
  if (r.network() == herald::common::v1::NETWORK_WEBHOOK && !r.access_token().empty() &&
      r.access_token().size() < 16) {
    errors.Add("access_token", "a webhook's signing secret needs at least 16 characters");
  }
  if (r.refresh_token().size() > 4096) errors.Add("refresh_token", "longer than 4096 bytes");
  if (!r.time_zone().empty() && !IsIanaZone(r.time_zone())) errors.Add("time_zone", "not an IANA zone name");
  return errors;
}

FieldErrors ValidateUpdate(const v1::UpdateChannelRequest& r) {
  FieldErrors errors = ChannelRefErrors(r.workspace_id(), r.channel_id());
  if (r.has_access_token()) CheckToken(errors, "access_token", r.access_token());
  if (r.has_refresh_token()) CheckToken(errors, "refresh_token", r.refresh_token());
  if (r.has_token_expire_time() && !r.has_access_token()) {
    errors.Add("token_expire_time", "only with a new access_token");
  }
  if (r.has_time_zone() && !IsIanaZone(r.time_zone())) errors.Add("time_zone", "not an IANA zone name");
  if (!r.has_access_token() && !r.has_refresh_token() && !r.has_time_zone()) {
    errors.Add("access_token", "nothing to update: set access_token, refresh_token or time_zone");
  }
  return errors;
}

grpc::ServerUnaryReactor* PublisherService::ConnectChannel(grpc::CallbackServerContext* ctx,
                                                           const v1::ConnectChannelRequest* request,
                                                           v1::Channel* response) {
  return RunUnary(ctx, network_calls_, [=, this] { return DoConnectChannel(*request, response); });
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
  auto channel = channels_.Get(WorkspaceId(request.workspace_id()), ChannelId(request.channel_id()));
  if (!channel.ok()) return ToGrpc(channel.status());
  const NetworkProfile* network = catalog_.Find(channel->network());
  if (!network) return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "the networks file has no rules for this network");
  *response = CheckContent(request, *network);
  if (Connector* connector = connectors_.For(channel->network()); request.reply() && connector &&
                                                                   !connector->SupportsReplies()) {
    // Said now, at compose time, not when the reply fails at publish time.
    auto* v = response->add_violations();
    v->set_field("in_reply_to_remote_id");
    v->set_message("replies are not supported on " + NetworkName(channel->network()) + " yet");
    response->set_ok(false);
  }
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
  auto channel = channels_.Get(WorkspaceId(request.workspace_id()), ChannelId(request.channel_id()));
  if (!channel.ok()) return ToGrpc(channel.status());
  response->set_channel_id(channel->id());
  response->set_network(channel->network());
  response->set_rules_version(catalog_.version());
  const NetworkProfile* network = catalog_.Find(channel->network());
  if (!network) return grpc::Status::OK;
  QuotaPlan plan = PlanFor(*network, channel->id(), CallKind::kPublish);
  auto headroom = limiter_.Headroom(plan, AtMs(clock_.NowMs()));
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
  if (request.has_token_expire_time()) *channel.mutable_token_expire_time() = request.token_expire_time();
  auto existing = channels_.Get(WorkspaceId(request.workspace_id()), IdOf(channel));
  *channel.mutable_create_time() = existing.ok() ? existing->create_time() : FromMs(clock_.NowMs());
  // A reconnect without a refresh token keeps the stored one.
  if (auto s = channels_.Put(channel, request.access_token(), request.refresh_token()); !s.ok()) return ToGrpc(s);
  cache_.Invalidate(WorkspaceOf(channel), IdOf(channel));
  // The listener starts listening to a channel when it hears of it. Not
  // heard, the call fails; repeating it (same account, same channel) is safe.
  if (auto s = AnnounceChannelStatus(producer_, clock_, channel, "connected"); !s.ok()) {
    return {grpc::StatusCode::UNAVAILABLE,
            "channel stored but not announced to the other services (" + s.ToString() + "); repeat the call"};
  }
  log::Info("channel connected", {{"channel_id", channel.id()}, {"workspace_id", channel.workspace_id()},
                                  {"handle", channel.handle()}});
  return Reread(channel, response);
}

grpc::Status PublisherService::Reread(const v1::Channel& channel, v1::Channel* response) {
  auto stored = channels_.Get(WorkspaceOf(channel), IdOf(channel));
  if (!stored.ok()) return ToGrpc(stored.status());
  *response = *std::move(stored);
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* PublisherService::UpdateChannel(grpc::CallbackServerContext* ctx,
                                                          const v1::UpdateChannelRequest* request,
                                                          v1::Channel* response) {
  return RunUnary(ctx, network_calls_, [=, this] { return DoUpdateChannel(*request, response); });
}

grpc::Status PublisherService::DoUpdateChannel(const v1::UpdateChannelRequest& request, v1::Channel* response) {
  FieldErrors errors = ValidateUpdate(request);
  if (!errors.ok()) return errors.ToGrpc();
  auto stored = channels_.GetWithToken(WorkspaceId(request.workspace_id()), ChannelId(request.channel_id()));
  if (!stored.ok()) return ToGrpc(stored.status());
  v1::Channel channel = stored->channel;
  if (channel.status() == v1::CHANNEL_STATUS_DISCONNECTED && !request.has_access_token()) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "channel is disconnected: give a new access_token (or ConnectChannel)");
  }
  std::string access_token = stored->access_token;
  if (request.has_access_token()) {
    // Re-authorisation: the network must accept the token and name the same account.
    Connector* connector = connectors_.For(channel.network());
    if (!connector) return InvalidArgument("access_token", "no connector for this channel's network");
    auto account = connector->VerifyCredentials(
        Endpoint{channel.base_url(), request.access_token(), channel.remote_account_id(), channel.handle()});
    if (absl::IsPermissionDenied(account.status())) return InvalidArgument("access_token", "rejected by the network");
    if (!account.ok()) return ToGrpc(account.status());
    if (account->remote_id != channel.remote_account_id()) {
      return InvalidArgument("access_token", "belongs to another account (" + account->handle + ")");
    }
    access_token = request.access_token();
    channel.set_status(v1::CHANNEL_STATUS_ACTIVE);
    if (request.has_token_expire_time()) {
      *channel.mutable_token_expire_time() = request.token_expire_time();
    } else {
      channel.clear_token_expire_time();
    }
  }
  if (request.has_time_zone()) channel.set_time_zone(request.time_zone());
  if (auto s = channels_.Put(channel, access_token, request.refresh_token()); !s.ok()) return ToGrpc(s);
  cache_.Invalidate(WorkspaceOf(channel), IdOf(channel));
  if (stored->channel.status() != channel.status()) {
    // Back to ACTIVE after NEEDS_REAUTH or a disconnect: say so, like the way down.
    if (auto s = AnnounceChannelStatus(producer_, clock_, channel, "re-authorised"); !s.ok()) {
      log::Warn("channel re-authorised but not announced", {{"channel_id", channel.id()}, {"error", s.ToString()}});
    }
  }
  log::Info("channel updated", {{"channel_id", channel.id()},
                                {"new_access_token", request.has_access_token()},
                                {"new_refresh_token", request.has_refresh_token()}});
  return Reread(channel, response);
}

grpc::ServerUnaryReactor* PublisherService::DisconnectChannel(grpc::CallbackServerContext* ctx,
                                                              const v1::DisconnectChannelRequest* request,
                                                              v1::Channel* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoDisconnectChannel(*request, response); });
}

grpc::Status PublisherService::DoDisconnectChannel(const v1::DisconnectChannelRequest& request,
                                                   v1::Channel* response) {
  if (auto bad = ChannelRefErrors(request.workspace_id(), request.channel_id()); !bad.ok()) return bad.ToGrpc();
  auto channel = channels_.Get(WorkspaceId(request.workspace_id()), ChannelId(request.channel_id()));
  if (!channel.ok()) return ToGrpc(channel.status());
  if (auto s = channels_.PutDisconnected(*channel); !s.ok()) return ToGrpc(s);
  cache_.Invalidate(WorkspaceOf(*channel), IdOf(*channel));
  channel->set_status(v1::CHANNEL_STATUS_DISCONNECTED);
  if (auto s = AnnounceChannelStatus(producer_, clock_, *channel, "disconnected by a user"); !s.ok()) {
    // Stored either way; the event is what other services react to.
    log::Warn("channel disconnected but not announced", {{"channel_id", channel->id()}, {"error", s.ToString()}});
  }
  log::Info("channel disconnected", {{"channel_id", channel->id()}, {"workspace_id", channel->workspace_id()}});
  return Reread(*channel, response);
}

grpc::Status PublisherService::DoGetChannel(const v1::GetChannelRequest& request, v1::Channel* response) {
  if (auto bad = ChannelRefErrors(request.workspace_id(), request.channel_id()); !bad.ok()) return bad.ToGrpc();
  auto c = channels_.Get(WorkspaceId(request.workspace_id()), ChannelId(request.channel_id()));
  if (!c.ok()) return ToGrpc(c.status());
  *response = std::move(*c);
  return grpc::Status::OK;
}

grpc::Status PublisherService::DoListChannels(const v1::ListChannelsRequest& request,
                                              v1::ListChannelsResponse* response) {
  if (!IsValidId(request.workspace_id())) return InvalidArgument("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  auto list = channels_.List(WorkspaceId(request.workspace_id()));
  if (!list.ok()) return ToGrpc(list.status());
  for (auto& c : *list) *response->add_channels() = std::move(c);
  return grpc::Status::OK;
}

}  // namespace herald::publisher
