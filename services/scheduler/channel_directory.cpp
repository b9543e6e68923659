#include "scheduler/channel_directory.h"

#include <grpcpp/grpcpp.h>

#include "common/status.h"
#include "herald/publisher/v1/publisher.grpc.pb.h"

namespace herald::scheduler {
namespace {

namespace pub = herald::publisher::v1;

class PublisherChannelDirectory : public ChannelDirectory {
 public:
  explicit PublisherChannelDirectory(std::shared_ptr<grpc::Channel> channel)
      : stub_(pub::PublisherService::NewStub(std::move(channel))) {}

  absl::StatusOr<std::optional<ChannelInfo>> Lookup(const std::string& workspace_id,
                                                   const std::string& channel_id) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    pub::GetChannelRequest req;
    req.set_workspace_id(workspace_id);
    req.set_channel_id(channel_id);
    pub::Channel channel;
    grpc::Status s = stub_->GetChannel(&ctx, req, &channel);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) return std::optional<ChannelInfo>();
    if (!s.ok()) return FromCallee(s, "publisher GetChannel");
    if (channel.status() == pub::CHANNEL_STATUS_DISCONNECTED) return std::optional<ChannelInfo>();
    return std::optional<ChannelInfo>(
        ChannelInfo{channel.id(), channel.time_zone(), channel.status() == pub::CHANNEL_STATUS_ACTIVE});
  }

  absl::StatusOr<std::vector<ContentProblem>> ValidateContent(const std::string& workspace_id,
                                                          const std::string& channel_id, const std::string& text,
                                                          const std::vector<std::string>& media_urls,
                                                          const std::string& link, bool reply,
                                                          bool split_into_thread) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    pub::ValidateContentRequest req;
    req.set_workspace_id(workspace_id);
    req.set_channel_id(channel_id);
    req.set_text(text);
    for (const auto& m : media_urls) req.add_media_urls(m);
    req.set_link(link);
    req.set_reply(reply);
    req.set_split_into_thread(split_into_thread);
    pub::ValidateContentResponse res;
    grpc::Status s = stub_->ValidateContent(&ctx, req, &res);
    if (!s.ok()) return FromCallee(s, "publisher ValidateContent");
    std::vector<ContentProblem> out;
    for (const auto& v : res.violations()) out.push_back({v.field(), v.message()});
    return out;
  }

 private:
  std::unique_ptr<pub::PublisherService::Stub> stub_;
};

}  // namespace

std::unique_ptr<ChannelDirectory> MakePublisherChannelDirectory(std::shared_ptr<grpc::Channel> publisher) {
  return std::make_unique<PublisherChannelDirectory>(std::move(publisher));
}

}  // namespace herald::scheduler
