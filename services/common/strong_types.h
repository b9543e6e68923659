#pragma once
// Ids and instants as types of their own, so arguments cannot be swapped: a
// ChannelId where a PostId is wanted, or a duration where an instant is, does
// not compile (the idea of Redpanda's named_type and userver's StrongTypedef).
// Values cross the boundary on purpose: PostId{s}, id.str(), AtMs(ms), Ms(t).
#include <chrono>
#include <compare>
#include <cstdint>
#include <string>
#include <utility>

namespace herald {

template <class Tag>
class StrongId {
 public:
  StrongId() = default;
  explicit StrongId(std::string value) : value_(std::move(value)) {}
  const std::string& str() const { return value_; }
  bool empty() const { return value_.empty(); }
  friend bool operator==(const StrongId&, const StrongId&) = default;
  friend auto operator<=>(const StrongId&, const StrongId&) = default;

 private:
  std::string value_;
};

using WorkspaceId = StrongId<struct WorkspaceIdTag>;
using PostId = StrongId<struct PostIdTag>;
using ChannelId = StrongId<struct ChannelIdTag>;
using CampaignId = StrongId<struct CampaignIdTag>;

// A wall-clock instant at millisecond resolution (what Redis scores, ledgers
// and events carry).
using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;
using Millis = std::chrono::milliseconds;
constexpr TimePoint AtMs(int64_t ms) { return TimePoint(Millis(ms)); }
constexpr int64_t Ms(TimePoint t) { return t.time_since_epoch().count(); }

}  // namespace herald
