#pragma once
// An internet-facing HTTP server (webhooks now, link redirects later) on
// libmicrohttpd, kept out of this header: one epoll thread holds every
// connection, so slow or idle clients cost a few bytes each, not a thread.
// What it bounds before any handler runs:
//   - connections in all and per client address, and per-connection memory
//     (which bounds the request line and headers);
//   - idle time: a connection that sends nothing for `idle_timeout` is closed;
//   - the body: a declared Content-Length over the limit is answered 413
//     before a byte of it is read; a chunked body is cut off (the connection
//     closed: libmicrohttpd would read the rest before answering) as soon as
//     it passes the limit.
// Handlers run on the executor (they may block on Redis or Kafka) while the
// connection is suspended; routes marked inline (health checks) answer from
// the event thread, so a busy executor never makes /healthz fail.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace herald {

class Executor;

struct HttpServerRequest {
  std::string method;
  std::string path;                            // without the query
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
  std::string peer;  // client address

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
  // A query parameter ("" when absent).
  std::string Query(const std::string& name) const;
};

struct HttpServerResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::map<std::string, std::string> headers;
};

using HttpHandler = std::function<HttpServerResponse(const HttpServerRequest&)>;
// Answers from the event thread when it can without blocking (no I/O), or
// says it cannot (nullopt) and the route's handler runs on the executor.
using FastHttpHandler = std::function<std::optional<HttpServerResponse>(const HttpServerRequest&)>;

struct HttpServerOptions {
  size_t max_body_bytes = 1 << 20;
  std::chrono::seconds idle_timeout{10};
  unsigned max_connections = 1024;
  unsigned max_connections_per_ip = 64;
  // Per connection: request line, headers and MHD's buffers.
  size_t memory_per_connection = 32 << 10;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, Executor& executor);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // `path_prefix` matches the start of the path; the longest match wins.
  void Route(const std::string& method, const std::string& path_prefix, HttpHandler handler, bool inline_ = false);
  // A route whose requests `fast` answers on the event thread when it can
  // (no hand-over, no suspended connection), the rest `handler`.
  void Route(const std::string& method, const std::string& path_prefix, FastHttpHandler fast, HttpHandler handler);
  // Listens on 0.0.0.0:port (0: a free port); false when it cannot.
  bool Start(int port);
  int port() const { return port_; }
  // Stops accepting, closes connections.
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace herald
