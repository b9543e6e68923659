#pragma once
// Time is injected, never read from a global, so timing logic is testable.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

namespace herald {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point Now() const = 0;
  int64_t NowMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Now().time_since_epoch()).count();
  }
  // Waits this long on this clock. Loops that pause (a retry after a failed
  // step, a poll for a lock) wait here, so a test's clock moves instead of
  // the test sleeping.
  virtual void SleepFor(std::chrono::milliseconds d) const = 0;
  // Time that only moves forward, for durations measured in this process
  // (how long a call took, how long since a timer started). Now() may jump
  // when the machine's clock is set; a duration taken from it can be negative.
  virtual std::chrono::steady_clock::time_point Monotonic() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override { return std::chrono::system_clock::now(); }
  void SleepFor(std::chrono::milliseconds d) const override { std::this_thread::sleep_for(d); }
  std::chrono::steady_clock::time_point Monotonic() const override { return std::chrono::steady_clock::now(); }
  static SystemClock& Instance() {
    static SystemClock clock;
    return clock;
  }
};

// A clock tests move by hand. AdvanceMs and SleepFor move both times;
// SetMs is the machine's clock being set, which monotonic time does not see.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_ms = 1'700'000'000'000) : now_ms_(now_ms) {}
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(now_ms_.load()));
  }
  void SetMs(int64_t ms) { now_ms_ = ms; }
  void AdvanceMs(int64_t ms) {
    now_ms_ += ms;
    monotonic_ms_ += ms;
  }
  // Time passes at once: a wait of d is the clock moving d.
  void SleepFor(std::chrono::milliseconds d) const override {
    now_ms_ += d.count();
    monotonic_ms_ += d.count();
  }
  std::chrono::steady_clock::time_point Monotonic() const override {
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(monotonic_ms_.load()));
  }

 private:
  mutable std::atomic<int64_t> now_ms_;
  mutable std::atomic<int64_t> monotonic_ms_{0};
};

}  // namespace herald
