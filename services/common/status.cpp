#include "common/status.h"

namespace herald {

void FieldErrors::Add(std::string_view field, std::string_view problem) {
  errors_.emplace_back(std::string(field), std::string(problem));
}

std::string FieldErrors::Message() const {
  std::string msg = "invalid argument: ";
  for (size_t i = 0; i < errors_.size(); ++i) {
    if (i) msg += "; ";
    msg += errors_[i].first + ": " + errors_[i].second;
  }
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

}  // namespace herald
