#pragma once
// Each service's view of its Redis, for the Redis alerts: whether every
// master answers (herald_redis_up), and how full each master is
// (herald_redis_memory_used_bytes / _max_bytes{node}; a full noeviction Redis
// refuses every write). Probed every interval on a connection of its own, so
// a saturated service pool does not read as Redis down. The node label is a
// master's host:port: as many series as masters, and a node that stops being
// a master loses its series.
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/background_thread.h"
#include "common/redis.h"

namespace herald {

struct RedisMemory {
  int64_t used_bytes = 0;
  int64_t max_bytes = 0;  // 0: no maxmemory set
};

// used_memory and maxmemory out of INFO memory's "field:value" lines.
std::optional<RedisMemory> ParseInfoMemory(std::string_view info);

class RedisProbe {
 public:
  RedisProbe(RedisOptions options, prometheus::Registry& registry,
             std::chrono::milliseconds interval = std::chrono::seconds(15));
  ~RedisProbe() { Stop(); }
  void Start();
  void Stop() { thread_.Stop(); }
  // One probe, now (the thread's body; tests call it directly).
  void ProbeOnce();

 private:
  RedisClient redis_;
  std::chrono::milliseconds interval_;
  prometheus::Gauge& up_;
  prometheus::Family<prometheus::Gauge>& used_;
  prometheus::Family<prometheus::Gauge>& max_;
  struct NodeGauges {
    prometheus::Gauge* used;
    prometheus::Gauge* max;
  };
  std::map<std::string, NodeGauges> nodes_;
  BackgroundThread thread_;
};

}  // namespace herald
