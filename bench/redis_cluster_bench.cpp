// What the Redis Cluster routing costs (issue 15). The same client against one
// redis-server and against a three-master Redis Cluster (replicas included),
// beside redis-benchmark on each, in the same run:
//
//   redis_cluster_bench [--keys=200000] [--batch=100] [--calls=20000]
//
// 1. Pipelined SETs (batches of --batch): the cluster client splits each batch
//    by master and writes the three parts before reading any reply.
// 2. EvalPipeline of a two-key script (keys share a hash tag).
// 3. One GET at a time from 4 threads: p50/p99 of a call.
// Exits 1 when a call fails (the smoke test's check).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "common/log.h"
#include "common/redis.h"
#include "support/redis_cluster.h"
#include "support/redis_server.h"

using namespace herald;
using namespace herald::bench;

namespace {

double PipelinedSets(RedisClient& redis, int keys, int batch) {
  auto start = std::chrono::steady_clock::now();
  for (int done = 0; done < keys;) {
    std::vector<RedisClient::Args> cmds;
    for (int i = 0; i < batch && done < keys; ++i, ++done) {
      cmds.push_back({"SET", "k" + std::to_string(done), "value-" + std::to_string(done)});
    }
    if (!redis.Pipeline(cmds).ok()) return 0;
  }
  return keys / Seconds(start);
}

double ScriptCalls(RedisClient& redis, int calls, int batch) {
  static const RedisScript kAdd(R"(return redis.call('INCRBY', KEYS[1], ARGV[1]) + redis.call('INCRBY', KEYS[2], ARGV[1]))");
  auto start = std::chrono::steady_clock::now();
  for (int done = 0; done < calls;) {
    std::vector<std::pair<RedisClient::Args, RedisClient::Args>> batch_calls;
    for (int i = 0; i < batch && done < calls; ++i, ++done) {
      std::string tag = "{t" + std::to_string(done % 1000) + "}";
      batch_calls.push_back({{tag + ":a", tag + ":b"}, {"1"}});
    }
    if (!redis.EvalPipeline(kAdd, batch_calls).ok()) return 0;
  }
  return calls / Seconds(start);
}

// p50, p99 in microseconds of single GETs from 4 threads.
std::pair<double, double> SingleCalls(RedisClient& redis, int calls) {
  std::vector<std::vector<double>> per(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < calls; i += 4) {
        auto start = std::chrono::steady_clock::now();
        (void)redis.Command({"GET", "k" + std::to_string(i)});
        per[t].push_back(Seconds(start) * 1e6);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::vector<double> all;
  for (auto& v : per) all.insert(all.end(), v.begin(), v.end());
  return {Percentile(all, 50), Percentile(all, 99)};
}

// redis-benchmark's SET rate, pipelined like the client's batches.
double RedisBenchmarkSets(int port, int keys, int batch, bool cluster) {
  std::string out = RunCommand("redis-benchmark -h 127.0.0.1 -p " + std::to_string(port) + (cluster ? " --cluster" : "") +
                               " -t set -n " + std::to_string(keys) + " -P " + std::to_string(batch) +
                               " -r 1000000 -q 2>/dev/null");
  auto at = out.rfind("SET: ");
  return at == std::string::npos ? 0 : std::atof(out.c_str() + at + 5);
}

}  // namespace

int main(int argc, char** argv) {
  log::Init("bench", "warn");
  const int keys = static_cast<int>(Flag(argc, argv, "keys", 200'000));
  const int batch = static_cast<int>(Flag(argc, argv, "batch", 100));
  const int calls = static_cast<int>(Flag(argc, argv, "calls", 20'000));

  testing::RedisServer single;
  testing::RedisCluster cluster;
  RedisClient one(single.options());
  RedisClient many(cluster.options());

  std::vector<Row> rows;
  bool failed = false;
  auto rate = [&](double r) {
    failed = failed || r <= 0;  // a call failed
    return Fmt(r);
  };
  double base_one = RedisBenchmarkSets(single.port(), keys, batch, false);
  double base_many = RedisBenchmarkSets(cluster.port(0), keys, batch, true);
  rows.push_back({"pipelined SET/s, one redis-server", rate(PipelinedSets(one, keys, batch)), Fmt(base_one),
                  "redis-benchmark -P " + std::to_string(batch) + ", same server", ""});
  rows.push_back({"pipelined SET/s, 3-master cluster", rate(PipelinedSets(many, keys, batch)), Fmt(base_many),
                  "redis-benchmark --cluster -P " + std::to_string(batch), ""});
  double script_one = ScriptCalls(one, keys / 2, batch);
  rows.push_back({"2-key script calls/s, one redis-server", rate(script_one), "-", "", ""});
  rows.push_back({"2-key script calls/s, 3-master cluster", rate(ScriptCalls(many, keys / 2, batch)), Fmt(script_one),
                  "the same client on one redis-server", ""});
  auto [p50_one, p99_one] = SingleCalls(one, calls);
  auto [p50_many, p99_many] = SingleCalls(many, calls);
  rows.push_back({"single GET p50 / p99 (us), 4 threads, cluster", Fmt(p50_many) + " / " + Fmt(p99_many),
                  Fmt(p50_one) + " / " + Fmt(p99_one), "the same calls on one redis-server", ""});
  PrintTable("Redis Cluster routing (2 cores, everything on one machine)", rows);
  if (failed) std::fprintf(stderr, "a Redis call failed: see the zero above\n");
  return failed ? 1 : 0;
}
