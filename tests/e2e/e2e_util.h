#pragma once
// Small helpers shared by the end-to-end tests.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sys/wait.h>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/http_client.h"
#include "common/redis.h"
#include "support/process.h"

namespace herald::testing {

inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The "authorization" value test calls carry: the platform's operator key
// (set by Platform). Empty: calls carry no credentials.
inline std::string& TestAuthorization() {
  static std::string value;
  return value;
}

// A client context with a 10 s deadline and the test's credentials: every
// test call has both.
inline std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!TestAuthorization().empty()) ctx->AddMetadata("authorization", TestAuthorization());
  return ctx;
}

// Polls until `done` is true or the timeout passes.
inline bool Eventually(const std::function<bool()>& done, std::chrono::seconds timeout = std::chrono::seconds(60)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return done();
}

// heraldctl as a user runs it, with the platform's operator key: its output
// (stdout and stderr) and, in *exit_code, how it exited.
inline std::string RunHeraldctl(const std::string& operator_key, const std::string& args, int* exit_code) {
  std::string cmd = "HERALD_API_KEY=" + operator_key + " " + BinaryDir() + "/tools/heraldctl/heraldctl " + args + " 2>&1";
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, f)) out.append(buf, n);
  *exit_code = WEXITSTATUS(pclose(f));
  return out;
}

// The same; the test fails unless it exits with want_exit.
inline std::string Heraldctl(const std::string& operator_key, const std::string& args, int want_exit = 0) {
  int code = -1;
  std::string out = RunHeraldctl(operator_key, args, &code);
  EXPECT_EQ(code, want_exit) << "heraldctl " << args << "\n" << out;
  return out;
}

// The redirect answers before it records its click (on the capture threads):
// a test that names the click next waits until the campaign service kept it,
// as a shop's order a few seconds after the click would find it.
inline bool WaitUntilClickKept(int redis_port, const std::string& click_id) {
  RedisOptions o;
  o.port = redis_port;
  o.pool_size = 1;
  RedisClient redis(o);
  return Eventually(
      [&] {
        auto r = redis.Command({"EXISTS", "lnk:k:{" + click_id + "}"});
        return r.ok() && r->AsInt() == 1;
      },
      std::chrono::seconds(20));
}

// An HTTP call answered with JSON (null when it failed).
// One series of a /metrics page, named exactly (labels in the exposition's
// order). A page that cannot be read, or a series that is not on it, fails
// the calling test: it is never read as zero.
inline double MetricValue(int port, const std::string& series) {
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
  auto res = SendHttp(req);
  if (!res.ok() || res->status != 200) {
    ADD_FAILURE() << "metrics on port " << port << " unreadable: " << (res.ok() ? "" : res.status().ToString());
    return std::nan("");
  }
  const std::string& body = res->body;
  for (size_t pos = body.find(series + " "); pos != std::string::npos; pos = body.find(series + " ", pos + 1)) {
    if (pos == 0 || body[pos - 1] == '\n') return std::atof(body.c_str() + pos + series.size() + 1);
  }
  ADD_FAILURE() << "no series " << series << " on port " << port;
  return std::nan("");
}

inline nlohmann::json HttpJson(const std::string& method, const std::string& url, const std::string& body = "") {
  HttpRequest req;
  req.method = method;
  req.url = url;
  req.body = body;
  if (!body.empty()) req.headers = {{"Content-Type", "application/json"}};
  auto res = SendHttp(req);
  if (!res.ok()) return nlohmann::json();
  return nlohmann::json::parse(res->body, nullptr, false);
}

}  // namespace herald::testing
