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
  for (int i = 0; i < 200 && brokers_.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    std::ifstream in(dir_ + "/bootstrap");
    std::getline(in, brokers_);
  }
  if (brokers_.empty()) throw std::runtime_error("devbroker did not start: " + process_.LogTail());
}

DevBroker::~DevBroker() {
  process_.Stop();
  std::string cmd = "rm -rf '" + dir_ + "'";
  (void)std::system(cmd.c_str());
}

}  // namespace herald::testing
