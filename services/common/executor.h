#pragma once
// A fixed pool of threads for blocking work (Redis, HTTP, Kafka waits), so
// gRPC callback reactors never block.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace herald {

class Executor {
 public:
  // max_queued bounds the tasks waiting for a thread (0: unbounded). A pool
  // that waits on outside parties (networks) is bounded, so a slow party makes
  // callers wait in line only so long before they are told to come back.
  explicit Executor(int threads, size_t max_queued = 0);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  enum class Admission { kQueued, kFull, kStopped };
  // kStopped once Stop() has begun; kFull when max_queued tasks already wait.
  Admission TrySubmit(std::function<void()> task);
  // False when the task was not queued (stopped, or full).
  bool Submit(std::function<void()> task) { return TrySubmit(std::move(task)) == Admission::kQueued; }
  // Runs what is queued, then joins the threads.
  void Stop();

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  const size_t max_queued_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace herald
