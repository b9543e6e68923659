#include "heraldctl/publisher_commands.h"

#include <algorithm>
#include <cctype>
#include <iostream>

#include "herald/publisher/v1/publisher.grpc.pb.h"
#include "herald/publisher/v1/webhooks.grpc.pb.h"
#include "heraldctl/table.h"

namespace heraldctl {
namespace {

namespace pub = herald::publisher::v1;

std::unique_ptr<pub::PublisherService::Stub> Publisher(const Ctx& c) {
  return pub::PublisherService::NewStub(Dial(c.args, "publisher", "HERALD_PUBLISHER_ADDR", "localhost:7102"));
}
std::unique_ptr<pub::WebhookService::Stub> Webhooks(const Ctx& c) {
  return pub::WebhookService::NewStub(Dial(c.args, "publisher", "HERALD_PUBLISHER_ADDR", "localhost:7102"));
}

// "x" → NETWORK_X; the server names a wrong one.
herald::common::v1::Network ParseNetwork(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::toupper(ch); });
  herald::common::v1::Network n = herald::common::v1::NETWORK_UNSPECIFIED;
  (void)herald::common::v1::Network_Parse("NETWORK_" + name, &n);
  return n;
}

}  // namespace

int ConnectChannel(const Ctx& c) {
  pub::ConnectChannelRequest req;
  req.set_workspace_id(c.workspace);
  req.set_network(ParseNetwork(c.args.Get("network", "", "mastodon")));
  req.set_base_url(c.args.Get("base-url", "", ""));
  req.set_access_token(c.args.Get("token", "", ""));
  req.set_refresh_token(c.args.Get("refresh-token", "", ""));
  req.set_identifier(c.args.Get("identifier", "", ""));
  req.set_time_zone(c.args.Get("time-zone", "", ""));
  pub::Channel ch;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Publisher(c)->ConnectChannel(&ctx, req, &ch); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(ch), 0;
  std::cout << "channel/" << ch.id() << " connected (@" << ch.handle() << ")\n";
  return 0;
}

int GetChannels(const Ctx& c, const std::string& id) {
  auto stub = Publisher(c);
  pub::ListChannelsResponse list;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (id.empty()) {
    pub::ListChannelsRequest req;
    req.set_workspace_id(c.workspace);
    if (auto s = stub->ListChannels(&ctx, req, &list); !s.ok()) return Fail(s);
  } else {
    pub::GetChannelRequest req;
    req.set_workspace_id(c.workspace);
    req.set_channel_id(id);
    if (auto s = stub->GetChannel(&ctx, req, list.add_channels()); !s.ok()) return Fail(s);
  }
  if (c.json) return PrintJson(list), 0;
  Table t({"ID", "NETWORK", "HANDLE", "STATUS", "TIME ZONE", "TOKEN EXPIRES"});
  for (const auto& ch : list.channels()) {
    t.Row({ch.id(), Lower(herald::common::v1::Network_Name(ch.network()), "NETWORK_"), "@" + ch.handle(),
           Lower(pub::ChannelStatus_Name(ch.status()), "CHANNEL_STATUS_"), ch.time_zone(),
           When(ch.token_expire_time()) + (ch.refreshable() ? " (refreshable)" : "")});
  }
  t.Print(std::cout);
  return 0;
}

int DisconnectChannel(const Ctx& c, const std::string& id) {
  pub::DisconnectChannelRequest req;
  req.set_workspace_id(c.workspace);
  req.set_channel_id(id);
  pub::Channel ch;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Publisher(c)->DisconnectChannel(&ctx, req, &ch); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(ch), 0;
  std::cout << "channel/" << ch.id() << " disconnected (credentials erased)\n";
  return 0;
}

int GetQuota(const Ctx& c, const std::string& channel_id) {
  pub::GetQuotaStatusRequest req;
  req.set_workspace_id(c.workspace);
  req.set_channel_id(channel_id);
  pub::QuotaStatus q;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Publisher(c)->GetQuotaStatus(&ctx, req, &q); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(q), 0;
  Table t({"SCOPE", "WINDOW", "LIMIT", "COST", "AVAILABLE", "NEXT"});
  for (const auto& w : q.windows()) {
    t.Row({w.scope(), w.window(), std::to_string(w.limit()), std::to_string(w.cost()), std::to_string(w.available()),
           When(w.next_time())});
  }
  t.Print(std::cout);
  std::cout << "rules version " << q.rules_version() << "\n";
  return 0;
}

int CreateWebhook(const Ctx& c) {
  pub::CreateWebhookRequest req;
  req.set_workspace_id(c.workspace);
  req.set_url(c.args.Get("url", "", ""));
  for (const auto& flag : c.args.All("events")) {
    for (auto& e : SplitCommas(flag)) req.add_event_types(e);
  }
  pub::Webhook hook;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Webhooks(c)->CreateWebhook(&ctx, req, &hook); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(hook), 0;
  std::cout << "webhook/" << hook.id() << " created\nsigning secret (shown once): " << hook.secret() << "\n";
  return 0;
}

int GetWebhooks(const Ctx& c) {
  pub::ListWebhooksRequest req;
  req.set_workspace_id(c.workspace);
  pub::ListWebhooksResponse list;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Webhooks(c)->ListWebhooks(&ctx, req, &list); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(list), 0;
  Table t({"ID", "URL", "EVENTS", "CREATED"});
  for (const auto& h : list.webhooks()) {
    std::string events;
    for (const auto& e : h.event_types()) events += (events.empty() ? "" : ",") + e;
    t.Row({h.id(), h.url(), events, When(h.create_time())});
  }
  t.Print(std::cout);
  return 0;
}

int DeleteWebhook(const Ctx& c, const std::string& id) {
  pub::DeleteWebhookRequest req;
  req.set_workspace_id(c.workspace);
  req.set_webhook_id(id);
  pub::Webhook hook;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Webhooks(c)->DeleteWebhook(&ctx, req, &hook); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(hook), 0;
  std::cout << "webhook/" << hook.id() << " deleted\n";
  return 0;
}

int GetWebhookAttempts(const Ctx& c, const std::string& id) {
  pub::ListWebhookAttemptsRequest req;
  req.set_workspace_id(c.workspace);
  req.set_webhook_id(id);
  req.set_event_id(c.args.Get("event", "", ""));
  req.set_page_size(std::atoi(c.args.Get("limit", "", "50").c_str()));
  pub::ListWebhookAttemptsResponse list;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Webhooks(c)->ListWebhookAttempts(&ctx, req, &list); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(list), 0;
  Table t({"TIME", "EVENT", "TYPE", "ATTEMPT", "HTTP", "OUTCOME", "MS", "NEXT", "ERROR"});
  for (const auto& a : list.attempts()) {
    t.Row({When(a.time()), a.event_id(), a.event_type(), std::to_string(a.attempt()),
           a.http_status() ? std::to_string(a.http_status()) : "-",
           Lower(pub::WebhookAttemptOutcome_Name(a.outcome()), "WEBHOOK_ATTEMPT_OUTCOME_"),
           std::to_string(a.duration_ms()), When(a.next_attempt_time()), a.error()});
  }
  t.Print(std::cout);
  return 0;
}

}  // namespace heraldctl
