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
  // Binds 0.0.0.0:port and serves /metrics.
  void Start(int port);
  prometheus::Registry& registry() { return *registry_; }
  std::shared_ptr<prometheus::Registry> shared_registry() { return registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

// Latency buckets in seconds, 0.5 ms .. 10 s.
prometheus::Histogram::BucketBoundaries LatencyBuckets();

}  // namespace herald
