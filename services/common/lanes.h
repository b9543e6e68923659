#pragma once
// A fixed set of long-lived threads ("lanes"). RunAll hands job i to lane i
// and waits until every job returned. Threads live as long as the Lanes, so
// what a lane keeps per thread (pooled HTTP connections, Redis connections)
// survives from one batch to the next.
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace herald {

class Lanes {
 public:
  explicit Lanes(size_t count);
  ~Lanes();
  Lanes(const Lanes&) = delete;
  Lanes& operator=(const Lanes&) = delete;

  size_t size() const { return threads_.size(); }
  // jobs.size() ≤ size(); an empty function leaves its lane idle.
  void RunAll(std::vector<std::function<void()>> jobs);

 private:
  void Run(size_t lane);

  std::mutex mu_;
  std::condition_variable work_;
  std::condition_variable done_;
  std::vector<std::function<void()>> jobs_;
  size_t pending_ = 0;
  uint64_t generation_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace herald
