#include "common/auth/access_policy.h"

#include <map>
#include <mutex>

#include "herald/auth/v1/access.pb.h"

namespace herald::auth {


std::string Caller::AuditId() const { return on_behalf ? on_behalf->id + " via " + direct.id : direct.id; }

const MethodRule& RuleFor(std::string_view full_method) {
  static std::mutex mu;
  static std::map<std::string, MethodRule, std::less<>> cache;
  static const MethodRule kUndeclared;
  std::lock_guard lock(mu);
  if (auto it = cache.find(full_method); it != cache.end()) return it->second;
  // Unknown names are not cached: a caller must not grow this map.
  if (full_method.size() < 3 || full_method[0] != '/' || full_method.size() > 256) return kUndeclared;
  std::string_view path = full_method.substr(1);
  auto slash = path.find('/');
  if (slash == std::string_view::npos) return kUndeclared;
  std::string service(path.substr(0, slash));
  MethodRule rule;
  if (service == "grpc.health.v1.Health" || service == "grpc.reflection.v1alpha.ServerReflection") {
    rule.kind = MethodRule::Kind::kOpen;
  } else {
    std::string dotted = service + "." + std::string(path.substr(slash + 1));
    const auto* method = google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(dotted);
    if (!method) return kUndeclared;
    rule.method = method;
    if (method->options().HasExtension(v1::access)) {
      rule.access = method->options().GetExtension(v1::access);
      if (rule.access.role() != v1::ROLE_UNSPECIFIED) rule.kind = MethodRule::Kind::kGuarded;
    }
  }
  return cache.emplace(std::string(full_method), rule).first->second;
}

grpc::Status AuthorizeRole(const Caller& caller, const MethodRule& rule) {
  if (rule.kind == MethodRule::Kind::kOpen) return grpc::Status::OK;
  if (rule.kind != MethodRule::Kind::kGuarded) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "method declares no access rule");
  }
  Role have = caller.direct.role;
  if (!Grants(have, rule.access.role())) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "role " + RoleName(have) + " may not call " + rule.method->name() + " (needs " +
                            RoleName(rule.access.role()) + ")");
  }
  return grpc::Status::OK;
}

grpc::Status ScopeRequest(const Caller& caller, google::protobuf::Message& request) {
  const auto* field = request.GetDescriptor()->FindFieldByName("workspace_id");
  if (!field || field->type() != google::protobuf::FieldDescriptor::TYPE_STRING || field->is_repeated()) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "request is not scoped to a workspace");
  }
  const auto* reflection = request.GetReflection();
  std::string named = reflection->GetString(request, field);
  const Principal& user = caller.user();
  // A platform caller names the workspace; one it leaves out is the handler's
  // to refuse, together with every other bad field.
  if (user.platform()) return grpc::Status::OK;
  if (named.empty()) {
    reflection->SetString(&request, field, user.workspace);
    return grpc::Status::OK;
  }
  if (named != user.workspace) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "workspace_id: not the caller's workspace");
  }
  return grpc::Status::OK;
}

}  // namespace herald::auth
