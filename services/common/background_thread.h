#pragma once
// A component's worker thread: Start runs `body` until Stop asks it to end
// (the body polls `stopping`), Stop joins. Destruction stops it.
#include <atomic>
#include <chrono>
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
  // Runs `tick` now and then every `interval` until Stop (which waits at most
  // 100 ms for the pause to end).
  void StartEvery(std::chrono::milliseconds interval, std::function<void()> tick) {
    Start([interval, tick = std::move(tick)](const std::atomic<bool>& stopping) {
      while (!stopping) {
        tick();
        for (auto waited = std::chrono::milliseconds(0); waited < interval && !stopping;
             waited += std::chrono::milliseconds(100)) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
      }
    });
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
