#pragma once
// Where outbound HTTP may go. Webhook URLs and channel base URLs come from
// callers, so by default they may reach only public addresses: every address
// the name resolves to is checked, and the connection is pinned to the checked
// one (no second lookup a rebinding DNS server could answer differently).
// Loopback, private, link-local (cloud metadata), unique-local, CGNAT,
// multicast, documentation and unspecified ranges are refused however the
// address is written (decimal, octal, hex, IPv4-mapped or NAT64 IPv6). An
// allow-list of CIDRs opens ranges on purpose (development: the simulator).
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace herald {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4
  std::string ToString() const;
  static std::optional<IpAddress> Parse(std::string_view text);  // a literal, strictly
};

struct Cidr {
  IpAddress base;
  int prefix = 0;
  bool Contains(const IpAddress& ip) const;
  static std::optional<Cidr> Parse(std::string_view text);  // "10.0.0.0/8", "::1/128", "127.0.0.1"
};

// A URL's parts, as checked.
struct EgressTarget {
  std::string scheme, host;
  int port = 0;
  IpAddress address;  // the one to connect to
};

using Resolver = std::function<absl::StatusOr<std::vector<IpAddress>>(const std::string& host)>;
// getaddrinfo: what the system resolves.
absl::StatusOr<std::vector<IpAddress>> SystemResolve(const std::string& host);

class EgressPolicy {
 public:
  explicit EgressPolicy(std::vector<Cidr> allow = {}, Resolver resolver = SystemResolve)
      : allow_(std::move(allow)), resolver_(std::move(resolver)) {}
  // From "--egress-allow" (comma-separated CIDRs); errors name the entry.
  static absl::StatusOr<EgressPolicy> FromFlag(std::string_view allow, Resolver resolver = SystemResolve);

  // PERMISSION_DENIED naming the kind of range; OK for public (or allowed) ones.
  absl::Status CheckAddress(const IpAddress& ip) const;
  // Parses (http/https only, no credentials), resolves and checks every
  // address. INVALID_ARGUMENT for a malformed URL, PERMISSION_DENIED for a
  // refused address, UNAVAILABLE when the name does not resolve.
  absl::StatusOr<EgressTarget> Check(std::string_view url) const;

  // The policy SendHttp applies to requests that ask for one (unset: none).
  static void SetDefault(std::optional<EgressPolicy> policy);
  static const EgressPolicy* Default();

 private:
  std::vector<Cidr> allow_;
  Resolver resolver_;
};

// For validating a URL a caller gives (webhook, channel base URL): the
// default policy's verdict, or OK when the process set none.
absl::Status CheckOutboundUrl(std::string_view url);

}  // namespace herald
