#include "common/http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <chrono>
#include <mutex>
#include <thread>

#include "common/executor.h"

namespace herald {

struct RouteEntry {
  std::string method, prefix;
  HttpHandler handler;
  bool inline_ = false;
  FastHttpHandler fast;
};

struct HttpServer::Impl {
  HttpServerOptions options;
  Executor& executor;
  std::vector<RouteEntry> routes;
  MHD_Daemon* daemon = nullptr;
  // Requests handed to the executor and not yet completed (answered or
  // dropped): Stop waits for them, as libmicrohttpd may not be stopped while
  // a connection is suspended (it aborts the process).
  std::atomic<int> in_flight{0};
  // Set by Stop: a request arriving after it (on a connection accepted
  // before) is answered 503 at once rather than handed over and suspended.
  // Checked after in_flight is raised, and Stop sets it before reading
  // in_flight, so one of the two always sees the other.
  std::atomic<bool> stopping{false};

  Impl(HttpServerOptions o, Executor& e) : options(std::move(o)), executor(e) {}
  const RouteEntry* Find(const std::string& method, const std::string& path) const {
    const RouteEntry* best = nullptr;
    for (const auto& r : routes) {
      if (r.method == method && path.rfind(r.prefix, 0) == 0 && (!best || r.prefix.size() > best->prefix.size())) {
        best = &r;
      }
    }
    return best;
  }
};

namespace {

// One request's state across the access handler's calls.
struct Exchange {
  HttpServerRequest request;
  const RouteEntry* route = nullptr;
  bool too_large = false;
  bool dispatched = false;
  std::atomic<bool> done{false};
  HttpServerResponse response;
};

MHD_Result Queue(MHD_Connection* c, const HttpServerResponse& r) {
  MHD_Response* res = MHD_create_response_from_buffer(r.body.size(), const_cast<char*>(r.body.data()),
                                                      MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(res, "Content-Type", r.content_type.c_str());
  for (const auto& [k, v] : r.headers) MHD_add_response_header(res, k.c_str(), v.c_str());
  MHD_Result ok = MHD_queue_response(c, static_cast<unsigned>(r.status), res);
  MHD_destroy_response(res);
  return ok;
}

HttpServerResponse Error(int status, const std::string& message) {
  return {status, "{\"error\":\"" + message + "\"}", "application/json", {}};
}

MHD_Result CollectHeader(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(cls);
  std::string k = key;
  std::transform(k.begin(), k.end(), k.begin(), [](unsigned char ch) { return std::tolower(ch); });
  (*headers)[k] = value ? value : "";
  return MHD_YES;
}

std::string PeerOf(MHD_Connection* c) {
  const MHD_ConnectionInfo* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!info || !info->client_addr) return "";
  char buf[INET6_ADDRSTRLEN] = {};
  const sockaddr* sa = info->client_addr;
  if (sa->sa_family == AF_INET) inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
  if (sa->sa_family == AF_INET6) inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
  return buf;
}

// Query arguments, decoded by MHD (their size is bounded by the connection's memory).
MHD_Result CollectArgument(void* cls, MHD_ValueKind, const char* key, const char* value) {
  if (key) (*static_cast<std::map<std::string, std::string>*>(cls))[key] = value ? value : "";
  return MHD_YES;
}

MHD_Result Access(void* cls, MHD_Connection* c, const char* url, const char* method, const char*,
                  const char* upload_data, size_t* upload_data_size, void** con_cls) {
  auto* impl = static_cast<HttpServer::Impl*>(cls);
  auto* ex = static_cast<Exchange*>(*con_cls);
  if (!ex) {  // headers are in; no body byte read yet
    ex = new Exchange();
    *con_cls = ex;
    ex->request.method = method;
    ex->request.path = url;
    MHD_get_connection_values(c, MHD_HEADER_KIND, &CollectHeader, &ex->request.headers);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, &CollectArgument, &ex->request.query);
    ex->request.peer = PeerOf(c);
    ex->route = impl->Find(ex->request.method, ex->request.path);
    auto len = ex->request.headers.find("content-length");
    if (len != ex->request.headers.end()) {
      char* end = nullptr;
      unsigned long long n = std::strtoull(len->second.c_str(), &end, 10);
      if (end == len->second.c_str() || n > impl->options.max_body_bytes) {
        ex->too_large = true;
        return Queue(c, Error(413, "body larger than " + std::to_string(impl->options.max_body_bytes) + " bytes"));
      }
    }
    return MHD_YES;
  }
  if (*upload_data_size > 0) {
    if (ex->too_large) {
      *upload_data_size = 0;  // discarded; the connection closes after the 413
      return MHD_YES;
    }
    if (ex->request.body.size() + *upload_data_size > impl->options.max_body_bytes) {
      // A chunked body past the limit: the connection is closed at once
      // (libmicrohttpd would otherwise read the rest before answering).
      ex->too_large = true;
      return MHD_NO;
    }
    ex->request.body.append(upload_data, *upload_data_size);
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (ex->too_large) return MHD_YES;  // already answered
  if (!ex->route) return Queue(c, Error(404, "no such route"));
  if (ex->route->inline_) return Queue(c, ex->route->handler(ex->request));
  if (ex->route->fast && !ex->dispatched) {
    if (auto answer = ex->route->fast(ex->request)) return Queue(c, *answer);
  }
  if (!ex->dispatched) {
    ++impl->in_flight;
    if (impl->stopping.load()) {
      --impl->in_flight;
      HttpServerResponse closing = Error(503, "shutting down");
      closing.headers["Connection"] = "close";
      return Queue(c, closing);
    }
    ex->dispatched = true;
    MHD_suspend_connection(c);
    bool queued = impl->executor.Submit([ex, c] {
      ex->response = ex->route->handler(ex->request);
      ex->done = true;
      MHD_resume_connection(c);
    });
    if (!queued) {
      ex->response = Error(503, "shutting down");
      ex->done = true;
      MHD_resume_connection(c);
    }
    return MHD_YES;
  }
  if (ex->done) return Queue(c, ex->response);
  return MHD_YES;
}

void Completed(void* cls, MHD_Connection*, void** con_cls, MHD_RequestTerminationCode) {
  auto* ex = static_cast<Exchange*>(*con_cls);
  if (ex && ex->dispatched) --static_cast<HttpServer::Impl*>(cls)->in_flight;
  delete ex;
  *con_cls = nullptr;
}

}  // namespace

HttpServer::HttpServer(HttpServerOptions options, Executor& executor)
    : impl_(std::make_unique<Impl>(std::move(options), executor)) {}

HttpServer::~HttpServer() { Stop(); }

std::string HttpServerRequest::Query(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? "" : it->second;
}

void HttpServer::Route(const std::string& method, const std::string& path_prefix, HttpHandler handler, bool inline_) {
  impl_->routes.push_back({method, path_prefix, std::move(handler), inline_, nullptr});
}

void HttpServer::Route(const std::string& method, const std::string& path_prefix, FastHttpHandler fast,
                       HttpHandler handler) {
  impl_->routes.push_back({method, path_prefix, std::move(handler), false, std::move(fast)});
}

bool HttpServer::Start(int port) {
  const auto& o = impl_->options;
  impl_->daemon = MHD_start_daemon(
      MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC | MHD_USE_ERROR_LOG,
      static_cast<uint16_t>(port),
      nullptr, nullptr, &Access, impl_.get(),
      MHD_OPTION_CONNECTION_LIMIT, o.max_connections,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, o.max_connections_per_ip,
      MHD_OPTION_CONNECTION_TIMEOUT, static_cast<unsigned>(o.idle_timeout.count()),
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, o.memory_per_connection,
      MHD_OPTION_NOTIFY_COMPLETED, &Completed, impl_.get(),
      MHD_OPTION_END);
  if (!impl_->daemon) return false;
  const MHD_DaemonInfo* info = MHD_get_daemon_info(impl_->daemon, MHD_DAEMON_INFO_BIND_PORT);
  port_ = info ? info->port : port;
  return true;
}

void HttpServer::Stop() {
  if (!impl_ || !impl_->daemon) return;
  // Graceful: no new connections, then the requests in progress are answered
  // (bounded: a handler stuck past this is cut off with its connection).
  impl_->stopping.store(true);
  // The listening socket is handed back: closed, new clients are refused at once.
  MHD_socket listener = MHD_quiesce_daemon(impl_->daemon);
  if (listener != MHD_INVALID_SOCKET) close(listener);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (impl_->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (impl_->in_flight.load() > 0) {
    // Stopping now would abort the process (suspended connections): leave
    // the daemon to the process's exit instead.
    impl_->daemon = nullptr;
    return;
  }
  MHD_stop_daemon(impl_->daemon);
  impl_->daemon = nullptr;
}

}  // namespace herald
