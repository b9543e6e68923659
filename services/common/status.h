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

}  // namespace herald
