#pragma once
// The rules, free of I/O: which role a method needs (read from the
// (herald.auth.v1.access) option on the RPC in proto/), and what workspace a
// request may touch.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/support/status.h>

#include <optional>
#include <string>
#include <string_view>

#include "common/auth/principal.h"

namespace herald::auth {

// Who a call is from: the direct caller, and the end user when the direct
// caller is a Herald service acting for one.
struct Caller {
  Principal direct;
  std::optional<Principal> on_behalf;

  // Whose workspace the call is scoped to.
  const Principal& user() const { return on_behalf ? *on_behalf : direct; }
  // "key:abc" or "key:abc via service:listener", for audits and logs.
  std::string AuditId() const;
};

struct MethodRule {
  enum class Kind {
    kOpen,        // grpc.health.v1 and server reflection
    kGuarded,     // a Herald RPC with its declared access
    kUndeclared,  // no declaration (or not ours): never served
  };
  Kind kind = Kind::kUndeclared;
  herald::auth::v1::Access access;
  const google::protobuf::MethodDescriptor* method = nullptr;
};

// "/herald.scheduler.v1.SchedulerService/CreatePost" → its rule (cached).
const MethodRule& RuleFor(std::string_view full_method);

// PERMISSION_DENIED naming the role needed when the caller's role is short.
// A service's own role decides (it vouches for the user it acts for; the
// user's workspace still bounds the call, see ScopeRequest).
grpc::Status AuthorizeRole(const Caller& caller, const MethodRule& rule);

// Binds the request to the caller's workspace: an empty workspace_id is filled
// with it; another workspace is PERMISSION_DENIED. A platform caller ("*")
// must name the workspace (the handler refuses an empty one, naming it with
// every other bad field). A request type without workspace_id is refused.
grpc::Status ScopeRequest(const Caller& caller, google::protobuf::Message& request);

}  // namespace herald::auth
