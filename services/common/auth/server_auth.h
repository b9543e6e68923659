#pragma once
// The one place calls are authenticated and authorised: a gRPC server
// interceptor. For each call it reads the credentials (metadata), finds the
// role the method declares in proto/, checks the caller holds it, and binds
// the request to the caller's workspace and checks the limits every request
// meets (common/request_bounds.h) — before the handler sees the request. Its verdict is kept per call; RunUnary (and the stream reactors)
// ask for it first, so a refused call never reaches a handler. Every call of
// a method that changes something is written to the audit sink.
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>

#include <memory>

#include "common/auth/access_policy.h"
#include "common/auth/authenticator.h"
#include "herald/events/v1/events.pb.h"

namespace herald {
class Clock;
class Executor;
}  // namespace herald

namespace herald::auth {

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual void Record(const herald::events::v1::AuditRecord& record) = 0;
};

struct ServerAuthOptions {
  // Off: every call acts as an anonymous platform owner (development only).
  bool enabled = true;
  std::shared_ptr<Authenticator> authenticator;
  // Where key-store reads run when the cache cannot answer (not the reactor).
  Executor* slow_path = nullptr;
  AuditSink* audit = nullptr;
  const Clock* clock = nullptr;
};

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeServerAuthInterceptorFactory(
    ServerAuthOptions options);

// The verdict on a call: OK (and its caller), or the status to answer with.
// A call the interceptor never judged is refused.
grpc::Status CheckCall(const grpc::ServerContextBase* ctx, Caller* caller = nullptr);

// Client-streaming methods are served from raw bytes, so their handler sees
// a message that does not decode (gRPC reports that like the end of the
// stream). For them the interceptor authenticates the call and checks the
// role; the handler decodes each message and has it judged here: bound to
// the caller's workspace and checked against the limits every request meets.
grpc::Status CheckStreamedRequest(const grpc::ServerContextBase* ctx, google::protobuf::Message* request,
                                  Caller* caller);

// The caller whose request this thread is handling (RunUnary sets it around
// the handler). Clients to other Herald services read it to say whom they act
// for. Null outside a request.
const Caller* CurrentCaller();

class CallerScope {
 public:
  explicit CallerScope(const Caller* caller);
  ~CallerScope();
  CallerScope(const CallerScope&) = delete;
  CallerScope& operator=(const CallerScope&) = delete;

 private:
  const Caller* previous_;
};

}  // namespace herald::auth
