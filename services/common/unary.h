#pragma once
// Runs a unary handler's body on the executor and finishes the reactor from
// there: the gRPC callback thread only hands the work over. A call the auth
// interceptor refused is answered here, before any work; an accepted one runs
// with its caller set for the thread (auth::CurrentCaller), so clients to
// other services can say whom they act for.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <utility>

#include "common/auth/server_auth.h"
#include "common/executor.h"

namespace herald {

template <class Fn>
grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* ctx, Executor& executor, Fn&& fn) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  auto caller = std::make_shared<auth::Caller>();
  if (grpc::Status verdict = auth::CheckCall(ctx, caller.get()); !verdict.ok()) {
    reactor->Finish(verdict);
    return reactor;
  }
  auto admission = executor.TrySubmit([ctx, reactor, caller, fn = std::forward<Fn>(fn)]() mutable {
    // A call whose caller gave up while it waited in line is not served: its
    // work (perhaps a call to a network) would be for no one.
    if (ctx->IsCancelled()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the caller gave up before the call was served"));
      return;
    }
    auth::CallerScope scope(caller.get());
    reactor->Finish(fn());
  });
  if (admission == Executor::Admission::kFull) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "too many calls of this kind in flight; retry later"));
  } else if (admission == Executor::Admission::kStopped) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "server is shutting down"));
  }
  return reactor;
}

}  // namespace herald
