#include "listener/polling/inbound_source.h"

#include "common/gateway_call.h"
#include "common/status.h"
#include "herald/publisher/v1/gateway.grpc.pb.h"

namespace herald::listener {
namespace {

namespace pub = herald::publisher::v1;

class GatewaySource : public InboundSource {
 public:
  explicit GatewaySource(std::shared_ptr<grpc::Channel> channel) : stub_(pub::NetworkGateway::NewStub(std::move(channel))) {}

  InboundResult Mentions(const PollTarget& t, const std::string& cursor, int page_size) override {
    pub::ReadMentionsRequest req;
    req.set_workspace_id(t.workspace_id);
    req.set_channel_id(t.channel_id);
    req.set_cursor(cursor);
    req.set_page_size(page_size);
    return Call([&](grpc::ClientContext* ctx, pub::InboundPage* page) { return stub_->ReadMentions(ctx, req, page); });
  }

  InboundResult Search(const PollTarget& t, const std::vector<std::string>& terms, const std::string& cursor,
                       int page_size) override {
    pub::SearchPostsRequest req;
    req.set_workspace_id(t.workspace_id);
    req.set_channel_id(t.channel_id);
    for (const auto& term : terms) req.add_terms(term);
    req.set_cursor(cursor);
    req.set_page_size(page_size);
    return Call([&](grpc::ClientContext* ctx, pub::InboundPage* page) { return stub_->SearchPosts(ctx, req, page); });
  }

 private:
  template <class Fn>
  InboundResult Call(Fn&& fn) {
    InboundResult out;
    GatewayOutcome call = CallGateway([&](grpc::ClientContext* ctx) { return fn(ctx, &out.page); });
    out.status = call.status;
    out.retry_after_ms = call.retry_after_ms;
    return out;
  }

  std::unique_ptr<pub::NetworkGateway::Stub> stub_;
};

}  // namespace

std::unique_ptr<InboundSource> MakeGatewaySource(std::shared_ptr<grpc::Channel> publisher) {
  return std::make_unique<GatewaySource>(std::move(publisher));
}

}  // namespace herald::listener
