#pragma once
// Shared by the benchmarks that run the whole platform (tests/e2e/platform.h):
// X accounts on the simulator, a networks file with one X quota, and the
// channels connected through the publisher.
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "e2e_util.h"
#include "herald/publisher/v1/publisher.grpc.pb.h"
#include "platform.h"

namespace herald::bench {

// "<prefix>0:acct0,<prefix>1:acct1,..." for --accounts: token <prefix>N is account acctN.
inline std::string SimulatorAccounts(const std::string& token_prefix, int n) {
  std::string out;
  for (int c = 0; c < n; ++c) out += (c ? "," : "") + token_prefix + std::to_string(c) + ":acct" + std::to_string(c);
  return out;
}

// A networks file where X has one per-account window of `per_minute` posts.
inline std::string XNetworksFile(const std::string& version, int per_minute) {
  using nlohmann::json;
  std::string path = herald::testing::MakeTempDir("herald-" + version + "-") + "/networks.json";
  json quota = {{"scope", "account"}, {"windows", {{{"name", "1m"}, {"limit", per_minute}, {"seconds", 60}}}}};
  json x = {{"text", {{"max_length", 280}, {"counting", "x_weighted"}, {"url_length", 23}}},
            {"media", {{"max", 4}}},
            {"quotas", {quota}}};
  std::ofstream(path) << json{{"version", version}, {"networks", {{"x", x}}}}.dump(2);
  return path;
}

// Connects X channels with tokens <prefix>0..<prefix>n-1; empty (and says why) on failure.
inline std::vector<std::string> ConnectXChannels(herald::testing::Platform& p, const std::string& workspace,
                                                 const std::string& token_prefix, int n) {
  namespace pub = herald::publisher::v1;
  auto publisher =
      pub::PublisherService::NewStub(grpc::CreateChannel(p.Grpc("publisher"), grpc::InsecureChannelCredentials()));
  std::vector<std::string> ids;
  for (int c = 0; c < n; ++c) {
    pub::ConnectChannelRequest req;
    req.set_workspace_id(workspace);
    req.set_network(herald::common::v1::NETWORK_X);
    req.set_base_url(p.simulator_url());
    req.set_access_token(token_prefix + std::to_string(c));
    pub::Channel ch;
    auto s = publisher->ConnectChannel(herald::testing::Ctx().get(), req, &ch);
    if (!s.ok()) {
      std::fprintf(stderr, "connect failed: %s\n", s.error_message().c_str());
      return {};
    }
    ids.push_back(ch.id());
  }
  return ids;
}

}  // namespace herald::bench
