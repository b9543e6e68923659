#pragma once
// Campaign validation; no I/O.
#include "common/status.h"
#include "herald/campaign/v1/campaign.pb.h"

namespace herald::campaign {


inline constexpr size_t kMaxNameBytes = 200;

FieldErrors ValidateCreate(const v1::CreateCampaignRequest& request);
FieldErrors ValidateAttach(const v1::AttachPostRequest& request);

}  // namespace herald::campaign
