#include "campaign/conversions/conversion_service.h"

#include "common/ids.h"
#include "common/status.h"

namespace herald::campaign {
namespace {

template <class T>
grpc::Status Answer(absl::StatusOr<T> result, T* response) {
  if (!result.ok()) return ToGrpc(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

grpc::Status CheckWorkspace(const std::string& workspace_id) {
  if (IsValidId(workspace_id)) return grpc::Status::OK;
  return InvalidArgument("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
}

}  // namespace

HERALD_UNARY_RPC_IMPL(ConversionService, RecordConversions, RecordConversionsRequest, RecordConversionsResponse)
HERALD_UNARY_RPC_IMPL(ConversionService, GetConversion, GetConversionRequest, ConversionRecorded)
HERALD_UNARY_RPC_IMPL(ConversionService, RecordSpend, RecordSpendRequest, RecordSpendResponse)
HERALD_UNARY_RPC_IMPL(ConversionService, GetPacing, GetPacingRequest, Pacing)

grpc::Status ConversionService::DoRecordConversions(const v1::RecordConversionsRequest& request,
                                                    v1::RecordConversionsResponse* response) {
  if (auto s = CheckWorkspace(request.workspace_id()); !s.ok()) return s;
  return Answer(ingest_.RecordConversions(request.workspace_id(), request), response);
}

grpc::Status ConversionService::DoGetConversion(const v1::GetConversionRequest& request,
                                                v1::ConversionRecorded* response) {
  if (auto s = CheckWorkspace(request.workspace_id()); !s.ok()) return s;
  return Answer(ingest_.GetConversion(request), response);
}

grpc::Status ConversionService::DoRecordSpend(const v1::RecordSpendRequest& request,
                                              v1::RecordSpendResponse* response) {
  if (auto s = CheckWorkspace(request.workspace_id()); !s.ok()) return s;
  return Answer(ingest_.RecordSpend(request.workspace_id(), request), response);
}

grpc::Status ConversionService::DoGetPacing(const v1::GetPacingRequest& request, v1::Pacing* response) {
  if (auto s = CheckWorkspace(request.workspace_id()); !s.ok()) return s;
  return Answer(ingest_.GetPacing(request), response);
}

}  // namespace herald::campaign
