#pragma once
// Error policy: the data path returns absl::Status / StatusOr (no exceptions);
// gRPC handlers turn them into grpc::Status at the edge. Bad input is
// INVALID_ARGUMENT whose message names every offending field.
#include <grpcpp/support/status.h>

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace herald {

class FieldErrors {
 public:
  void Add(std::string_view field, std::string_view problem);
  bool ok() const { return errors_.empty(); }
  // At most 20 are kept (the rest are counted); names and problems are clipped.
  // "invalid argument: text: must not be empty; channel_ids: at least one is required"
  std::string Message() const;
  grpc::Status ToGrpc() const;
  const std::vector<std::pair<std::string, std::string>>& errors() const { return errors_; }

 private:
  std::vector<std::pair<std::string, std::string>> errors_;
  size_t more_ = 0;
};

grpc::Status InvalidArgument(std::string_view field, std::string_view problem);
grpc::Status ToGrpc(const absl::Status& status);
// A status another Herald service answered, to pass on: its code is kept (a
// refusal stays a refusal — INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION —
// and only a callee that could not be reached is UNAVAILABLE), its message
// prefixed with what was asked. A callee refusing *our* service credentials
// is our fault, not the caller's: INTERNAL.
absl::Status FromCallee(const grpc::Status& status, std::string_view what);

}  // namespace herald
