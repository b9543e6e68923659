#pragma once
// gRPC server bootstrap shared by every service: callback API, grpc.health.v1,
// server reflection, and per-method metrics
//   grpc_server_handled_total{grpc_service, grpc_method, grpc_code}
//   grpc_server_handling_seconds{grpc_service, grpc_method}
// (the grpc-ecosystem names, so existing dashboards work; a method that is not
// Herald's, health or reflection is counted as grpc_method="unknown"), and the
// auth interceptor (common/auth/server_auth.h) on every call.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/registry.h>

#include "common/auth/server_auth.h"
#include "common/tls.h"

namespace herald {

class GrpcServer {
 public:
  explicit GrpcServer(prometheus::Registry& registry);
  ~GrpcServer();

  void AddService(grpc::Service* service);
  // Before Start. Without it every call acts as an anonymous platform owner.
  void SetAuth(auth::ServerAuthOptions options) { auth_ = std::move(options); }
  void SetTls(TlsFiles tls) { tls_ = std::move(tls); }
  // Binds address ("0.0.0.0:7101"; port 0 picks a free one) and starts serving.
  void Start(const std::string& address);
  int port() const { return port_; }
  // Overall health reported to grpc.health.v1 (Kubernetes probes).
  void SetServing(bool serving);
  // Stops accepting calls; calls in flight get `grace` to finish.
  void Shutdown(std::chrono::milliseconds grace);

 private:
  prometheus::Registry& registry_;
  std::vector<grpc::Service*> services_;
  auth::ServerAuthOptions auth_;  // disabled until SetAuth
  TlsFiles tls_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace herald
