// Why the listener's and campaign's readiness probes are GET /readyz on their
// HTTP port: /readyz runs on the pool that serves webhooks/redirects, so a
// wedged pool fails the probe, while /healthz (answered on the I/O thread)
// and gRPC health still say all is well. Real HTTP over loopback.
#include <gtest/gtest.h>
#include <httplib.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/executor.h"
#include "common/http_server.h"

namespace herald {
namespace {

class Gate {
 public:
  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return open_; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

HttpServerResponse Ok(const HttpServerRequest&) { return HttpServerResponse{200, "ok", "text/plain", {}}; }

TEST(HttpReadiness, ReadyzFailsWhileThePoolIsWedgedAndHealthzDoesNot) {
  Executor pool(1, 4);
  HttpServer http(HttpServerOptions{}, pool);
  Gate gate;
  http.Route("GET", "/healthz", Ok, /*inline_=*/true);
  http.Route("GET", "/readyz", Ok);
  http.Route("POST", "/hook", [&](const HttpServerRequest& req) {
    gate.Wait();
    return Ok(req);
  });
  ASSERT_TRUE(http.Start(0));

  httplib::Client probe("127.0.0.1", http.port());
  probe.set_read_timeout(1, 0);
  ASSERT_EQ(probe.Get("/readyz")->status, 200) << "ready while the pool is free";

  // A webhook that hangs (a Redis or Kafka call that never returns) holds the
  // only worker.
  std::thread hook([&] {
    httplib::Client c("127.0.0.1", http.port());
    c.set_read_timeout(30, 0);
    auto r = c.Post("/hook", "{}", "application/json");
    EXPECT_TRUE(r && r->status == 200);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  auto ready = probe.Get("/readyz");
  EXPECT_TRUE(!ready || ready->status != 200) << "readiness must not pass while webhooks cannot be served";
  httplib::Client health("127.0.0.1", http.port());
  health.set_read_timeout(1, 0);
  auto alive = health.Get("/healthz");
  ASSERT_TRUE(alive) << "the inline health check answers from the I/O thread";
  EXPECT_EQ(alive->status, 200);

  gate.Open();
  hook.join();
  httplib::Client after("127.0.0.1", http.port());
  after.set_read_timeout(5, 0);
  auto again = after.Get("/readyz");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200) << "ready again once the pool drains";
  http.Stop();
  pool.Stop();
}

}  // namespace
}  // namespace herald
