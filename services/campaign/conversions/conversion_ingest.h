#pragma once
// The conversion and spend ingest, one core behind both edges (gRPC and the
// HTTP JSON endpoint): checks a whole call before storing any of it, then
// attributes, stores with the events in the outbox, and produces them.
#include <string>

#include "absl/status/statusor.h"
#include "campaign/audiences/segment_labels.h"
#include "campaign/campaign_store.h"
#include "campaign/conversions/conversion_store.h"
#include "campaign/links/link_store.h"
#include "campaign/outbox.h"
#include "common/clock.h"
#include "herald/campaign/v1/conversions.pb.h"

namespace herald::campaign {

class ConversionIngest {
 public:
  ConversionIngest(ConversionStore& conversions, CampaignStore& campaigns, LinkStore& links, SegmentLabels& segments,
                   Outbox& outbox, const Clock& clock)
      : conversions_(conversions),
        campaigns_(campaigns),
        links_(links),
        segments_(segments),
        outbox_(outbox),
        clock_(clock) {}

  // INVALID_ARGUMENT names every bad field, and nothing is stored.
  absl::StatusOr<v1::RecordConversionsResponse> RecordConversions(const std::string& workspace_id,
                                                                  const v1::RecordConversionsRequest& request);
  absl::StatusOr<herald::events::v1::ConversionRecorded> GetConversion(const v1::GetConversionRequest& request);
  absl::StatusOr<v1::RecordSpendResponse> RecordSpend(const std::string& workspace_id,
                                                      const v1::RecordSpendRequest& request);
  absl::StatusOr<v1::Pacing> GetPacing(const v1::GetPacingRequest& request);

 private:
  ConversionStore& conversions_;
  CampaignStore& campaigns_;
  LinkStore& links_;
  SegmentLabels& segments_;
  Outbox& outbox_;
  const Clock& clock_;
};

}  // namespace herald::campaign
