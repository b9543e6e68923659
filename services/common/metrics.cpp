#include "common/metrics.h"

#include "common/process_metrics.h"

namespace herald {

MetricsServer::MetricsServer() : registry_(std::make_shared<prometheus::Registry>()) {}

void MetricsServer::Start(int port, const std::string& service) {
  exposer_ = std::make_unique<prometheus::Exposer>("0.0.0.0:" + std::to_string(port));
  exposer_->RegisterCollectable(registry_);
  if (!service.empty()) {
    process_ = MakeProcessCollector(service);
    exposer_->RegisterCollectable(process_);
  }
}

prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace herald
