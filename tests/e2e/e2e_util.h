#pragma once
// Small helpers shared by the end-to-end tests.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/http_client.h"

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

// An HTTP call answered with JSON (null when it failed).
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
