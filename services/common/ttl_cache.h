#pragma once
// Per-key values reused for a short while (a workspace's rules, policy,
// agents): read again once older than the TTL, or when forgotten (the process
// that changed them forgets at once; other replicas see the change within
// the TTL). Bounded: past `max_keys` entries it starts over.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"

namespace herald {

template <class V>
class TtlCache {
 public:
  TtlCache(const Clock& clock, int64_t ttl_ms, size_t max_keys = 10000)
      : clock_(clock), ttl_ms_(ttl_ms), max_keys_(max_keys) {}

  // The cached value, or `load()` (cached when it succeeds). A TTL of 0 loads every time.
  template <class Load>
  absl::StatusOr<std::shared_ptr<const V>> Get(const std::string& key, Load&& load) {
    const int64_t now = clock_.NowMs();
    {
      std::lock_guard lock(mu_);
      auto it = entries_.find(key);
      if (it != entries_.end() && now - it->second.fetched_ms < ttl_ms_) return it->second.value;
    }
    absl::StatusOr<V> loaded = load();
    if (!loaded.ok()) return loaded.status();
    auto value = std::make_shared<const V>(*std::move(loaded));
    if (ttl_ms_ <= 0) return value;
    std::lock_guard lock(mu_);
    if (entries_.size() >= max_keys_) entries_.clear();
    entries_[key] = {value, now};
    return value;
  }
  // The cached value if there is a fresh one; never loads.
  std::shared_ptr<const V> Peek(const std::string& key) {
    const int64_t now = clock_.NowMs();
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || now - it->second.fetched_ms >= ttl_ms_) return nullptr;
    return it->second.value;
  }
  void Forget(const std::string& key) {
    std::lock_guard lock(mu_);
    entries_.erase(key);
  }

 private:
  struct Entry {
    std::shared_ptr<const V> value;
    int64_t fetched_ms = 0;
  };
  const Clock& clock_;
  const int64_t ttl_ms_;
  const size_t max_keys_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace herald
