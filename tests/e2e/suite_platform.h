#pragma once
// A suite that shares one whole platform among its tests: started before the
// first test of the suite, stopped after the last. Derive as
//   class Links : public herald::testing::SuitePlatform<Links> { ... };
// (the template parameter gives every suite its own platform).
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "platform.h"

namespace herald::testing {

template <class Suite>
class SuitePlatform : public ::testing::Test {
 public:
  static void SetUpTestSuite() { platform_ = new Platform(); }
  static void TearDownTestSuite() {
    delete platform_;
    platform_ = nullptr;
  }

 protected:
  Platform& p() { return *platform_; }
  // A stub of a service of the platform (plaintext; Ctx() carries the credentials).
  template <class Service>
  std::unique_ptr<typename Service::Stub> Stub(const std::string& name) {
    return Service::NewStub(grpc::CreateChannel(p().Grpc(name), grpc::InsecureChannelCredentials()));
  }

  static inline Platform* platform_ = nullptr;
};

}  // namespace herald::testing
