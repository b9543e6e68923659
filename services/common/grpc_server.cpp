#include "common/grpc_server.h"

#include <google/protobuf/descriptor.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/impl/server_builder_plugin.h>
#include <grpcpp/impl/server_initializer.h>
#include <grpcpp/support/server_interceptor.h>
#include <prometheus/counter.h>
#include <prometheus/histogram.h>

#include <map>
#include <mutex>
#include <stdexcept>

#include "common/auth/access_policy.h"
#include "common/metrics.h"

namespace herald {
namespace {

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "Canceled";
    case grpc::StatusCode::UNKNOWN: return "Unknown";
    case grpc::StatusCode::INVALID_ARGUMENT: return "InvalidArgument";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DeadlineExceeded";
    case grpc::StatusCode::NOT_FOUND: return "NotFound";
    case grpc::StatusCode::ALREADY_EXISTS: return "AlreadyExists";
    case grpc::StatusCode::PERMISSION_DENIED: return "PermissionDenied";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "ResourceExhausted";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FailedPrecondition";
    case grpc::StatusCode::ABORTED: return "Aborted";
    case grpc::StatusCode::OUT_OF_RANGE: return "OutOfRange";
    case grpc::StatusCode::UNIMPLEMENTED: return "Unimplemented";
    case grpc::StatusCode::INTERNAL: return "Internal";
    case grpc::StatusCode::UNAVAILABLE: return "Unavailable";
    case grpc::StatusCode::DATA_LOSS: return "DataLoss";
    case grpc::StatusCode::UNAUTHENTICATED: return "Unauthenticated";
    default: return "Unknown";
  }
}

// Caches one Counter/Histogram per (method, code): Family::Add hashes labels
// and is too slow for every call. The set of methods is fixed by the protos.
class RpcMetrics {
 public:
  explicit RpcMetrics(prometheus::Registry& registry)
      : handled_(prometheus::BuildCounter()
                     .Name("grpc_server_handled_total")
                     .Help("RPCs completed on the server, by method and status code.")
                     .Register(registry)),
        seconds_(prometheus::BuildHistogram()
                     .Name("grpc_server_handling_seconds")
                     .Help("Time from the start of an RPC to its status being sent.")
                     .Register(registry)) {}

  void Record(const std::string& full_method, grpc::StatusCode code, double seconds) {
    std::lock_guard lock(mu_);
    Method& m = MethodLocked(full_method);
    auto& counter = m.handled[code];
    if (!counter) counter = &AddHandled(m, code);
    counter->Increment();
    m.seconds->Observe(seconds);
  }

  // Every status code of every method of the named services, at zero: an error
  // series that first appears with a non-zero value is invisible to rate()
  // (the first increment is lost), so error-ratio alerts would miss a burst.
  void PreCreate(const std::vector<std::string>& services) {
    std::lock_guard lock(mu_);
    for (const std::string& name : services) {
      const auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
      if (!service) continue;  // gRPC's own (health), served without a generated descriptor
      for (int i = 0; i < service->method_count(); ++i) {
        Method& m = MethodLocked("/" + name + "/" + service->method(i)->name());
        for (int c = grpc::StatusCode::OK; c <= grpc::StatusCode::UNAUTHENTICATED; ++c) {
          auto code = static_cast<grpc::StatusCode>(c);
          auto& counter = m.handled[code];
          if (!counter) counter = &AddHandled(m, code);
        }
      }
    }
  }

 private:
  static inline const std::string kUnknownMethod = "/unknown/unknown";

  struct Method;
  Method& MethodLocked(const std::string& full_method) {
    // Only methods Herald serves get their own series: no caller can add one.
    const auto& rule = auth::RuleFor(full_method);
    bool known = rule.kind == auth::MethodRule::Kind::kOpen || rule.method != nullptr;
    auto& m = methods_[known ? full_method : kUnknownMethod];
    if (!m.seconds) {
      auto [service, method] = Split(known ? full_method : kUnknownMethod);
      m.service = service;
      m.method = method;
      m.seconds = &seconds_.Add({{"grpc_service", service}, {"grpc_method", method}}, LatencyBuckets());
    }
    return m;
  }
  prometheus::Counter& AddHandled(const Method& m, grpc::StatusCode code) {
    return handled_.Add({{"grpc_service", m.service}, {"grpc_method", m.method}, {"grpc_code", CodeName(code)}});
  }
  static std::pair<std::string, std::string> Split(const std::string& full) {
    // "/pkg.Service/Method"
    auto slash = full.rfind('/');
    if (slash == std::string::npos || slash == 0) return {"unknown", full};
    return {full.substr(1, slash - 1), full.substr(slash + 1)};
  }

