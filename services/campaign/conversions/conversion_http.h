#pragma once
// The conversion and spend ingest as HTTP JSON, for web shops that speak no
// gRPC:
//   POST /v1/conversions   body: RecordConversionsRequest as JSON
//   POST /v1/spend         body: RecordSpendRequest as JSON
// Authorization: Bearer <API key or JWT> of an editor (or above) of the
// workspace; workspace_id may be left out (the key's own). "stage" takes
// "lead"/"sale" as well as the enum names, "model" "last_click"/"linear".
// Answers: 200 with the response as JSON (proto field names); 400 naming the
// field (nothing stored); 401; 403; 404; 503 (retry).
#include <memory>

#include "campaign/conversions/conversion_ingest.h"
#include "common/auth/authenticator.h"
#include "common/http_server.h"

namespace herald::campaign {

class ConversionHttp {
 public:
  // `authenticator` null: authentication is off (development only).
  ConversionHttp(ConversionIngest& ingest, std::shared_ptr<auth::Authenticator> authenticator)
      : ingest_(ingest), authenticator_(std::move(authenticator)) {}

  HttpServerResponse Conversions(const HttpServerRequest& request);
  HttpServerResponse Spend(const HttpServerRequest& request);

 private:
  ConversionIngest& ingest_;
  std::shared_ptr<auth::Authenticator> authenticator_;
};

}  // namespace herald::campaign
