#pragma once
// An HTTP server on a free port that records every POST to /hook and answers
// with the status `answer` picks (webhook receivers in tests).
#include <httplib.h>

#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace herald::testing {

class HttpReceiver {
 public:
  // answer(request, how many requests came before it) → HTTP status.
  using Answer = std::function<int(const httplib::Request&, size_t)>;

  explicit HttpReceiver(Answer answer) : answer_(std::move(answer)) {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      res.status = answer_(req, requests_.size());
      requests_.push_back(req);
    });
    // One request per connection: stop() does not wait for idle keep-alives.
    server_.set_keep_alive_max_count(1);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~HttpReceiver() {
    server_.stop();
    thread_.join();
  }
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<httplib::Request> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  Answer answer_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<httplib::Request> requests_;
};

}  // namespace herald::testing
