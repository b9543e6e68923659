#pragma once
// herald.auth.v1.ApiKeyService: create (shown once), list and revoke API keys
// of a workspace. Any service can host it; the scheduler does.
#include "common/auth/access_policy.h"
#include "common/auth/key_store.h"
#include "common/clock.h"
#include "common/executor.h"
#include "herald/auth/v1/api_keys.grpc.pb.h"

namespace herald::auth {

class ApiKeyService final : public herald::auth::v1::ApiKeyService::CallbackService {
 public:
  ApiKeyService(KeyStore& store, Executor& executor, const Clock& clock)
      : store_(store), executor_(executor), clock_(clock) {}

  grpc::ServerUnaryReactor* CreateApiKey(grpc::CallbackServerContext* ctx, const v1::CreateApiKeyRequest* request,
                                         v1::CreateApiKeyResponse* response) override;
  grpc::ServerUnaryReactor* ListApiKeys(grpc::CallbackServerContext* ctx, const v1::ListApiKeysRequest* request,
                                        v1::ListApiKeysResponse* response) override;
  grpc::ServerUnaryReactor* RevokeApiKey(grpc::CallbackServerContext* ctx, const v1::RevokeApiKeyRequest* request,
                                         v1::ApiKey* response) override;

  // `caller` is who asks (its role bounds the role it may give).
  grpc::Status DoCreateApiKey(const Caller& caller, const v1::CreateApiKeyRequest& request,
                              v1::CreateApiKeyResponse* response);
  grpc::Status DoListApiKeys(const v1::ListApiKeysRequest& request, v1::ListApiKeysResponse* response);
  grpc::Status DoRevokeApiKey(const Caller& caller, const v1::RevokeApiKeyRequest& request, v1::ApiKey* response);

 private:
  KeyStore& store_;
  Executor& executor_;
  const Clock& clock_;
};

}  // namespace herald::auth
