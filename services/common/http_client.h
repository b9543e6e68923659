#pragma once
// Outbound HTTP over libcurl (kept out of this header). One easy handle per
// thread keeps connections alive between reads (GET, HEAD, OPTIONS) to the same
// host; every other request goes on a fresh connection, because libcurl
// silently resends a request whose reused connection died before any answer
// byte, and a post sent twice is published twice. Every attempt the caller
// sees is exactly one request on the wire.
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace herald {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};
  std::chrono::milliseconds connect_timeout{3000};
  // A longer answer is cut off and reported as DATA_LOSS ("answer larger than").
  size_t max_response_bytes = 4 << 20;
};

struct HttpResponse {
  long status = 0;
  // Header names lowercased.
  std::map<std::string, std::string> headers;
  std::string body;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

// When the process set a default egress policy (EgressPolicy::SetDefault),
// the URL is checked against it first (PERMISSION_DENIED or INVALID_ARGUMENT:
// nothing was sent) and the connection is pinned to the checked address.
// Redirects are never followed; only http and https are spoken.
//
// Errors without a response:
//   UNAVAILABLE        — nothing was sent (DNS, connection refused): safe to retry;
//   DEADLINE_EXCEEDED  — the request may have reached the server: outcome unknown;
//   DATA_LOSS          — connection broke mid-exchange: outcome unknown.
absl::StatusOr<HttpResponse> SendHttp(const HttpRequest& request);

// For fuzzing and tests: answers every SendHttp in the process instead of the
// network (egress checks still apply first). Null puts the network back.
using HttpTransport = std::function<absl::StatusOr<HttpResponse>(const HttpRequest&)>;
void SetHttpTransport(HttpTransport transport);

// Percent-encoding of everything but RFC 3986 unreserved characters (query
// values, application/x-www-form-urlencoded fields).
std::string UrlEncode(const std::string& s);

}  // namespace herald
