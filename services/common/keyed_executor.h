#pragma once
// Single-thread executors picked by a key: tasks submitted with the same key
// run one after another in the order submitted; tasks of different keys run
// in parallel. (A plain pool may run two tasks of one key out of order — a
// client's second click checked before its first.)
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "common/executor.h"

namespace herald {

class KeyedExecutor {
 public:
  // `threads` lanes, each queueing at most max_queued_per_lane tasks.
  KeyedExecutor(int threads, size_t max_queued_per_lane) {
    for (int i = 0; i < threads; ++i) lanes_.push_back(std::make_unique<Executor>(1, max_queued_per_lane));
  }
  // False when the task was not queued (stopped, or the key's lane is full).
  bool Submit(uint64_t key, std::function<void()> task) {
    return lanes_[key % lanes_.size()]->Submit(std::move(task));
  }
  // Runs what is queued on every lane, then joins.
  void Stop() {
    for (auto& lane : lanes_) lane->Stop();
  }

 private:
  std::vector<std::unique_ptr<Executor>> lanes_;
};

}  // namespace herald
