#include "common/lanes.h"

namespace herald {

Lanes::Lanes(size_t count) : jobs_(count == 0 ? 1 : count) {
  for (size_t i = 0; i < jobs_.size(); ++i) threads_.emplace_back([this, i] { Run(i); });
}

Lanes::~Lanes() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_.notify_all();
  for (auto& t : threads_) t.join();
}

void Lanes::RunAll(std::vector<std::function<void()>> jobs) {
  std::unique_lock lock(mu_);
  jobs.resize(jobs_.size());
  pending_ = 0;
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (jobs[i]) ++pending_;
    jobs_[i] = std::move(jobs[i]);
  }
  ++generation_;
  work_.notify_all();
  done_.wait(lock, [this] { return pending_ == 0; });
}

void Lanes::Run(size_t lane) {
  uint64_t seen = 0;
  std::unique_lock lock(mu_);
  for (;;) {
    work_.wait(lock, [&] { return stopping_ || generation_ != seen; });
    if (stopping_) return;
    seen = generation_;
    std::function<void()> job = std::move(jobs_[lane]);
    jobs_[lane] = nullptr;
    if (!job) continue;
    lock.unlock();
    job();
    lock.lock();
    if (--pending_ == 0) done_.notify_all();
  }
}

}  // namespace herald
