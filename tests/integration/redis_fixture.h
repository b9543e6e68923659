#pragma once
// One real redis-server per test binary; each test starts from an empty database.
#include <gtest/gtest.h>

#include <memory>

#include "common/redis.h"
#include "support/redis_server.h"

namespace herald::testing {

class RedisTest : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    if (!server_) server_ = std::make_unique<RedisServer>(/*aof=*/true);
  }
  static RedisServer& server() { return *server_; }

 protected:
  // The client exists before derived fixtures build their stores on it.
  RedisTest() : redis_(std::make_unique<RedisClient>(server_->options())) { server_->FlushAll(); }
  RedisClient& redis() { return *redis_; }

  static inline std::unique_ptr<RedisServer> server_;
  std::unique_ptr<RedisClient> redis_;
};

}  // namespace herald::testing
