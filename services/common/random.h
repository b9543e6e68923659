#pragma once
// Randomness is injected like time (common/clock.h): jitter and sampling
// read a RandomSource, so tests run them from a seed.
#include <mutex>
#include <random>

namespace herald {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Uniform in [0, 1).
  virtual double Unit() = 0;
};

// Seeded from the OS once per thread; no lock on the hot path.
class SystemRandom final : public RandomSource {
 public:
  double Unit() override {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  }
  static SystemRandom& Instance() {
    static SystemRandom random;
    return random;
  }
};

// The same sequence every run (tests).
class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(uint64_t seed) : rng_(seed) {}
  double Unit() override {
    std::lock_guard lock(mu_);
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  }

 private:
  std::mutex mu_;
  std::mt19937_64 rng_;
};

}  // namespace herald
