#pragma once
// Limits every request meets before any handler works on it, whatever the
// RPC — the floor no new RPC can forget:
//   - no repeated or map field longer than kMaxRepeated;
//   - no string or bytes field longer than kMaxStringBytes;
//   - no enum field holding a number its enum does not define (proto3 keeps
//     unknown numbers, so a handler's switch would otherwise meet them);
//   - no negative integer (counts, sizes, minutes, money: none is negative);
//   - every google.protobuf.Timestamp inside 0001–9999, nanos in [0, 1e9).
// Services check their own, tighter limits (e.g. 50 channels a post) first
// thing too.
#include <google/protobuf/message.h>
#include <grpcpp/support/status.h>

#include <cstddef>

namespace herald {

inline constexpr int kMaxRepeated = 1000;
inline constexpr size_t kMaxStringBytes = 64 * 1024;

// INVALID_ARGUMENT naming the first field out of bounds ("publish_at",
// "rows[3].publish_at"); OK otherwise.
grpc::Status CheckRequestBounds(const google::protobuf::Message& request);

}  // namespace herald
