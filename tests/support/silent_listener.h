#pragma once
// A TCP listener on 127.0.0.1 that never accepts and never answers: the
// kernel completes connections into its backlog, and there they wait. Tests
// use it as a network that takes a request and says nothing, and to see
// whether anything connected at all.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

namespace herald::testing {

class SilentListener {
 public:
  SilentListener() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd_, 128) != 0) {
      throw std::runtime_error("silent listener: cannot listen on 127.0.0.1");
    }
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { close(fd_); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // True when a connection is waiting in the backlog (nothing is accepted).
  bool SomeoneConnected() const {
    timeval tv{0, 1000};
    fd_set set;
    FD_ZERO(&set);
    FD_SET(fd_, &set);
    return select(fd_ + 1, &set, nullptr, nullptr, &tv) > 0;
  }

 private:
  int fd_;
  int port_ = 0;
};

}  // namespace herald::testing
