#include "common/auth/api_key_service.h"

#include <google/protobuf/util/time_util.h>

#include "common/status.h"
#include "common/time_util.h"
#include "common/unary.h"

namespace herald::auth {
namespace {

void ToProto(const StoredKey& k, v1::ApiKey* out) {
  out->set_id(k.id);
  out->set_workspace_id(k.workspace);
  out->set_name(k.name);
  out->set_role(k.role);
  *out->mutable_create_time() = FromMs(k.create_ms);
  if (k.expire_ms) *out->mutable_expire_time() = FromMs(k.expire_ms);
  if (k.revoke_ms) *out->mutable_revoke_time() = FromMs(k.revoke_ms);
  if (k.last_used_ms) *out->mutable_last_used_time() = FromMs(k.last_used_ms);
  out->set_created_by(k.created_by);
}

bool PrintableName(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f || c == ' ') return false;
  }
  return true;
}

grpc::Status FromAbsl(const absl::Status& s) { return herald::ToGrpc(s); }

}  // namespace

grpc::ServerUnaryReactor* ApiKeyService::CreateApiKey(grpc::CallbackServerContext* ctx,
                                                      const v1::CreateApiKeyRequest* request,
                                                      v1::CreateApiKeyResponse* response) {
  return RunUnary(ctx, executor_, [=, this] {
    const Caller* caller = CurrentCaller();
    if (!caller) return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "no caller");
    return DoCreateApiKey(*caller, *request, response);
  });
}

grpc::ServerUnaryReactor* ApiKeyService::ListApiKeys(grpc::CallbackServerContext* ctx,
                                                     const v1::ListApiKeysRequest* request,
                                                     v1::ListApiKeysResponse* response) {
  return RunUnary(ctx, executor_, [=, this] { return DoListApiKeys(*request, response); });
}

grpc::ServerUnaryReactor* ApiKeyService::RevokeApiKey(grpc::CallbackServerContext* ctx,
                                                      const v1::RevokeApiKeyRequest* request, v1::ApiKey* response) {
  return RunUnary(ctx, executor_, [=, this] {
    const Caller* caller = CurrentCaller();
    if (!caller) return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "no caller");
    return DoRevokeApiKey(*caller, *request, response);
  });
}

grpc::Status ApiKeyService::DoCreateApiKey(const Caller& caller, const v1::CreateApiKeyRequest& request,
                                           v1::CreateApiKeyResponse* response) {
  FieldErrors errors;
  if (request.workspace_id().empty() || request.workspace_id() == kAnyWorkspace || request.workspace_id().size() > 64) {
    errors.Add("workspace_id", "must name one workspace (at most 64 characters)");
  }
  if (!PrintableName(request.name())) errors.Add("name", "1–64 printable characters without spaces");
  if (request.role() == v1::ROLE_UNSPECIFIED || request.role() == v1::ROLE_SERVICE || !v1::Role_IsValid(request.role())) {
    errors.Add("role", "must be a workspace role (viewer … owner)");
  } else if (!Grants(caller.user().role, request.role())) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "role " + RoleName(caller.user().role) + " may not create " + RoleName(request.role()) + " keys");
  }
  const int64_t now = clock_.NowMs();
  int64_t expire_ms = 0;
  if (request.has_expire_time()) {
    if (!ValidTimestamp(request.expire_time())) {
      errors.Add("expire_time", "must be a valid time between years 0001 and 9999");
    } else if ((expire_ms = ToMs(request.expire_time())) <= now) {
      errors.Add("expire_time", "must be in the future");
    }
  }
  if (!errors.ok()) return errors.ToGrpc();
  NewKey key = GenerateKey(request.workspace_id(), request.name(), request.role(), now);
  key.stored.expire_ms = expire_ms;
  key.stored.created_by = caller.AuditId();
  if (auto st = store_.Create(key.stored); !st.ok()) return FromAbsl(st);
  ToProto(key.stored, response->mutable_key());
  response->set_secret(key.secret);
  return grpc::Status::OK;
}

grpc::Status ApiKeyService::DoListApiKeys(const v1::ListApiKeysRequest& request, v1::ListApiKeysResponse* response) {
  auto keys = store_.List(request.workspace_id());
  if (!keys.ok()) return FromAbsl(keys.status());
  for (const auto& k : *keys) ToProto(k, response->add_keys());
  return grpc::Status::OK;
}

grpc::Status ApiKeyService::DoRevokeApiKey(const Caller& caller, const v1::RevokeApiKeyRequest& request,
                                           v1::ApiKey* response) {
  if (!KeyId("hk_" + request.key_id() + "_" + std::string(32, 'a'))) {
    return InvalidArgument("key_id", "want the 12-character id of a key");
  }
  // Only a key the caller could have made: an admin cannot lock an owner out.
  auto existing = store_.Get(request.key_id());
  if (!existing.ok()) return FromAbsl(existing.status());
  if (!*existing || (*existing)->workspace != request.workspace_id()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "api key not found");
  }
  if (!Grants(caller.user().role, (*existing)->role)) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "role " + RoleName(caller.user().role) +
                                                                 " may not revoke " + RoleName((*existing)->role) + " keys");
  }
  auto key = store_.Revoke(request.workspace_id(), request.key_id(), clock_.NowMs());
  if (!key.ok()) return FromAbsl(key.status());
  ToProto(*key, response);
  return grpc::Status::OK;
}

}  // namespace herald::auth
