#include "campaign/conversions/conversion_http.h"

#include <google/protobuf/util/json_util.h>

#include <nlohmann/json.hpp>

#include "common/auth/principal.h"
#include "common/ids.h"

namespace herald::campaign {
namespace {

using nlohmann::json;

HttpServerResponse Error(int status, const std::string& message) {
  return {status, json{{"error", {{"code", status}, {"message", message}}}}.dump(), "application/json", {}};
}

int HttpStatus(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kFailedPrecondition:
      return 409;
    case absl::StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

// Who calls (nullopt: authentication is off); checked before the body is read.
absl::StatusOr<std::optional<auth::Principal>> Caller(const HttpServerRequest& request,
                                                      auth::Authenticator* authenticator) {
  if (!authenticator) return std::optional<auth::Principal>();
  absl::StatusOr<auth::Principal> who = absl::UnauthenticatedError("invalid credentials");
  try {
    who = authenticator->Authenticate(request.Header("authorization"));
  } catch (const std::exception&) {
    // A token parser that throws refuses the token; it never ends the process.
  }
  if (!who.ok()) return who.status();
  if (!auth::Grants(who->role, herald::auth::v1::ROLE_EDITOR)) {
    return absl::PermissionDeniedError("recording conversions and spend needs the editor role");
  }
  return std::optional<auth::Principal>(*who);
}

// The workspace: the key's own unless it is a platform key (which must name
// one). Fills body["workspace_id"].
absl::Status ScopeWorkspace(const std::optional<auth::Principal>& who, json& body) {
  std::string named = body.contains("workspace_id") && body["workspace_id"].is_string()
                          ? body["workspace_id"].get<std::string>()
                          : "";
  if (!who || who->platform()) {
    if (named.empty()) return absl::InvalidArgumentError("workspace_id: required");
  } else if (named.empty()) {
    body["workspace_id"] = who->workspace;
  } else if (named != who->workspace) {
    return absl::PermissionDeniedError("the key is not one of workspace " + named);
  }
  return absl::OkStatus();
}

// The JSON body as a request message; the shorthand enum values are named
// in full first.
template <class Request>
absl::Status Parse(const HttpServerRequest& http, auth::Authenticator* authenticator, Request& request) {
  auto who = Caller(http, authenticator);
  if (!who.ok()) return who.status();
  if (http.Header("content-type").rfind("application/json", 0) != 0) {
    return absl::InvalidArgumentError("content-type: want application/json");
  }
  json body = json::parse(http.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) return absl::InvalidArgumentError("body: not a JSON object");
  if (auto s = ScopeWorkspace(*who, body); !s.ok()) return s;
  if (body.contains("model") && body["model"].is_string()) {
    const std::string m = body["model"];
    if (m == "last_click") body["model"] = "ATTRIBUTION_MODEL_LAST_CLICK";
    if (m == "linear") body["model"] = "ATTRIBUTION_MODEL_LINEAR";
  }
  if (body.contains("conversions") && body["conversions"].is_array()) {
    for (auto& c : body["conversions"]) {
      if (!c.is_object() || !c.contains("stage") || !c["stage"].is_string()) continue;
      const std::string stage = c["stage"];
      if (stage == "lead") c["stage"] = "CONVERSION_STAGE_LEAD";
      if (stage == "sale") c["stage"] = "CONVERSION_STAGE_SALE";
    }
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a misspelt field is an error, not a silent default
  auto status = google::protobuf::util::JsonStringToMessage(body.dump(), &request, options);
  if (!status.ok()) return absl::InvalidArgumentError("body: " + std::string(status.message()));
  return absl::OkStatus();
}

template <class Response>
HttpServerResponse Answer(const absl::StatusOr<Response>& result) {
  if (!result.ok()) return Error(HttpStatus(result.status()), std::string(result.status().message()));
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(*result, &out, options);
  return {200, out, "application/json", {}};
}

}  // namespace

HttpServerResponse ConversionHttp::Conversions(const HttpServerRequest& http) {
  v1::RecordConversionsRequest request;
  if (auto s = Parse(http, authenticator_.get(), request); !s.ok()) return Error(HttpStatus(s), std::string(s.message()));
  if (!IsValidId(request.workspace_id())) return Error(400, "workspace_id: want 1-64 of [A-Za-z0-9_-]");
  return Answer(ingest_.RecordConversions(request.workspace_id(), request));
}

HttpServerResponse ConversionHttp::Spend(const HttpServerRequest& http) {
  v1::RecordSpendRequest request;
  if (auto s = Parse(http, authenticator_.get(), request); !s.ok()) return Error(HttpStatus(s), std::string(s.message()));
  if (!IsValidId(request.workspace_id())) return Error(400, "workspace_id: want 1-64 of [A-Za-z0-9_-]");
  return Answer(ingest_.RecordSpend(request.workspace_id(), request));
}

}  // namespace herald::campaign
