#pragma once
// Limits every request meets before any handler works on it, whatever the
// RPC: no repeated or map field longer than kMaxRepeated, every
// google.protobuf.Timestamp inside 0001–9999 with nanos in [0, 1e9).
// Services check their own, tighter limits (e.g. 50 channels a post) first
// thing too; this is the floor no new RPC can forget.
#include <google/protobuf/message.h>
#include <grpcpp/support/status.h>

namespace herald {

inline constexpr int kMaxRepeated = 1000;

// INVALID_ARGUMENT naming the first field out of bounds ("publish_at",
// "rows[3].publish_at"); OK otherwise.
grpc::Status CheckRequestBounds(const google::protobuf::Message& request);

}  // namespace herald
