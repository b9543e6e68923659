#pragma once
// Faults on demand for the posting endpoints, so tests can prove exactly-once
// delivery under each failure a real network shows:
//   latency    every request waits this long first
//   error      503 without posting anything
//   reset      the connection breaks after the request arrived; nothing posted
//   timeout    "succeeds but times out": the post lands, the connection is held
//              for timeout_hold_ms, then closed without a byte of the answer
//   close      the post lands, then the connection closes before a single
//              byte of the answer: what a proxy or load balancer does when it
//              drops an idle or overloaded connection. A client that resends
//              on a fresh connection when a reused one dies this way posts
//              twice.
//   after_error the post lands, then the network answers 503 (its front end
//              failed after the back end posted): a client that trusts the
//              status and retries posts twice.
// Each fault fired is counted (fired in ToJson), so a test can prove its
// faults happened.
#include <cstdint>
#include <mutex>
#include <random>

#include <nlohmann/json.hpp>

namespace herald::sim {

struct FaultPlan {
  int latency_ms = 0;
  double error_rate = 0;
  double reset_rate = 0;
  double timeout_rate = 0;
  double close_rate = 0;
  double after_error_rate = 0;
  // How long a "timeout" holds the connection before dropping it.
  int timeout_hold_ms = 3000;
};

class Faults {
 public:
  enum class Action { kNone, kError, kReset, kTimeout, kClose, kAfterPostError };

  explicit Faults(uint64_t seed = 42) : rng_(seed) {}
  // "error", "reset", "timeout", "close", "after_error"; "" for kNone.
  static const char* Name(Action action);
  void Set(const FaultPlan& plan);
  FaultPlan plan() const;
  // One roll per posting request.
  Action Roll();

  // {"latency_ms":..,"error_rate":..,"reset_rate":..,"timeout_rate":..,"close_rate":..,
  //  "timeout_hold_ms":..}; missing fields keep their value. Error text when malformed.
  std::string Update(const nlohmann::json& body);
  nlohmann::json ToJson() const;

 private:
  mutable std::mutex mu_;
  FaultPlan plan_;
  std::mt19937_64 rng_;
  // Faults fired since start, by action (kNone unused).
  int64_t fired_[6] = {};
};

}  // namespace herald::sim