  struct Method {
    std::string service, method;
    prometheus::Histogram* seconds = nullptr;
    std::map<grpc::StatusCode, prometheus::Counter*> handled;
  };
  std::mutex mu_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& seconds_;
  std::map<std::string, Method> methods_;
};

// gRPC tells builder plugins the names of the services a server was built
// with; there is no other public way to list them.
class ServiceNamesPlugin final : public grpc::ServerBuilderPlugin {
 public:
  explicit ServiceNamesPlugin(std::shared_ptr<std::vector<std::string>> names) : names_(std::move(names)) {}
  std::string name() override { return "herald_service_names"; }
  void InitServer(grpc::ServerInitializer*) override {}
  void Finish(grpc::ServerInitializer* si) override { *names_ = *si->GetServiceList(); }
  void ChangeArguments(const std::string&, void*) override {}

 private:
  std::shared_ptr<std::vector<std::string>> names_;
};

class AddPluginOption final : public grpc::ServerBuilderOption {
 public:
  explicit AddPluginOption(std::unique_ptr<grpc::ServerBuilderPlugin> plugin) : plugin_(std::move(plugin)) {}
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    if (plugin_) plugins->push_back(std::move(plugin_));
  }

 private:
  std::unique_ptr<grpc::ServerBuilderPlugin> plugin_;
};

class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(RpcMetrics& metrics, std::string method)
      : metrics_(metrics), method_(std::move(method)), start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      metrics_.Record(method_, methods->GetSendStatus().error_code(), elapsed);
    }
    methods->Proceed();
  }

 private:
  RpcMetrics& metrics_;
  std::string method_;
  std::chrono::steady_clock::time_point start_;
};

class MetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(std::shared_ptr<RpcMetrics> metrics) : metrics_(std::move(metrics)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(*metrics_, info->method());
  }

 private:
  std::shared_ptr<RpcMetrics> metrics_;
};

}  // namespace

GrpcServer::GrpcServer(prometheus::Registry& registry) : registry_(registry) { auth_.enabled = false; }

GrpcServer::~GrpcServer() {
  if (server_) Shutdown(std::chrono::milliseconds(0));
}

void GrpcServer::AddService(grpc::Service* service) { services_.push_back(service); }

void GrpcServer::Start(const std::string& address) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  auto creds = MakeServerCredentials(tls_);
  if (!creds.ok()) throw std::runtime_error(std::string(creds.status().message()));
  builder.AddListeningPort(address, *creds, &port_);
  for (auto* s : services_) builder.RegisterService(s);
  // Clients spread calls over every replica (round_robin over a headless
  // Service's addresses) but resolve only when a connection ends: closing
  // connections after about 5 minutes (in-flight calls and streams go on)
  // makes them find replicas added since.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, 5 * 60 * 1000);
  auto service_names = std::make_shared<std::vector<std::string>>();
  builder.SetOption(std::make_unique<AddPluginOption>(std::make_unique<ServiceNamesPlugin>(service_names)));
  // One metrics object per process: registering the family twice would throw.
  static std::shared_ptr<RpcMetrics> metrics = std::make_shared<RpcMetrics>(registry_);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  creators.push_back(std::make_unique<MetricsInterceptorFactory>(metrics));
  creators.push_back(auth::MakeServerAuthInterceptorFactory(auth_));
  builder.experimental().SetInterceptorCreators(std::move(creators));
  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0) throw std::runtime_error("cannot listen for gRPC on " + address);
  metrics->PreCreate(*service_names);
  SetServing(true);
}

void GrpcServer::SetServing(bool serving) {
  if (server_ && server_->GetHealthCheckService()) server_->GetHealthCheckService()->SetServingStatus(serving);
}

void GrpcServer::Shutdown(std::chrono::milliseconds grace) {
  if (!server_) return;
  server_->Shutdown(std::chrono::system_clock::now() + grace);
  server_->Wait();
  server_.reset();
}

}  // namespace herald
