#pragma once
// A call to the publisher's network gateway, as every caller makes it: a
// minute's deadline (a read may wait on a slow network), the callee's status
// passed on (FromCallee), and a refusal's "retry-after-ms" trailer read.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "common/status.h"

namespace herald {

struct GatewayOutcome {
  absl::Status status;
  int64_t retry_after_ms = 0;  // set with RESOURCE_EXHAUSTED
};

// `fn(ctx)` makes the call and returns its grpc::Status.
template <class Fn>
GatewayOutcome CallGateway(Fn&& fn) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  GatewayOutcome out;
  grpc::Status s = fn(&ctx);
  if (s.ok()) return out;
  out.status = FromCallee(s, "network gateway");
  const auto& trailers = ctx.GetServerTrailingMetadata();
  if (auto it = trailers.find("retry-after-ms"); it != trailers.end()) {
    out.retry_after_ms = std::atoll(std::string(it->second.data(), it->second.size()).c_str());
  }
  return out;
}

}  // namespace herald
