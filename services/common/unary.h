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

// A unary RPC of a callback service, in two halves: the handler gRPC calls,
// and its body Do<Method> (callable without gRPC, as tests do). In the class
// (whose generated base declares Method; `v1` names the service's proto
// namespace):            HERALD_UNARY_RPC(CreatePost, CreatePostRequest, Post)
// In the .cpp, the handler runs the body on the class's executor_:
//                        HERALD_UNARY_RPC_IMPL(SchedulerService, CreatePost, CreatePostRequest, Post)
#define HERALD_UNARY_RPC(Method, Request, Response)                                                         \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx, const v1::Request* request,            \
                                   v1::Response* response) override;                                       \
  grpc::Status Do##Method(const v1::Request& request, v1::Response* response);

#define HERALD_UNARY_RPC_IMPL(Class, Method, Request, Response)                                              \
  grpc::ServerUnaryReactor* Class::Method(grpc::CallbackServerContext* ctx, const v1::Request* request,     \
                                          v1::Response* response) {                                          \
    return ::herald::RunUnary(ctx, executor_, [=, this] { return Do##Method(*request, response); });          \
  }
