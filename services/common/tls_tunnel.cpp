#include "common/tls_tunnel.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "common/log.h"

namespace herald {

struct TlsTunnel::Context {
  SSL_CTX* ctx = nullptr;
  ~Context() {
    if (ctx) SSL_CTX_free(ctx);
  }
};

namespace {

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

bool SendAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) {
      if (w < 0 && errno == EINTR) continue;
      return false;
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// A TCP connection to host:port (first address that answers), or -1.
int ConnectTcp(const std::string& host, int port, int timeout_ms) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = found; a && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);  // bounds connect() too
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  return fd;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsTunnel>> TlsTunnel::Start(const TlsTunnelOptions& options) {
  if (options.host.empty() || options.port <= 0) return absl::InvalidArgumentError("tls tunnel: no server address");
  if (options.ca_file.empty()) return absl::InvalidArgumentError("tls tunnel: a CA file is required");
  auto context = std::make_unique<Context>();
  context->ctx = SSL_CTX_new(TLS_client_method());
  if (!context->ctx) return absl::InternalError("tls tunnel: " + OpenSslError());
  SSL_CTX_set_min_proto_version(context->ctx, TLS1_2_VERSION);
  // A TLS 1.3 server sends session tickets after the handshake; with
  // auto-retry a read that found only a ticket would block for application
  // data that the server sends only after our client's next command.
  SSL_CTX_clear_mode(context->ctx, SSL_MODE_AUTO_RETRY);
  SSL_CTX_set_verify(context->ctx, SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_load_verify_locations(context->ctx, options.ca_file.c_str(), nullptr) != 1) {
    return absl::InvalidArgumentError("tls tunnel: cannot load CA file " + options.ca_file + ": " + OpenSslError());
  }
  if (!options.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(context->ctx, options.cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(context->ctx, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(context->ctx) != 1) {
      return absl::InvalidArgumentError("tls tunnel: cannot load client certificate " + options.cert_file + ": " +
                                        OpenSslError());
    }
  }
  // OpenSSL writes to the server socket with write(): a server that went
  // away would end the process with SIGPIPE instead of failing one command.
  // (Services ignore SIGPIPE already; this covers every other host.)
  std::signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<TlsTunnel> tunnel(new TlsTunnel(options, std::move(context)));
  // mkdtemp makes the folder 0700: only this user reaches the socket.
  char dir[] = "/tmp/herald-tls-tunnel-XXXXXX";
  if (!mkdtemp(dir)) return absl::InternalError(std::string("tls tunnel: mkdtemp: ") + std::strerror(errno));
  tunnel->dir_ = dir;
  tunnel->socket_path_ = tunnel->dir_ + "/s";
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, tunnel->socket_path_.c_str(), sizeof addr.sun_path - 1);
  tunnel->listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (tunnel->listen_fd_ < 0 || bind(tunnel->listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(tunnel->listen_fd_, 64) != 0) {
    return absl::InternalError(std::string("tls tunnel: listen: ") + std::strerror(errno));
  }
  tunnel->acceptor_ = std::thread([t = tunnel.get()] { t->AcceptLoop(); });
  return tunnel;
}

TlsTunnel::TlsTunnel(TlsTunnelOptions options, std::unique_ptr<Context> context)
    : options_(std::move(options)), context_(std::move(context)) {
  if (options_.server_name.empty()) options_.server_name = options_.host;
}

TlsTunnel::~TlsTunnel() {
  stopping_ = true;
  if (listen_fd_ >= 0) shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
  if (acceptor_.joinable()) acceptor_.join();
  {
    std::unique_lock lock(mu_);
    for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);  // wakes each carrier's poll()
    idle_.wait(lock, [this] { return carriers_ == 0; });
  }
  if (listen_fd_ >= 0) close(listen_fd_);
  if (!socket_path_.empty()) unlink(socket_path_.c_str());
  if (!dir_.empty()) rmdir(dir_.c_str());
}

void TlsTunnel::AcceptLoop() {
  while (!stopping_) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // shut down
    }
    std::lock_guard lock(mu_);
    if (stopping_) {
      close(fd);
      return;
    }
    open_fds_.push_back(fd);
    ++carriers_;
    std::thread([this, fd] { Carry(fd); }).detach();
  }
}

void TlsTunnel::Carry(int client_fd) {
  int server_fd = ConnectTcp(options_.host, options_.port, options_.connect_timeout_ms);
  SSL* ssl = nullptr;
  if (server_fd < 0) {
    log::Warn("tls tunnel: cannot connect", {{"server", options_.host + ":" + std::to_string(options_.port)}});
  } else {
    ssl = SSL_new(context_->ctx);
    SSL_set_fd(ssl, server_fd);
    // The certificate must name the server: an IP address, or a DNS name
    // (also sent as SNI, which managed offerings route by).
    in6_addr ip{};
    const char* name = options_.server_name.c_str();
    bool is_ip = inet_pton(AF_INET, name, &ip) == 1 || inet_pton(AF_INET6, name, &ip) == 1;
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (is_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(param, name);
    } else {
      SSL_set_tlsext_host_name(ssl, name);
      X509_VERIFY_PARAM_set1_host(param, name, 0);
    }
    if (SSL_connect(ssl) != 1) {
      log::Warn("tls tunnel: handshake failed", {{"server", options_.server_name}, {"error", OpenSslError()}});
      SSL_free(ssl);
      ssl = nullptr;
    }
  }
  if (ssl) {
    char buf[16384];
    for (;;) {
      pollfd fds[2] = {{client_fd, POLLIN, 0}, {server_fd, POLLIN, 0}};
      // Bytes OpenSSL already holds are read before waiting on the socket.
      if (SSL_pending(ssl) == 0 && poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (SSL_pending(ssl) > 0 || (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
        int n = SSL_read(ssl, buf, sizeof buf);
        if (n > 0) {
          if (!SendAll(client_fd, buf, static_cast<size_t>(n))) break;
        } else if (SSL_get_error(ssl, n) != SSL_ERROR_WANT_READ) {
          break;  // the server closed, or TLS failed
        }
      }
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
        ssize_t n = recv(client_fd, buf, sizeof buf, 0);
        if (n <= 0) break;  // the client closed (or the tunnel is stopping)
        if (SSL_write(ssl, buf, static_cast<int>(n)) != n) break;
      }
    }
    SSL_shutdown(ssl);
    SSL_free(ssl);
  }
  if (server_fd >= 0) close(server_fd);
  std::lock_guard lock(mu_);
  close(client_fd);
  std::erase(open_fds_, client_fd);
  if (--carriers_ == 0) idle_.notify_all();
}

}  // namespace herald
