#include "common/egress.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>

namespace herald {
namespace {

struct Range {
  const char* cidr;
  const char* what;
};

// Not the public internet (RFC 6890 and friends).
const Range kBlocked[] = {
    {"0.0.0.0/8", "unspecified"},        {"10.0.0.0/8", "private"},         {"100.64.0.0/10", "shared (CGNAT)"},
    {"127.0.0.0/8", "loopback"},         {"169.254.0.0/16", "link-local (metadata)"},
    {"172.16.0.0/12", "private"},        {"192.0.0.0/24", "IETF protocol"}, {"192.0.2.0/24", "documentation"},
    {"192.88.99.0/24", "6to4 relay"},    {"192.168.0.0/16", "private"},     {"198.18.0.0/15", "benchmarking"},
    {"198.51.100.0/24", "documentation"}, {"203.0.113.0/24", "documentation"}, {"224.0.0.0/4", "multicast"},
    {"240.0.0.0/4", "reserved"},         {"::/128", "unspecified"},         {"::1/128", "loopback"},
    {"100::/64", "discard"},             {"2001:db8::/32", "documentation"}, {"fc00::/7", "unique-local"},
    {"fe80::/10", "link-local"},         {"ff00::/8", "multicast"},         {"2001::/23", "IETF protocol"},
    {"2002::/16", "6to4"},               {"64:ff9b:1::/48", "local NAT64"},
};

std::optional<EgressPolicy> g_default;

// An IPv4 address carried inside IPv6 (mapped, compatible or NAT64) is judged as IPv4.
std::optional<IpAddress> EmbeddedV4(const IpAddress& ip) {
  if (!ip.v6) return std::nullopt;
  const auto& b = ip.bytes;
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static const uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  static const uint8_t kCompat[12] = {0};
  bool mapped = std::memcmp(b.data(), kMapped, 12) == 0, nat64 = std::memcmp(b.data(), kNat64, 12) == 0;
  bool compat = std::memcmp(b.data(), kCompat, 12) == 0 && (b[12] | b[13] | b[14] | b[15]) != 0 &&
                !(b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 1);
  if (!mapped && !nat64 && !compat) return std::nullopt;
  IpAddress v4;
  std::memcpy(v4.bytes.data(), b.data() + 12, 4);
  return v4;
}

}  // namespace

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  std::string s(text);
  IpAddress ip;
  if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) return ip;
  if (!s.empty() && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  ip.v6 = true;
  if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) return ip;
  return std::nullopt;
}

