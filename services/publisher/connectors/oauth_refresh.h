#pragma once
// The OAuth 2.0 refresh_token grant (RFC 6749 §6), as X and LinkedIn take it:
// POST application/x-www-form-urlencoded to the network's token URL with the
// app's client credentials (Basic header or form fields, per the networks file).
#include <chrono>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace herald::publisher {

// The app registered with a network (client id and secret come from the
// environment, never from the networks file).
struct OAuthClient {
  std::string client_id;
  std::string client_secret;
};

struct TokenGrant {
  std::string access_token;
  // Empty when the network kept the old one (RFC 6749 §6 allows either).
  std::string refresh_token;
  // 0 when the network did not say.
  int64_t expires_in_s = 0;
};

// PERMISSION_DENIED when the network refuses the refresh token or the client
// (invalid_grant / invalid_client: a person must re-authorise); UNAVAILABLE
// when it could not answer (retry later).
absl::StatusOr<TokenGrant> RefreshAccessToken(const std::string& token_url, const OAuthClient& client,
                                              bool client_auth_basic, const std::string& refresh_token,
                                              std::chrono::milliseconds timeout);

}  // namespace herald::publisher
