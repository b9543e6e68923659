#pragma once
// gRPC API of the conversion and spend ingest
// (herald.campaign.v1.ConversionService); the work is ConversionIngest's.
#include "campaign/conversions/conversion_ingest.h"
#include "common/executor.h"
#include "common/unary.h"
#include "herald/campaign/v1/conversions.grpc.pb.h"

namespace herald::campaign::v1 {
// GetConversion answers the record as produced (an events type).
using ConversionRecorded = herald::events::v1::ConversionRecorded;
}  // namespace herald::campaign::v1

namespace herald::campaign {

class ConversionService final : public v1::ConversionService::CallbackService {
 public:
  ConversionService(ConversionIngest& ingest, Executor& executor) : ingest_(ingest), executor_(executor) {}

  HERALD_UNARY_RPC(RecordConversions, RecordConversionsRequest, RecordConversionsResponse)
  HERALD_UNARY_RPC(GetConversion, GetConversionRequest, ConversionRecorded)
  HERALD_UNARY_RPC(RecordSpend, RecordSpendRequest, RecordSpendResponse)
  HERALD_UNARY_RPC(GetPacing, GetPacingRequest, Pacing)

 private:
  ConversionIngest& ingest_;
  Executor& executor_;
};

}  // namespace herald::campaign
