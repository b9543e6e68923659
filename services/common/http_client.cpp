#include "common/http_client.h"

#include "common/egress.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

namespace herald {
namespace {

struct CurlHandle {
  CURL* curl = nullptr;
  CurlHandle() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    curl = curl_easy_init();
  }
  ~CurlHandle() {
    if (curl) curl_easy_cleanup(curl);
  }
};

struct BodySink {
  std::string* body;
  size_t limit;
  bool overflowed = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  if (sink->body->size() + size * n > sink->limit) {
    sink->overflowed = true;
    return 0;  // curl stops: CURLE_WRITE_ERROR
  }
  sink->body->append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string value = line.substr(colon + 1);
    auto b = value.find_first_not_of(" \t"), e = value.find_last_not_of(" \t\r\n");
    (*static_cast<std::map<std::string, std::string>*>(user))[name] =
        b == std::string::npos ? "" : value.substr(b, e - b + 1);
  }
  return size * n;
}

std::string Origin(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return "?";
  auto end = url.find_first_of("/?#", scheme + 3);
  return url.substr(0, std::min(end, scheme + 3 + 256));
}

bool IsSafeMethod(const std::string& method) { return method == "GET" || method == "HEAD" || method == "OPTIONS"; }

HttpTransport& Transport() {
  static HttpTransport transport;
  return transport;
}

}  // namespace

void SetHttpTransport(HttpTransport transport) { Transport() = std::move(transport); }

absl::StatusOr<HttpResponse> SendHttp(const HttpRequest& request) {
  thread_local CurlHandle handle;
  CURL* curl = handle.curl;
  if (!curl) return absl::InternalError("curl_easy_init failed");
  curl_easy_reset(curl);
  curl_slist* pinned = nullptr;
  if (const EgressPolicy* policy = EgressPolicy::Default()) {
    auto target = policy->Check(request.url);
    if (!target.ok()) return target.status();
    // Whatever name curl would look up, it connects to the checked address.
    std::string addr = target->address.v6 ? "[" + target->address.ToString() + "]" : target->address.ToString();
    pinned = curl_slist_append(nullptr, ("::" + addr + ":" + std::to_string(target->port)).c_str());
  }
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> pinned_guard(pinned, &curl_slist_free_all);
  if (Transport()) return Transport()(request);
  if (pinned) curl_easy_setopt(curl, CURLOPT_CONNECT_TO, pinned);
  // No proxy from the environment: a proxy would resolve names itself.
  curl_easy_setopt(curl, CURLOPT_PROXY, "");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  HttpResponse response;
  BodySink sink{&response.body, request.max_response_bytes};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "GET") curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  // No hidden resend. When a reused keep-alive connection dies before a byte
  // of the answer, libcurl sends the request again on a fresh connection and
  // reports only the second answer; for a post the network may already have
  // accepted, that publishes it twice. Only reads may take a kept connection;
  // anything else goes on a connection of its own, so a dead one is reported
  // (DATA_LOSS: outcome unknown) and the caller decides — read back, or retry
  // with its idempotency key.
  // (Closed after it, too: kept, it would only pile up idle beside the reads'.)
  if (!IsSafeMethod(request.method)) {
    curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
  }
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  }
  curl_slist* headers = nullptr;
  for (const auto& [k, v] : request.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(headers, &curl_slist_free_all);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    // Scheme and host only: paths and queries of webhook URLs often hold secrets.
    std::string msg = std::string(curl_easy_strerror(rc)) + " (" + request.method + " " + Origin(request.url) + ")";
    if (sink.overflowed) {
      return absl::DataLossError("answer larger than " + std::to_string(request.max_response_bytes) + " bytes (" +
                                 request.method + " " + Origin(request.url) + ")");
    }
    switch (rc) {
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_CONNECT:
      case CURLE_URL_MALFORMAT:
      case CURLE_UNSUPPORTED_PROTOCOL:
        return absl::UnavailableError(msg);
      case CURLE_OPERATION_TIMEDOUT:
        return absl::DeadlineExceededError(msg);
      default:
        return absl::DataLossError(msg);
    }
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

std::string UrlEncode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

}  // namespace herald
