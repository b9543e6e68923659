#pragma once
// What most benchmarks run against: a real redis-server and the dev broker,
// started on free ports for the run, with a client and a producer on them.
#include <prometheus/registry.h>

#include "common/kafka.h"
#include "common/redis.h"
#include "support/devbroker.h"
#include "support/redis_server.h"

namespace herald::bench {

struct LocalStack {
  herald::testing::RedisServer redis_server;
  RedisClient redis{WithPool(redis_server.options(), 24)};
  herald::testing::DevBroker broker;
  KafkaProducer producer{KafkaOptions{broker.brokers(), "bench", {}}};
  prometheus::Registry registry;

 private:
  static RedisOptions WithPool(RedisOptions o, int pool) {
    o.pool_size = pool;
    return o;
  }
};

}  // namespace herald::bench
