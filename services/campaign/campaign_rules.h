#pragma once
// What a valid campaign is and how its status may move; no I/O.
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "herald/campaign/v1/campaign.pb.h"

namespace herald::campaign {

inline constexpr size_t kMaxNameBytes = 200;
inline constexpr size_t kMaxDescriptionBytes = 4000;
inline constexpr size_t kMaxOwnerBytes = 200;
inline constexpr size_t kMaxUtmBytes = 200;
inline constexpr int kMaxChannels = 50;
// A flight longer than this is a typo, not a campaign.
inline constexpr int kMaxFlightDays = 3 * 366;

// Every field of a create request; names each bad one.
FieldErrors ValidateCreate(const v1::CreateCampaignRequest& request);
// The campaign a create request makes (id, times and version set by the caller).
v1::Campaign BuildCampaign(const v1::CreateCampaignRequest& request);

// Applies the fields an update names (all settable ones when the mask is
// empty) to `campaign`, checking each; INVALID_ARGUMENT names the bad ones
// (unknown mask entries too). `campaign` is unchanged on error.
FieldErrors ApplyUpdate(const v1::UpdateCampaignRequest& request, v1::Campaign& campaign);

// Checks the settable fields of a whole campaign (create and update share it).
void ValidateSettable(const v1::Campaign& campaign, FieldErrors& errors);

FieldErrors ValidateAttach(const v1::AttachPostRequest& request);

// draft → active | archived; active → paused | completed;
// paused → active | completed; completed → archived. Staying put is allowed
// (a retry re-applies the status's effects).
bool TransitionAllowed(v1::CampaignStatus from, v1::CampaignStatus to);
// Draft, active and paused campaigns take posts; completed and archived do not.
bool TakesPosts(v1::CampaignStatus status);
// Completed and archived campaigns are read-only.
bool Editable(v1::CampaignStatus status);

// "ACTIVE" for CAMPAIGN_STATUS_ACTIVE.
std::string StatusName(v1::CampaignStatus status);

// "2026-12-01" → {2026, 12, 1}; nullopt unless a real calendar date.
struct LocalDate {
  int year = 0, month = 0, day = 0;
  auto operator<=>(const LocalDate&) const = default;
};
std::optional<LocalDate> ParseDate(const std::string& text);

}  // namespace herald::campaign
