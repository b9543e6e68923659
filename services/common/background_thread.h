#pragma once
// A component's worker thread: Start runs `body` until Stop asks it to end
// (the body polls `stopping`), Stop joins. Destruction stops it.
#include <atomic>
#include <functional>
#include <thread>

namespace herald {

class BackgroundThread {
 public:
  BackgroundThread() = default;
  ~BackgroundThread() { Stop(); }
  BackgroundThread(const BackgroundThread&) = delete;
  BackgroundThread& operator=(const BackgroundThread&) = delete;

  void Start(std::function<void(const std::atomic<bool>& stopping)> body) {
    stopping_ = false;
    thread_ = std::thread([this, body = std::move(body)] { body(stopping_); });
  }
  void Stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace herald
