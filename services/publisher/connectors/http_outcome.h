#pragma once
// What every connector does with an HTTP exchange: map transport errors and
// status codes onto PublishAttempt kinds and read the rate-limit headers the
// networks send (X: x-rate-limit-*, epoch seconds; Mastodon: x-ratelimit-*,
// RFC 3339 reset; Bluesky: ratelimit-*, epoch seconds; Retry-After seconds).
#include <optional>

#include <nlohmann/json.hpp>

#include "common/http_client.h"
#include "publisher/connectors/connector.h"

namespace herald::publisher {

// Kind, error and limit headers; the caller reads ids from the body when the
// kind is kPublished. A 2xx is kPublished here.
PublishAttempt ClassifyHttp(const absl::StatusOr<HttpResponse>& response);

// The attempt as a refusal of our credentials for `problem`, its error led by
// what that means for the channel ("the access token expired: …").
PublishAttempt AuthRefused(PublishAttempt attempt, PublishAttempt::AuthProblem problem);

// The body as JSON, or a discarded value.
nlohmann::json JsonBody(const HttpResponse& response);

// A 2xx whose body lacks what the network always returns means the post may
// exist without our knowing its id: reconcile, do not assume.
PublishAttempt MissingId(PublishAttempt attempt, const std::string& what);

// GET base_url + path with a bearer token; NOT_FOUND-free status mapping for
// reads: PERMISSION_DENIED on 401/403, UNAVAILABLE otherwise.
absl::StatusOr<nlohmann::json> GetJson(const std::string& url, const std::string& bearer,
                                       std::chrono::milliseconds timeout,
                                       std::vector<std::pair<std::string, std::string>> headers = {});

// A GET of `url` with the bearer token: how most reads start.
HttpRequest BearerGet(const std::string& url, const std::string& token, std::chrono::milliseconds timeout);

// One request of a read (listening): the body as JSON, or nullopt with the
// failure in `read.status` (PublishAttempt kinds mapped onto status codes,
// inbound_sweep.h). Counts the call and keeps the limit headers in `read`.
std::optional<nlohmann::json> ReadJson(const HttpRequest& request, NetworkRead& read);
// ReadJson's second half, for a network that classifies its own answers
// (`call`): a 404 is NOT_FOUND, other refusals INVALID_ARGUMENT.
std::optional<nlohmann::json> ReadAnswer(const absl::StatusOr<HttpResponse>& response, const PublishAttempt& call,
                                         NetworkRead& read);

// A count a network answered: a non-negative integer (at most 2^50) under
// `name` in `object`; unset when absent or anything else (never a guess).
std::optional<int64_t> CountField(const nlohmann::json& object, const char* name);

// "2026-11-28T09:00:00Z", "...000Z", "...+0000" → unix ms; 0 when unreadable.
int64_t ParseTimeMs(const std::string& text);

// Normalised text for matching a read-back post: trimmed, whitespace runs as
// one space, HTML tags dropped (Mastodon renders statuses as HTML).
std::string NormalizedText(const std::string& text);

}  // namespace herald::publisher
