#include "common/redis_probe.h"

#include <charconv>
#include <set>

namespace herald {
namespace {

RedisOptions OwnConnection(RedisOptions o) {
  o.pool_size = 1;
  return o;
}

std::optional<int64_t> Field(std::string_view info, std::string_view name) {
  size_t at = 0;
  while (at < info.size()) {
    size_t end = info.find('\n', at);
    if (end == std::string_view::npos) end = info.size();
    std::string_view line = info.substr(at, end - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > name.size() && line.starts_with(name) && line[name.size()] == ':') {
      std::string_view value = line.substr(name.size() + 1);
      int64_t v = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || p != value.data() + value.size() || v < 0) return std::nullopt;
      return v;
    }
    at = end + 1;
  }
  return std::nullopt;
}

}  // namespace

std::optional<RedisMemory> ParseInfoMemory(std::string_view info) {
  auto used = Field(info, "used_memory");
  auto max = Field(info, "maxmemory");
  if (!used || !max) return std::nullopt;
  return RedisMemory{*used, *max};
}

RedisProbe::RedisProbe(RedisOptions options, prometheus::Registry& registry, std::chrono::milliseconds interval)
    : redis_(OwnConnection(std::move(options))),
      interval_(interval),
      up_(prometheus::BuildGauge()
              .Name("herald_redis_up")
              .Help("1 when every Redis master answered this service's last probe, else 0.")
              .Register(registry)
              .Add({})),
      used_(prometheus::BuildGauge()
                .Name("herald_redis_memory_used_bytes")
                .Help("Memory a Redis master reports in use (INFO used_memory), by master.")
                .Register(registry)),
      max_(prometheus::BuildGauge()
               .Name("herald_redis_memory_max_bytes")
               .Help("A Redis master's maxmemory (0: unlimited), by master.")
               .Register(registry)) {}

void RedisProbe::Start() {
  thread_.StartEvery(interval_, [this] { ProbeOnce(); });
}

void RedisProbe::ProbeOnce() {
  auto infos = redis_.CommandOnEveryMaster({"INFO", "memory"});
  bool up = infos.ok();
  std::set<std::string> seen;
  if (up) {
    for (const auto& [node, reply] : *infos) {
      auto memory = reply.is_error() ? std::nullopt : ParseInfoMemory(reply.str);
      if (!memory) {
        up = false;
        continue;
      }
      auto [it, added] = nodes_.try_emplace(node);
      if (added) {
        it->second.used = &used_.Add({{"node", node}});
        it->second.max = &max_.Add({{"node", node}});
      }
      it->second.used->Set(static_cast<double>(memory->used_bytes));
      it->second.max->Set(static_cast<double>(memory->max_bytes));
      seen.insert(node);
    }
  }
  up_.Set(up ? 1 : 0);
  if (!up) return;  // keep the last figures of a master that did not answer
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    if (seen.count(it->first)) {
      ++it;
      continue;
    }
    used_.Remove(it->second.used);
    max_.Remove(it->second.max);
    it = nodes_.erase(it);
  }
}

}  // namespace herald
