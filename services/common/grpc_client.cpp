#include "common/grpc_client.h"

#include <grpcpp/support/client_interceptor.h>

#include <stdexcept>

#include "common/auth/server_auth.h"

namespace herald {
namespace {

using grpc::experimental::InterceptionHookPoints;

class IdentityInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit IdentityInterceptor(const std::string& authorization) : authorization_(authorization) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      auto* md = methods->GetSendInitialMetadata();
      if (!authorization_.empty() && md->find("authorization") == md->end()) {
        md->emplace("authorization", authorization_);
      }
      // Captured now: the thread is the one making the call.
      if (const auth::Caller* caller = auth::CurrentCaller(); caller && md->find("x-herald-on-behalf-of") == md->end()) {
        const auth::Principal& user = caller->user();
        if (user.kind != auth::Principal::Kind::kService) {
          on_behalf_ = auth::EncodeOnBehalf(user);
          md->emplace("x-herald-on-behalf-of", on_behalf_);
        }
      }
    }
    methods->Proceed();
  }

 private:
  const std::string& authorization_;
  std::string on_behalf_;  // must outlive the metadata send
};

class IdentityInterceptorFactory final : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit IdentityInterceptorFactory(std::string key) : authorization_(key.empty() ? "" : "Bearer " + key) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(grpc::experimental::ClientRpcInfo*) override {
    return new IdentityInterceptor(authorization_);
  }

 private:
  std::string authorization_;
};

}  // namespace

std::shared_ptr<grpc::Channel> DialService(const std::string& address, const ServiceClientOptions& options) {
  auto creds = MakeChannelCredentials(options.tls);
  if (!creds.ok()) throw std::runtime_error(std::string(creds.status().message()));
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<IdentityInterceptorFactory>(options.api_key));
  grpc::ChannelArguments args;
  // Every address the name resolves to gets calls in turn: with a headless
  // Service that is every ready replica (one address: the same as pick_first).
  args.SetLoadBalancingPolicyName("round_robin");
  return grpc::experimental::CreateCustomChannelWithInterceptors(address, *creds, args, std::move(interceptors));
}

}  // namespace herald
