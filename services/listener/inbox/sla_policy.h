#pragma once
// A workspace's SLA policy as the API states it (herald.listener.v1.SlaPolicy)
// turned into what the clocks count with: the opening hours, and the targets
// of the first rule a conversation matches. No I/O.
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "herald/listener/v1/inbox.pb.h"
#include "listener/inbox/business_hours.h"
#include "listener/inbox/sla.h"

namespace herald::listener {

class CompiledSlaPolicy {
 public:
  // INVALID_ARGUMENT naming the field ("policy.hours[2].end_minute") for a
  // policy that cannot be counted with.
  static absl::StatusOr<CompiledSlaPolicy> Compile(const v1::SlaPolicy& policy);
  // No targets at all (a workspace that set none).
  CompiledSlaPolicy() : hours_(BusinessHours::Always()) {}

  const BusinessHours& hours() const { return hours_; }
  // The targets for a conversation of this priority and these tags (none
  // when no rule matches).
  SlaPolicy For(v1::ConversationPriority priority, const google::protobuf::RepeatedPtrField<std::string>& tags) const;

 private:
  v1::SlaPolicy policy_;
  BusinessHours hours_;
  double warn_at_ = 0.8;
};

}  // namespace herald::listener
