#include "publisher/connectors/http_outcome.h"

#include <algorithm>

#include "common/time_util.h"

namespace herald::publisher {
int64_t ParseTimeMs(const std::string& s) { return ParseRfc3339Ms(s); }

PublishAttempt ClassifyHttp(const absl::StatusOr<HttpResponse>& res) {
  PublishAttempt out;
  if (!res.ok()) {
    // UNAVAILABLE: nothing reached the network. Refused by the egress policy
    // (PERMISSION_DENIED, INVALID_ARGUMENT): nothing was sent, and retrying
    // will not help. Anything else: it may have reached the network.
    if (absl::IsPermissionDenied(res.status()) || absl::IsInvalidArgument(res.status())) {
      out.kind = PublishAttempt::Kind::kContentRejected;
    } else {
      out.kind = absl::IsUnavailable(res.status()) ? PublishAttempt::Kind::kTransient
                                                   : PublishAttempt::Kind::kUnknownOutcome;
    }
    out.error = std::string(res.status().message());
    return out;
  }
  for (const char* h : {"x-rate-limit-remaining", "x-ratelimit-remaining", "ratelimit-remaining"}) {
    if (auto v = res->Header(h); !v.empty()) out.limit_remaining = std::atoll(v.c_str());
  }
  if (auto v = res->Header("x-rate-limit-reset"); !v.empty()) out.limit_reset_ms = std::atoll(v.c_str()) * 1000;
  if (auto v = res->Header("ratelimit-reset"); !v.empty()) out.limit_reset_ms = std::atoll(v.c_str()) * 1000;
  if (auto v = res->Header("x-ratelimit-reset"); !v.empty()) out.limit_reset_ms = ParseTimeMs(v);
  // X's per-user 24-hour posting window sits beside the endpoint's window:
  // when it is the one used up, it decides when posting can resume.
  if (auto v = res->Header("x-user-limit-24hour-remaining"); !v.empty() && std::atoll(v.c_str()) == 0) {
    out.limit_remaining = 0;
    out.limit_reset_ms =
        std::max<int64_t>(out.limit_reset_ms, std::atoll(res->Header("x-user-limit-24hour-reset").c_str()) * 1000);
  }
  long status = res->status;
  auto body = JsonBody(*res);
  std::string message;
  if (body.is_object()) {
    for (const char* k : {"error", "message", "detail", "title"}) {
      if (body.contains(k) && body[k].is_string()) {
        message = body[k].get<std::string>();
        break;
      }
      if (body.contains(k) && body[k].is_object() && body[k].contains("message") && body[k]["message"].is_string()) {
        message = body[k]["message"].get<std::string>();  // Graph API: {"error": {"message": ...}}
        break;
      }
    }
  }
  if (message.empty()) message = "HTTP " + std::to_string(status);
  if (status >= 200 && status < 300) {
    out.kind = PublishAttempt::Kind::kPublished;
  } else if (status == 429) {
    out.kind = PublishAttempt::Kind::kRateLimited;
    out.retry_after_ms = std::atoll(res->Header("retry-after").c_str()) * 1000;
    out.error = "rate limited by the network: " + message;
  } else if (status == 401 || status == 403) {
    out.kind = PublishAttempt::Kind::kAuthRejected;
    out.auth_problem = PublishAttempt::AuthProblem::kInvalid;
    out.error = message;
  } else if (status >= 500 || status == 408) {
    // The request reached the network, and a 5xx does not say the post was
    // not made (a front end can fail after the back end posted): read back
    // before sending again.
    out.kind = PublishAttempt::Kind::kUnknownOutcome;
    out.error = message + " (HTTP " + std::to_string(status) + "; the post may have been made)";
  } else if (status == 426) {
    // The API version we call was retired: configuration to change, not
    // content to fix; retried while an operator updates the networks file.
    out.kind = PublishAttempt::Kind::kTransient;
    out.error = "the network no longer serves this API version: " + message;
  } else {
    out.kind = PublishAttempt::Kind::kContentRejected;
    out.error = message;
  }
  return out;
}

PublishAttempt AuthRefused(PublishAttempt attempt, PublishAttempt::AuthProblem problem) {
  using P = PublishAttempt::AuthProblem;
  attempt.kind = PublishAttempt::Kind::kAuthRejected;
  attempt.auth_problem = problem;
  const char* meaning = problem == P::kExpired     ? "the access token expired"
                        : problem == P::kRevoked   ? "the account's owner revoked Herald's access; reconnect the channel"
                        : problem == P::kSuspended ? "the network suspended or locked the account"
                                                   : "the network refused the credentials";
  attempt.error = std::string(meaning) + ": " + attempt.error;
  return attempt;
}

nlohmann::json JsonBody(const HttpResponse& response) {
  return nlohmann::json::parse(response.body, nullptr, false);
}

PublishAttempt MissingId(PublishAttempt attempt, const std::string& what) {
  attempt.kind = PublishAttempt::Kind::kUnknownOutcome;
  attempt.error = "2xx without " + what;
  return attempt;
}

absl::StatusOr<nlohmann::json> GetJson(const std::string& url, const std::string& bearer,
                                       std::chrono::milliseconds timeout,
                                       std::vector<std::pair<std::string, std::string>> headers) {
  HttpRequest req;
  req.url = url;
  req.timeout = timeout;
  req.headers = std::move(headers);
  if (!bearer.empty()) req.headers.emplace_back("Authorization", "Bearer " + bearer);
  auto res = SendHttp(req);
  if (!res.ok()) return absl::UnavailableError(std::string(res.status().message()));
  if (res->status == 401 || res->status == 403) return absl::PermissionDeniedError("token rejected by the network");
  if (res->status < 200 || res->status >= 300) return absl::UnavailableError("HTTP " + std::to_string(res->status));
  auto json = JsonBody(*res);
  if (json.is_discarded()) return absl::UnavailableError("malformed JSON from the network");
  return json;
}

HttpRequest BearerGet(const std::string& url, const std::string& token, std::chrono::milliseconds timeout) {
  HttpRequest req;
  req.url = url;
  req.timeout = timeout;
  req.headers = {{"Authorization", "Bearer " + token}};
  return req;
}

std::optional<nlohmann::json> ReadJson(const HttpRequest& request, NetworkRead& read) {
  ++read.calls;
  auto res = SendHttp(request);
  return ReadAnswer(res, ClassifyHttp(res), read);
}

std::optional<nlohmann::json> ReadAnswer(const absl::StatusOr<HttpResponse>& res, const PublishAttempt& call,
                                         NetworkRead& read) {
  read.limit_remaining = call.limit_remaining;
  read.limit_reset_ms = call.limit_reset_ms;
  using K = PublishAttempt::Kind;
  switch (call.kind) {
    case K::kPublished: {
      auto json = JsonBody(*res);
      if (!json.is_discarded()) return json;
      read.status = absl::UnavailableError("malformed JSON from the network");
      return std::nullopt;
    }
    case K::kRateLimited:
      read.retry_after_ms = call.retry_after_ms;
      read.status = absl::ResourceExhaustedError(call.error);
      break;
    case K::kAuthRejected:
      read.status = absl::PermissionDeniedError(call.error);
      break;
    case K::kContentRejected:
      // A read of something that is not there (a deleted post) is NOT_FOUND.
      read.status = res.ok() && res->status == 404 ? absl::NotFoundError(call.error)
                                                   : absl::InvalidArgumentError(call.error);
      break;
    default:  // a read changes nothing: any other failure is worth another try
      read.status = absl::UnavailableError(call.error);
  }
  return std::nullopt;
}

std::optional<int64_t> CountField(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(name);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  auto v = it->get<int64_t>();
  if (v < 0 || v > (int64_t{1} << 50)) return std::nullopt;
  return v;
}

std::string NormalizedText(const std::string& text) {
  std::string out;
  bool in_tag = false, space = false;
  for (char c : text) {
    if (c == '<') {
      in_tag = true;
      continue;
    }
    if (in_tag) {
      if (c == '>') in_tag = false;
      continue;
    }
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace herald::publisher
