#pragma once
// Where the listener reads networks from: the publisher's network gateway
// (the only process that talks to networks). An interface so polling is
// tested without a publisher.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "herald/publisher/v1/gateway.pb.h"
#include "listener/polling/poll_store.h"

namespace herald::listener {

struct InboundResult {
  // The gateway's verdict, its code kept: RESOURCE_EXHAUSTED (retry_after_ms
  // says when), FAILED_PRECONDITION (the channel cannot be read now),
  // NOT_FOUND, INVALID_ARGUMENT, UNAVAILABLE.
  absl::Status status;
  herald::publisher::v1::InboundPage page;
  int64_t retry_after_ms = 0;
};

class InboundSource {
 public:
  virtual ~InboundSource() = default;
  virtual InboundResult Mentions(const PollTarget& target, const std::string& cursor, int page_size) = 0;
  virtual InboundResult Search(const PollTarget& target, const std::vector<std::string>& terms,
                               const std::string& cursor, int page_size) = 0;
};

std::unique_ptr<InboundSource> MakeGatewaySource(std::shared_ptr<grpc::Channel> publisher);

}  // namespace herald::listener
