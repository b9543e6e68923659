#include "support/devbroker.h"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace herald::testing {

DevBroker::DevBroker() : dir_(MakeTempDir("herald-broker-")) {
  process_ = Process("devbroker",
                     {BinaryDir() + "/tools/devbroker/herald-devbroker", "--bootstrap-file=" + dir_ + "/bootstrap"}, {},
                     dir_ + "/devbroker.log");
  // Creating every topic's partitions takes seconds on a loaded 2-core
  // machine (CI runs two test binaries beside a saturation benchmark): wait
  // for as long as the broker lives, up to a minute.
  for (int i = 0; i < 2400 && brokers_.empty() && process_.running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    std::ifstream in(dir_ + "/bootstrap");
    std::getline(in, brokers_);
  }
  if (brokers_.empty()) {
    throw std::runtime_error(std::string("devbroker did not start (") + (process_.running() ? "still starting" : "exited") +
                             "): " + process_.LogTail());
  }
}

DevBroker::~DevBroker() {
  process_.Stop();
  std::string cmd = "rm -rf '" + dir_ + "'";
  (void)std::system(cmd.c_str());
}

}  // namespace herald::testing
