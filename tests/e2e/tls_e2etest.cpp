// Mutual TLS on: every gRPC server refuses plaintext and clients without a
// certificate from the CA, and the services call each other over mTLS (a
// post goes through scheduler → publisher; an inbox reply through listener →
// scheduler). Redis speaks only TLS here, so every service's state travels
// through its TLS tunnel. With TLS off the other suites run the same platform
// in plaintext.
#include "common/grpc_client.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "herald/listener/v1/listener.grpc.pb.h"
#include "platform_test.h"

namespace herald::testing {
namespace {

namespace lst = herald::listener::v1;

class Mtls : public PlatformTest {
 protected:
  void SetUp() override {
    PlatformOptions o;
    o.mtls = true;
    p_ = std::make_unique<Platform>(o);
    workspace_ = "tls";
  }
  std::shared_ptr<grpc::Channel> Secure(const std::string& service, bool with_client_cert = true) {
    ServiceClientOptions o;
    o.api_key = p_->operator_key();
    o.tls.ca_file = p_->tls_file("ca.pem");
    if (with_client_cert) {
      o.tls.cert_file = p_->tls_file("cert.pem");
      o.tls.key_file = p_->tls_file("cert.key");
    }
    return DialService(p_->Grpc(service), o);
  }
  static bool Healthy(const std::shared_ptr<grpc::Channel>& ch) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse res;
    return grpc::health::v1::Health::NewStub(ch)->Check(&ctx, req, &res).ok();
  }
};

TEST_F(Mtls, OnlyClientsWithACertificateAreServedAndServicesTalkOverMtls) {
  for (const auto& [name, ports] : p_->ports()) {
    EXPECT_TRUE(Eventually([&] { return Healthy(Secure(name)); }, std::chrono::seconds(20))) << name;
    EXPECT_FALSE(Healthy(grpc::CreateChannel(p_->Grpc(name), grpc::InsecureChannelCredentials()))) << name;
    EXPECT_FALSE(Healthy(Secure(name, /*with_client_cert=*/false))) << name;
  }

  auto publisher = pub::PublisherService::NewStub(Secure("publisher"));
  pub::ConnectChannelRequest c;
  c.set_workspace_id(workspace_);
  c.set_network(Network::NETWORK_MASTODON);
  c.set_base_url(p_->simulator_url());
  c.set_access_token("e2e-token");
  pub::Channel channel;
  ASSERT_TRUE(publisher->ConnectChannel(Ctx().get(), c, &channel).ok());

  // scheduler → publisher (content check) over mTLS, then published.
  auto scheduler = sched::SchedulerService::NewStub(Secure("scheduler"));
  sched::CreatePostRequest r;
  r.set_workspace_id(workspace_);
  r.set_text("over mutual TLS");
  r.add_channel_ids(channel.id());
  r.set_publish_now(true);
  sched::Post post;
  auto s = scheduler->CreatePost(Ctx().get(), r, &post);
  ASSERT_TRUE(s.ok()) << s.error_message() << "\n" << p_->Logs();
  EXPECT_TRUE(Eventually([&] {
    sched::GetPostRequest g;
    g.set_workspace_id(workspace_);
    g.set_post_id(post.id());
    sched::Post got;
    return scheduler->GetPost(Ctx().get(), g, &got).ok() && got.state() == sched::POST_STATE_PUBLISHED;
  }));

  // listener → scheduler: an inbox reply.
  json mention = {{"webhook_url", p_->listener_url() + "/v1/webhooks/mastodon/" + workspace_ + "/" + channel.id()},
                  {"author", "fan"},
                  {"text", "@brand hello over TLS"}};
  ASSERT_EQ(HttpJson("POST", p_->simulator_url() + "/_sim/mention", mention.dump()).value("webhook_status", 0), 202);
  auto listener = lst::ListenerService::NewStub(Secure("listener"));
  lst::ListInboxRequest li;
  li.set_workspace_id(workspace_);
  lst::ListInboxResponse inbox;
  ASSERT_TRUE(Eventually([&] { return listener->ListInbox(Ctx().get(), li, &inbox).ok() && inbox.items_size() == 1; }));
  lst::ReplyRequest reply;
  reply.set_workspace_id(workspace_);
  reply.set_item_id(inbox.items(0).id());
  reply.set_text("thanks!");
  lst::ReplyResponse replied;
  auto rs = listener->Reply(Ctx().get(), reply, &replied);
  EXPECT_TRUE(rs.ok()) << rs.error_message();
  EXPECT_FALSE(replied.post_id().empty());
}

}  // namespace
}  // namespace herald::testing
