#include "publisher/connectors/oauth_refresh.h"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "common/http_client.h"

namespace herald::publisher {

namespace {

std::string Base64(const std::string& raw) {
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.find('\0'));
  return out;
}

}  // namespace

absl::StatusOr<TokenGrant> RefreshAccessToken(const std::string& token_url, const OAuthClient& client,
                                              bool client_auth_basic, const std::string& refresh_token,
                                              std::chrono::milliseconds timeout) {
  HttpRequest req;
  req.method = "POST";
  req.url = token_url;
  req.timeout = timeout;
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  req.body = "grant_type=refresh_token&refresh_token=" + UrlEncode(refresh_token);
  if (client_auth_basic && !client.client_secret.empty()) {
    req.headers.push_back({"Authorization", "Basic " + Base64(UrlEncode(client.client_id) + ":" +
                                                              UrlEncode(client.client_secret))});
  } else {
    // Public clients (no secret) and networks that want the pair in the form.
    req.body += "&client_id=" + UrlEncode(client.client_id);
    if (!client.client_secret.empty()) req.body += "&client_secret=" + UrlEncode(client.client_secret);
  }
  auto resp = SendHttp(req);
  if (!resp.ok()) return absl::UnavailableError("token refresh: " + std::string(resp.status().message()));
  nlohmann::json body = nlohmann::json::parse(resp->body, nullptr, false);
  if (resp->status == 400 || resp->status == 401) {
    std::string error = body.is_object() ? body.value("error", "") : "";
    if (error == "invalid_grant" || error == "invalid_client" || error == "unauthorized_client" ||
        resp->status == 401) {
      return absl::PermissionDeniedError("token refresh refused: " + (error.empty() ? resp->body : error));
    }
  }
  if (resp->status < 200 || resp->status >= 300 || !body.is_object() || !body.contains("access_token") ||
      !body["access_token"].is_string()) {
    return absl::UnavailableError("token refresh: HTTP " + std::to_string(resp->status));
  }
  TokenGrant grant;
  grant.access_token = body["access_token"].get<std::string>();
  if (body.contains("refresh_token") && body["refresh_token"].is_string()) {
    grant.refresh_token = body["refresh_token"].get<std::string>();
  }
  if (body.contains("expires_in") && body["expires_in"].is_number_integer()) {
    grant.expires_in_s = body["expires_in"].get<int64_t>();
  }
  return grant;
}

}  // namespace herald::publisher
