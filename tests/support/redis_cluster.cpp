#include "support/redis_cluster.h"

#include <sstream>
#include <stdexcept>
#include <thread>

namespace herald::testing {
namespace {

constexpr int kMasters = 3;
constexpr int kSlotsPerMaster = 16384 / kMasters;

// "cluster_state:ok" out of CLUSTER INFO.
std::string InfoField(const std::string& info, const std::string& field) {
  std::istringstream in(info);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind(field + ":", 0) == 0) return line.substr(field.size() + 1);
  }
  return "";
}

void Must(const absl::StatusOr<RedisReply>& r, const std::string& what) {
  if (!r.ok()) throw std::runtime_error(what + ": " + r.status().ToString());
}

}  // namespace

RedisCluster::RedisCluster() : dir_(MakeTempDir("herald-cluster-")), nodes_(2 * kMasters) {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Node& n = nodes_[i];
    n.port = FreePort();
    do n.bus_port = FreePort();
    while (n.bus_port == n.port);
    n.dir = dir_ + "/node" + std::to_string(i);
    (void)std::system(("mkdir -p '" + n.dir + "'").c_str());
    StartNode(n);
  }
  // Everyone meets the first node; gossip introduces the rest.
  for (size_t i = 1; i < nodes_.size(); ++i) {
    Must(direct(0).Command({"CLUSTER", "MEET", "127.0.0.1", std::to_string(nodes_[i].port),
                            std::to_string(nodes_[i].bus_port)}),
         "CLUSTER MEET");
  }
  for (int m = 0; m < kMasters; ++m) {
    int first = m * kSlotsPerMaster, last = m == kMasters - 1 ? 16383 : (m + 1) * kSlotsPerMaster - 1;
    Must(direct(m).Command({"CLUSTER", "ADDSLOTSRANGE", std::to_string(first), std::to_string(last)}), "ADDSLOTSRANGE");
  }
  // A replica can follow its master only once it knows it.
  for (int r = kMasters; r < size(); ++r) {
    std::string master = NodeId(r - kMasters);
    bool done = false;
    for (int attempt = 0; attempt < 200 && !done; ++attempt) {
      done = direct(r).Command({"CLUSTER", "REPLICATE", master}).ok();
      if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!done) throw std::runtime_error("CLUSTER REPLICATE never accepted\n" + Logs());
  }
  if (!WaitHealthy(std::chrono::seconds(60))) throw std::runtime_error("redis cluster never became ok\n" + Logs());
  // Replicas in sync, so a failover has something to promote.
  for (int r = kMasters; r < size(); ++r) {
    bool up = false;
    for (int attempt = 0; attempt < 600 && !up; ++attempt) {
      auto info = direct(r).Command({"INFO", "replication"});
      up = info.ok() && InfoField(info->str, "master_link_status") == "up";
      if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!up) throw std::runtime_error("replica " + std::to_string(r) + " never synced\n" + Logs());
  }
}

RedisCluster::~RedisCluster() {
  for (auto& n : nodes_) {
    n.client.reset();
    n.process.Kill();
  }
  (void)std::system(("rm -rf '" + dir_ + "'").c_str());
}

void RedisCluster::StartNode(Node& n) {
  n.process = Process("redis-" + std::to_string(n.port),
                      {"/usr/bin/redis-server", "--port", std::to_string(n.port), "--bind", "127.0.0.1", "--dir", n.dir,
                       "--save", "", "--appendonly", "no", "--maxmemory", "512mb", "--maxmemory-policy", "noeviction", "--cluster-enabled",
                       "yes", "--cluster-port", std::to_string(n.bus_port), "--cluster-config-file",
                       n.dir + "/nodes.conf", "--cluster-node-timeout", "1000",
                       // as deployed (k8s/components/redis/redis.conf)
                       "--hash-max-listpack-value", "1024", "--zset-max-listpack-entries", "256"},
                      {}, n.dir + "/redis.log");
  if (!WaitForPort(n.port, std::chrono::seconds(30))) throw std::runtime_error("redis-server did not start");
  RedisOptions o;
  o.host = "127.0.0.1";
  o.port = n.port;
  o.pool_size = 2;
  n.client = std::make_unique<RedisClient>(o);
}

RedisOptions RedisCluster::options() const {
  RedisOptions o;
  o.host = "127.0.0.1";
  o.port = nodes_[0].port;
  o.pool_size = 4;
  o.cluster = true;
  return o;
}

std::string RedisCluster::NodeId(int node) {
  auto r = direct(node).Command({"CLUSTER", "MYID"});
  Must(r, "CLUSTER MYID");
  return r->str;
}

int RedisCluster::MasterOf(uint16_t slot) {
  for (int i = 0; i < size(); ++i) {
    if (!nodes_[i].alive) continue;
    auto r = direct(i).Command({"CLUSTER", "SLOTS"});
    if (!r.ok()) continue;
    for (const auto& range : r->elements) {
      if (range.elements.size() < 3 || slot < range.elements[0].AsInt() || slot > range.elements[1].AsInt()) continue;
      int port = static_cast<int>(range.elements[2].elements[1].AsInt());
      for (int k = 0; k < size(); ++k) {
        if (nodes_[k].port == port) return k;
      }
    }
  }
  return -1;
}

void RedisCluster::FlushAll() {
  for (int i = 0; i < size(); ++i) {
    if (!nodes_[i].alive) continue;
    auto role = direct(i).Command({"ROLE"});
    if (role.ok() && !role->elements.empty() && role->elements[0].str == "master") {
      (void)direct(i).Command({"FLUSHALL"});
    }
  }
}

void RedisCluster::Kill(int node) {
  nodes_[node].process.Kill();
  nodes_[node].alive = false;
}

bool RedisCluster::WaitHealthy(std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    bool ok = true;
    for (int i = 0; i < size() && ok; ++i) {
      if (!nodes_[i].alive) continue;
      auto info = direct(i).Command({"CLUSTER", "INFO"});
      ok = info.ok() && InfoField(info->str, "cluster_state") == "ok" &&
           InfoField(info->str, "cluster_slots_ok") == "16384";
    }
    // Every slot's master must be a live process (a dead one may still be
    // listed until the others agree it failed).
    for (uint16_t slot : {uint16_t{0}, uint16_t{8000}, uint16_t{16383}}) {
      if (!ok) break;
      int m = MasterOf(slot);
      ok = m >= 0 && nodes_[m].alive;
    }
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::string RedisCluster::Logs() const {
  std::string out;
  for (const auto& n : nodes_) out += "--- redis " + std::to_string(n.port) + "\n" + n.process.LogTail(1500);
  return out;
}

}  // namespace herald::testing
