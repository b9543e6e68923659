// Redis over TLS, as managed offerings require: a redis-server that speaks
// only TLS, reached through RedisClient's in-process tunnel. The certificate
// and its name are verified; plaintext to the TLS port gets nowhere.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "common/redis.h"
#include "support/redis_server.h"
#include "support/test_certs.h"

namespace herald::testing {
namespace {

class RedisTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new RedisServer(/*aof=*/false, /*tls=*/true); }
  static void TearDownTestSuite() { delete server_; }
  static inline RedisServer* server_ = nullptr;
};

TEST_F(RedisTls, CommandsPipelinesAndScriptsTravelOverTls) {
  RedisClient redis(server_->options());
  ASSERT_TRUE(redis.Ping().ok());
  ASSERT_TRUE(redis.Command({"SET", "tls:key", std::string(100000, 'v')}).ok());  // larger than one TLS record
  auto got = redis.Command({"GET", "tls:key"});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->str, std::string(100000, 'v'));
  auto replies = redis.Pipeline({{"INCR", "tls:n"}, {"INCR", "tls:n"}, {"GET", "tls:n"}});
  ASSERT_TRUE(replies.ok());
  EXPECT_EQ((*replies)[2].AsInt(), 2);
  RedisScript script("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  auto eval = redis.Eval(script, {"tls:n"}, {"5"});
  ASSERT_TRUE(eval.ok());
  EXPECT_EQ(eval->AsInt(), 7);
}

TEST_F(RedisTls, PlaintextToTheTlsPortGetsNowhere) {
  RedisOptions plain = server_->options();
  plain.tls_ca_file.clear();
  plain.timeout = std::chrono::milliseconds(500);
  RedisClient redis(plain);
  EXPECT_FALSE(redis.Ping().ok());
}

TEST_F(RedisTls, AServerWhoseCertificateDoesNotNameItIsRefused) {
  RedisOptions wrong_name = server_->options();
  wrong_name.tls_server_name = "redis.example.com";  // the certificate names 127.0.0.1 and localhost
  EXPECT_FALSE(RedisClient(wrong_name).Ping().ok());

  RedisOptions by_dns = server_->options();
  by_dns.tls_server_name = "localhost";
  EXPECT_TRUE(RedisClient(by_dns).Ping().ok());

  // Signed by a CA the client does not trust.
  auto other = MakeTestCertificates(::testing::TempDir() + "/herald-other-ca");
  RedisOptions other_ca = server_->options();
  other_ca.tls_ca_file = other.ca_file;
  EXPECT_FALSE(RedisClient(other_ca).Ping().ok());

  RedisOptions missing = server_->options();
  missing.tls_ca_file = "/nonexistent/ca.pem";
  auto s = RedisClient(missing).Ping();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("CA file"), std::string_view::npos) << s;
}

// Every pooled connection is its own TLS session; counts stay exact.
TEST_F(RedisTls, ConcurrentCommandsOnEveryPooledConnectionCountExactly) {
  RedisOptions o = server_->options();
  o.pool_size = 6;
  RedisClient redis(o);
  ASSERT_TRUE(redis.Command({"DEL", "tls:count"}).ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) failures += !redis.Command({"INCR", "tls:count"}).ok();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(redis.Command({"GET", "tls:count"})->AsInt(), 2000);
}

// A Redis restart drops the TLS sessions; the next command makes new ones.
TEST_F(RedisTls, ReconnectsAfterRedisRestarts) {
  RedisClient redis(server_->options());
  ASSERT_TRUE(redis.Ping().ok());
  server_->Restart(/*hard=*/true);
  absl::Status last = absl::UnknownError("not tried");
  for (int i = 0; i < 50 && !last.ok(); ++i) {
    last = redis.Ping();
    if (!last.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(last.ok()) << last;
}

}  // namespace
}  // namespace herald::testing
