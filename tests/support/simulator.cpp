#include "support/simulator.h"

#include <stdexcept>

#include "common/http_client.h"

namespace herald::testing {

Simulator::Simulator(const std::string& accounts, int rate_limit, int window_s,
                     const std::vector<std::string>& extra_args)
    : dir_(MakeTempDir("herald-sim-")), port_(FreePort()) {
  std::vector<std::string> args = {BinaryDir() + "/tools/simulator/herald-simulator", "--port=" + std::to_string(port_),
                                   "--accounts=" + accounts, "--rate-limit=" + std::to_string(rate_limit),
                                   "--rate-window-s=" + std::to_string(window_s)};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  process_ = Process("simulator", args, {}, dir_ + "/simulator.log");
  if (!WaitForPort(port_, std::chrono::seconds(30))) throw std::runtime_error("simulator did not start");
}

Simulator::~Simulator() {
  process_.Kill();
  std::string cmd = "rm -rf '" + dir_ + "'";
  (void)std::system(cmd.c_str());
}

void Simulator::SetFaults(const nlohmann::json& plan) {
  HttpRequest req;
  req.method = "POST";
  req.url = url() + "/_sim/faults";
  req.body = plan.dump();
  req.headers = {{"Content-Type", "application/json"}};
  auto res = SendHttp(req);
  if (!res.ok() || res->status != 200) throw std::runtime_error("simulator refused the fault plan " + req.body);
}

std::vector<std::string> Simulator::Inbound(const nlohmann::json& spec) {
  HttpRequest req;
  req.method = "POST";
  req.url = url() + "/_sim/inbound";
  req.body = spec.dump();
  req.headers = {{"Content-Type", "application/json"}};
  auto res = SendHttp(req);
  if (!res.ok() || res->status != 200) {
    throw std::runtime_error("simulator refused /_sim/inbound " + req.body + ": " + (res.ok() ? res->body : ""));
  }
  return nlohmann::json::parse(res->body)["ids"].get<std::vector<std::string>>();
}

nlohmann::json Simulator::Ledger() const {
  HttpRequest req;
  req.url = url() + "/_sim/ledger";
  auto res = SendHttp(req);
  if (!res.ok() || res->status != 200) throw std::runtime_error("simulator ledger unavailable");
  return nlohmann::json::parse(res->body);
}

nlohmann::json Simulator::MediaStats() const {
  HttpRequest req;
  req.url = url() + "/_sim/media-stats";
  auto res = SendHttp(req);
  if (!res.ok() || res->status != 200) throw std::runtime_error("simulator media stats unavailable");
  return nlohmann::json::parse(res->body);
}

nlohmann::json Simulator::FaultsFired() const {
  HttpRequest req;
  req.url = url() + "/_sim/faults";
  auto res = SendHttp(req);
  if (!res.ok() || res->status != 200) throw std::runtime_error("simulator faults unavailable");
  return nlohmann::json::parse(res->body).at("fired");
}

nlohmann::json Simulator::Requests() const {
  HttpRequest req;
  req.url = url() + "/_sim/requests";
  auto res = SendHttp(req);
  if (!res.ok() || res->status != 200) throw std::runtime_error("simulator requests unavailable");
  return nlohmann::json::parse(res->body);
}

}  // namespace herald::testing