bool Cidr::Contains(const IpAddress& ip) const {
  if (ip.v6 != base.v6) return false;
  int full = prefix / 8, rest = prefix % 8;
  if (std::memcmp(ip.bytes.data(), base.bytes.data(), static_cast<size_t>(full)) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (ip.bytes[full] & mask) == (base.bytes[full] & mask);
}

std::optional<Cidr> Cidr::Parse(std::string_view text) {
  auto slash = text.find('/');
  auto ip = IpAddress::Parse(text.substr(0, slash));
  if (!ip) return std::nullopt;
  int max = ip->v6 ? 128 : 32, prefix = max;
  if (slash != std::string_view::npos) {
    std::string p(text.substr(slash + 1));
    if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    prefix = std::stoi(p);
    if (prefix > max) return std::nullopt;
  }
  return Cidr{*ip, prefix};
}

absl::StatusOr<std::vector<IpAddress>> SystemResolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res); rc != 0) {
    return absl::UnavailableError("cannot resolve host: " + std::string(gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, &freeaddrinfo);
  std::vector<IpAddress> out;
  for (addrinfo* a = res; a; a = a->ai_next) {
    IpAddress ip;
    if (a->ai_family == AF_INET) {
      std::memcpy(ip.bytes.data(), &reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr, 4);
    } else if (a->ai_family == AF_INET6) {
      ip.v6 = true;
      std::memcpy(ip.bytes.data(), &reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr, 16);
    } else {
      continue;
    }
    out.push_back(ip);
  }
  if (out.empty()) return absl::UnavailableError("host has no address");
  return out;
}

absl::StatusOr<EgressPolicy> EgressPolicy::FromFlag(std::string_view allow, Resolver resolver) {
  std::vector<Cidr> cidrs;
  size_t start = 0;
  while (start < allow.size()) {
    size_t end = allow.find(',', start);
    if (end == std::string_view::npos) end = allow.size();
    std::string_view item = allow.substr(start, end - start);
    if (!item.empty()) {
      auto c = Cidr::Parse(item);
      if (!c) return absl::InvalidArgumentError("egress allow-list: \"" + std::string(item.substr(0, 64)) + "\" is not a CIDR");
      cidrs.push_back(*c);
    }
    start = end + 1;
  }
  return EgressPolicy(std::move(cidrs), std::move(resolver));
}

absl::Status EgressPolicy::CheckAddress(const IpAddress& ip) const {
  for (const auto& c : allow_) {
    if (c.Contains(ip)) return absl::OkStatus();
  }
  if (auto v4 = EmbeddedV4(ip)) {
    auto st = CheckAddress(*v4);
    if (!st.ok()) return st;
  }
  static const auto* blocked = [] {
    auto* v = new std::vector<std::pair<Cidr, const char*>>();
    for (const auto& r : kBlocked) v->emplace_back(*Cidr::Parse(r.cidr), r.what);
    return v;
  }();
  for (const auto& [cidr, what] : *blocked) {
    // The kind only: the address would map internal names for the caller.
    if (cidr.Contains(ip)) return absl::PermissionDeniedError(std::string("refused: the host resolves to a ") + what + " address");
  }
  return absl::OkStatus();
}

absl::StatusOr<EgressTarget> EgressPolicy::Check(std::string_view url) const {
  if (url.size() > 2048) return absl::InvalidArgumentError("URL longer than 2048 characters");
  EgressTarget t;
  auto colon = url.find("://");
  if (colon == std::string_view::npos) return absl::InvalidArgumentError("not an absolute URL");
  t.scheme = std::string(url.substr(0, colon));
  for (auto& c : t.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t.scheme != "http" && t.scheme != "https") return absl::InvalidArgumentError("scheme must be http or https");
  std::string_view rest = url.substr(colon + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) return absl::InvalidArgumentError("credentials in URLs are not allowed");
  if (authority.find_first_of(" \t\r\n\\%") != std::string_view::npos) {
    return absl::InvalidArgumentError("host has characters a host cannot have");
  }
  std::string_view host = authority, port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return absl::InvalidArgumentError("unclosed IPv6 literal");
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return absl::InvalidArgumentError("bad port");
      port = authority.substr(close + 2);
    }
  } else if (auto c = authority.rfind(':'); c != std::string_view::npos) {
    host = authority.substr(0, c);
    port = authority.substr(c + 1);
  }
  if (host.empty()) return absl::InvalidArgumentError("URL has no host");
  // ASCII names only (an IDN is given as xn--…): libcurl would convert a
  // non-ASCII name itself, and then look up another name than was checked.
  bool literal6 = !authority.empty() && authority.front() == '[';
  for (char ch : host) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
              (literal6 && ch == ':');
    if (!ok) return absl::InvalidArgumentError("host must be an ASCII name or an IP literal");
  }
  t.host = std::string(host);
  t.port = t.scheme == "https" ? 443 : 80;
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
      return absl::InvalidArgumentError("bad port");
    }
    t.port = std::stoi(std::string(port));
    if (t.port < 1 || t.port > 65535) return absl::InvalidArgumentError("bad port");
  }
  // A literal is judged as written, decoded the way the resolver would
  // ("2130706433", "0x7f.1" and "017700000001" are all 127.0.0.1).
  auto addresses = resolver_(t.host);
  if (!addresses.ok()) return addresses.status();
  for (const auto& ip : *addresses) {
    if (auto st = CheckAddress(ip); !st.ok()) return st;
  }
  t.address = addresses->front();
  return t;
}

absl::Status CheckOutboundUrl(std::string_view url) {
  const EgressPolicy* policy = EgressPolicy::Default();
  return policy ? policy->Check(url).status() : absl::OkStatus();
}

void EgressPolicy::SetDefault(std::optional<EgressPolicy> policy) { g_default = std::move(policy); }
const EgressPolicy* EgressPolicy::Default() { return g_default ? &*g_default : nullptr; }

}  // namespace herald
