#pragma once
// The network simulator (tools/simulator) as a child process on a free port,
// with helpers for its test controls.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/process.h"

namespace herald::testing {

class Simulator {
 public:
  // accounts: "token:username[,...]"; rate limit per (network, account) window.
  // extra_args: more simulator flags ("--x-user-daily-limit=3").
  explicit Simulator(const std::string& accounts, int rate_limit = 1000, int window_s = 3600,
                     const std::vector<std::string>& extra_args = {});
  ~Simulator();
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // POST /_sim/faults; fails the calling test on a refusal.
  void SetFaults(const nlohmann::json& plan);
  nlohmann::json Ledger() const;
  // POST /_sim/inbound (outsiders talk to an account); the new items' ids.
  std::vector<std::string> Inbound(const nlohmann::json& spec);
  // Faults fired since start, by kind: {"error":…, "reset":…, "timeout":…, "close":…}.
  nlohmann::json FaultsFired() const;
  // Every posting request as it arrived: [{"method","path","key","fault","at_ms"}].
  nlohmann::json Requests() const;
  // Uploads per network: {"x": {"uploads": n, "attached": m}, ...}.
  nlohmann::json MediaStats() const;
  // A file on the simulator's media host ("photo.jpg", 2048 bytes).
  std::string MediaUrl(const std::string& name, size_t bytes = 1024) const {
    return url() + "/_sim/media/" + name + "?bytes=" + std::to_string(bytes);
  }
  Process& process() { return process_; }

 private:
  std::string dir_;
  int port_;
  Process process_;
};

}  // namespace herald::testing
