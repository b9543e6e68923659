#pragma once
// The dev broker (librdkafka's mock cluster in its own process) for tests and
// benchmarks, with every topic of proto/topics.tsv.
#include <string>

#include "support/process.h"

namespace herald::testing {

class DevBroker {
 public:
  DevBroker();
  ~DevBroker();
  const std::string& brokers() const { return brokers_; }
  Process& process() { return process_; }

 private:
  std::string dir_;
  std::string brokers_;
  Process process_;
};

}  // namespace herald::testing
