// OAuth 2.0 refresh_token grants, form-encoded as the real token endpoints
// take them. X rotates refresh tokens; LinkedIn keeps the old one valid and
// leaves it out of the answer (RFC 6749 §6 allows both).
#include "simulator/route_kit.h"

namespace herald::sim {

void AddOAuthRoutes(RouteKit& kit) {
  auto refresh = [&kit](bool rotate) {
    return [&kit, rotate](const httplib::Request& req, httplib::Response& res) {
      if (req.get_param_value("grant_type") != "refresh_token") {
        return Reply(res, 400, {{"error", "unsupported_grant_type"}});
      }
      bool client = req.has_header("Authorization") || req.has_param("client_id");
      if (!client) return Reply(res, 401, {{"error", "invalid_client"}});
      auto grant = kit.core.Refresh(req.get_param_value("refresh_token"), rotate);
      if (!grant) return Reply(res, 400, {{"error", "invalid_grant"}});
      nlohmann::json body = {{"access_token", grant->access_token}, {"token_type", "bearer"},
                             {"expires_in", grant->expires_in_s}};
      if (!grant->refresh_token.empty()) body["refresh_token"] = grant->refresh_token;
      Reply(res, 200, body);
    };
  };
  kit.server.Post("/2/oauth2/token", refresh(true));
  kit.server.Post("/oauth/v2/accessToken", refresh(false));
}

}  // namespace herald::sim
