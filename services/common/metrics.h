#pragma once
// The Prometheus endpoint (GET /metrics) and the registry every component adds to.
// Naming: herald_<component>_<what>_<unit>, counters end in _total; labels are
// bounded (never an id).
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>

namespace herald {

class MetricsServer {
 public:
  MetricsServer();
  // Binds 0.0.0.0:port and serves /metrics: the registry, plus the process
  // figures and herald_build_info when a service name is given.
  void Start(int port, const std::string& service = "");
  prometheus::Registry& registry() { return *registry_; }
  std::shared_ptr<prometheus::Registry> shared_registry() { return registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::shared_ptr<prometheus::Collectable> process_;
};

// Latency buckets in seconds, 0.5 ms .. 10 s.
prometheus::Histogram::BucketBoundaries LatencyBuckets();

}  // namespace herald
