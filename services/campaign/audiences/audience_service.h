#pragma once
// gRPC API of audiences (herald.campaign.v1.AudienceService): CRM imports,
// profiles, segments, their sizes, and which segments engage and convert
// for a campaign. ImportProfiles is served from raw bytes (common/row_import.h).
#include <chrono>

#include "campaign/audiences/profile_store.h"
#include "campaign/campaign_store.h"
#include "common/clock.h"
#include "common/executor.h"
#include "common/unary.h"
#include "herald/campaign/v1/audiences.grpc.pb.h"

namespace herald::campaign {

class AudienceService final
    : public v1::AudienceService::WithRawCallbackMethod_ImportProfiles<v1::AudienceService::CallbackService> {
 public:
  AudienceService(ProfileStore& profiles, CampaignStore& campaigns, Executor& executor, const Clock& clock,
                  std::chrono::milliseconds import_idle_timeout = std::chrono::seconds(30))
      : profiles_(profiles),
        campaigns_(campaigns),
        executor_(executor),
        clock_(clock),
        import_idle_timeout_(import_idle_timeout) {}

  // Rows are v1::ProfileRow; the answer is a v1::ImportProfilesResponse.
  grpc::ServerReadReactor<grpc::ByteBuffer>* ImportProfiles(grpc::CallbackServerContext* ctx,
                                                            grpc::ByteBuffer* response) override;
  HERALD_UNARY_RPC(ImportProfilesCsv, ImportProfilesCsvRequest, ImportProfilesResponse)
  HERALD_UNARY_RPC(GetProfile, GetProfileRequest, Profile)
  HERALD_UNARY_RPC(CreateSegment, CreateSegmentRequest, Segment)
  HERALD_UNARY_RPC(ListSegments, ListSegmentsRequest, ListSegmentsResponse)
  HERALD_UNARY_RPC(DeleteSegment, DeleteSegmentRequest, Segment)
  HERALD_UNARY_RPC(EstimateSegment, EstimateSegmentRequest, SegmentEstimate)
  HERALD_UNARY_RPC(RankSegments, RankSegmentsRequest, RankSegmentsResponse)

  // One streamed row (what ImportProfiles does with each).
  grpc::Status ImportRow(const v1::ProfileRow& row);

 private:
  ProfileStore& profiles_;
  CampaignStore& campaigns_;
  Executor& executor_;
  const Clock& clock_;
  std::chrono::milliseconds import_idle_timeout_;
};

}  // namespace herald::campaign
