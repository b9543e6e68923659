#pragma once
// A real Redis Cluster for a test: three masters and a replica of each, six
// Debian redis-server processes on free ports, joined the way redis-cli
// --cluster create does (MEET, ADDSLOTSRANGE, REPLICATE) and waited on until
// every node reports the cluster ok. A node's failure is noticed within a
// second (cluster-node-timeout 1000), so a failover fits in a test.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/redis.h"
#include "support/process.h"

namespace herald::testing {

class RedisCluster {
 public:
  RedisCluster();
  ~RedisCluster();

  // A cluster client seeded at the first master.
  RedisOptions options() const;
  int size() const { return static_cast<int>(nodes_.size()); }
  int port(int node) const { return nodes_[node].port; }
  // A plain (non-cluster) client of one node, for setting up what a test needs.
  RedisClient& direct(int node) { return *nodes_[node].client; }
  std::string NodeId(int node);
  // Which node is the master serving the slot now (as that node itself says).
  int MasterOf(uint16_t slot);
  // Empties every master.
  void FlushAll();
  // SIGKILLs a node.
  void Kill(int node);
  // Waits until every live node reports cluster_state:ok and every slot is
  // served by a live master; false on timeout.
  bool WaitHealthy(std::chrono::seconds timeout);
  std::string Logs() const;

 private:
  struct Node {
    int port = 0;
    int bus_port = 0;
    std::string dir;
    Process process;
    std::unique_ptr<RedisClient> client;
    bool alive = true;
  };
  void StartNode(Node& node);
  std::string dir_;
  std::vector<Node> nodes_;
};

}  // namespace herald::testing
