#pragma once
// Small helpers shared by the end-to-end tests.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>

namespace herald::testing {

inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A client context with a 10 s deadline: every test call has one.
inline std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return ctx;
}

}  // namespace herald::testing
