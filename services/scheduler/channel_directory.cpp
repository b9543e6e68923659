#include "scheduler/channel_directory.h"

#include <grpcpp/grpcpp.h>

#include "herald/publisher/v1/publisher.grpc.pb.h"

namespace herald::scheduler {
namespace {

class PublisherChannelDirectory : public ChannelDirectory {
 public:
  explicit PublisherChannelDirectory(const std::string& address)
      : stub_(herald::publisher::v1::PublisherService::NewStub(
            grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))) {}

  absl::StatusOr<bool> Exists(const std::string& workspace_id, const std::string& channel_id) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    herald::publisher::v1::GetChannelRequest req;
    req.set_workspace_id(workspace_id);
    req.set_channel_id(channel_id);
    herald::publisher::v1::Channel channel;
    grpc::Status s = stub_->GetChannel(&ctx, req, &channel);
    if (s.ok()) return channel.status() != herald::publisher::v1::CHANNEL_STATUS_DISCONNECTED;
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) return false;
    return absl::UnavailableError("publisher GetChannel: " + s.error_message());
  }

 private:
  std::unique_ptr<herald::publisher::v1::PublisherService::Stub> stub_;
};

}  // namespace

std::unique_ptr<ChannelDirectory> MakePublisherChannelDirectory(const std::string& publisher_address) {
  return std::make_unique<PublisherChannelDirectory>(publisher_address);
}

}  // namespace herald::scheduler
