#pragma once
// Runs a unary handler's body on the executor and finishes the reactor from
// there: the gRPC callback thread only hands the work over.
#include <grpcpp/grpcpp.h>

#include <utility>

#include "common/executor.h"

namespace herald {

template <class Fn>
grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* ctx, Executor& executor, Fn&& fn) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  bool queued = executor.Submit([reactor, fn = std::forward<Fn>(fn)]() mutable { reactor->Finish(fn()); });
  if (!queued) reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "server is shutting down"));
  return reactor;
}

}  // namespace herald
