#include "common/status.h"

namespace herald {

namespace {

// An error never echoes unbounded input: field names can carry a caller's map
// keys, problems a caller's values.
constexpr size_t kMaxErrors = 20, kMaxFieldChars = 96, kMaxProblemChars = 240;

std::string Clip(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 boundary
  return std::string(s.substr(0, cut)) + "…";
}

}  // namespace

void FieldErrors::Add(std::string_view field, std::string_view problem) {
  if (errors_.size() >= kMaxErrors) {
    ++more_;
    return;
  }
  errors_.emplace_back(Clip(field, kMaxFieldChars), Clip(problem, kMaxProblemChars));
}

std::string FieldErrors::Message() const {
  std::string msg = "invalid argument: ";
  for (size_t i = 0; i < errors_.size(); ++i) {
    if (i) msg += "; ";
    msg += errors_[i].first + ": " + errors_[i].second;
  }
  if (more_) msg += "; and " + std::to_string(more_) + " more";
  return msg;
}

grpc::Status FieldErrors::ToGrpc() const {
  if (ok()) return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, Message());
}

grpc::Status InvalidArgument(std::string_view field, std::string_view problem) {
  FieldErrors errors;
  errors.Add(field, problem);
  return errors.ToGrpc();
}

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

absl::Status FromCallee(const grpc::Status& status, std::string_view what) {
  if (status.ok()) return absl::OkStatus();
  std::string message = std::string(what) + ": " + status.error_message();
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    return absl::InternalError(std::string(what) + ": this service's credentials were refused");
  }
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), message);
}

}  // namespace herald
