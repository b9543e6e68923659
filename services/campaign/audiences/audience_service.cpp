#include "campaign/audiences/audience_service.h"

#include <algorithm>

#include "campaign/audiences/profile_rules.h"
#include "campaign/audiences/segment_estimate.h"
#include "campaign/audiences/segment_language.h"
#include "common/ids.h"
#include "common/row_import.h"
#include "common/status.h"
#include "common/time_util.h"

namespace herald::campaign {
namespace {

constexpr const char* kIdRule = "required, 1-64 of [A-Za-z0-9_-]";
constexpr int32_t kDefaultSample = 10000;
constexpr int32_t kMinSample = 100, kMaxSample = 100000;
constexpr int kMaxRanked = 20;

bool IsProfileId(const std::string& id) {
  return !id.empty() && id.size() <= 300 && id.find(':') != std::string::npos &&
         std::all_of(id.begin(), id.end(), [](char c) { return c > ' ' && c < 0x7f && c != '/' && c != '\\'; });
}

// The sample size asked for, checked.
bool SampleSize(int32_t asked, int64_t* out) {
  if (asked == 0) {
    *out = kDefaultSample;
    return true;
  }
  *out = asked;
  return asked >= kMinSample && asked <= kMaxSample;
}

}  // namespace

HERALD_UNARY_RPC_IMPL(AudienceService, ImportProfilesCsv, ImportProfilesCsvRequest, ImportProfilesResponse)
HERALD_UNARY_RPC_IMPL(AudienceService, GetProfile, GetProfileRequest, Profile)
HERALD_UNARY_RPC_IMPL(AudienceService, CreateSegment, CreateSegmentRequest, Segment)
HERALD_UNARY_RPC_IMPL(AudienceService, ListSegments, ListSegmentsRequest, ListSegmentsResponse)
HERALD_UNARY_RPC_IMPL(AudienceService, DeleteSegment, DeleteSegmentRequest, Segment)
HERALD_UNARY_RPC_IMPL(AudienceService, EstimateSegment, EstimateSegmentRequest, SegmentEstimate)
HERALD_UNARY_RPC_IMPL(AudienceService, RankSegments, RankSegmentsRequest, RankSegmentsResponse)

grpc::ServerReadReactor<grpc::ByteBuffer>* AudienceService::ImportProfiles(grpc::CallbackServerContext* ctx,
                                                                           grpc::ByteBuffer* response) {
  RowImport<v1::ProfileRow, v1::ImportProfilesResponse> import;
  import.handle = [this](const v1::ProfileRow& row, std::string*) { return ImportRow(row); };
  import.counted = [](v1::ImportProfilesResponse& summary, const std::string&) {
    summary.set_imported(summary.imported() + 1);
  };
  import.max_rows = kMaxProfileStreamRows;
  import.idle_timeout = import_idle_timeout_;
  return StartRowImport(ctx, executor_, response, std::move(import));
}

grpc::Status AudienceService::ImportRow(const v1::ProfileRow& in) {
  if (!IsValidId(in.workspace_id())) return InvalidArgument("workspace_id", kIdRule);
  FieldErrors errors = ValidateProfileRow(in);
  if (!errors.ok()) return errors.ToGrpc();
  v1::ProfileRow row = in;
  HashEmail(row);
  auto s = profiles_.ImportRows(row.workspace_id(), {{RowProfileId(row.workspace_id(), row), RowFields(row)}});
  return ToGrpc(s);
}

grpc::Status AudienceService::DoImportProfilesCsv(const v1::ImportProfilesCsvRequest& request,
                                                  v1::ImportProfilesResponse* response) {
  if (!IsValidId(request.workspace_id())) return InvalidArgument("workspace_id", kIdRule);
  auto rows = RowsFromCsv(request.workspace_id(), request.csv());
  if (!rows.ok()) return ToGrpc(rows.status());
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> writes;
  for (const auto& row : *rows) writes.emplace_back(RowProfileId(request.workspace_id(), row), RowFields(row));
  if (auto s = profiles_.ImportRows(request.workspace_id(), writes); !s.ok()) return ToGrpc(s);
  response->set_imported(static_cast<int32_t>(rows->size()));
  return grpc::Status::OK;
}

grpc::Status AudienceService::DoGetProfile(const v1::GetProfileRequest& request, v1::Profile* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsProfileId(request.profile_id())) errors.Add("profile_id", "want <network>:<author> or crm:<hash>");
  if (!errors.ok()) return errors.ToGrpc();
  auto found = profiles_.Get(request.workspace_id(), request.profile_id());
  if (!found.ok()) return ToGrpc(found.status());
  if (!*found) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such profile");
  *response = ToProto((*found)->first, (*found)->second);
  return grpc::Status::OK;
}

grpc::Status AudienceService::DoCreateSegment(const v1::CreateSegmentRequest& request, v1::Segment* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (request.name().empty() || request.name().size() > 200) errors.Add("name", "1-200 bytes");
  if (!request.request_id().empty() && !IsValidId(request.request_id())) errors.Add("request_id", "1-64 of [A-Za-z0-9_-]");
  auto parsed = Segment::Parse(request.expression());
  if (auto* e = std::get_if<SegmentError>(&parsed)) errors.Add("expression", e->ToString());
  if (!errors.ok()) return errors.ToGrpc();
  v1::Segment s;
  s.set_id(CreatedId("seg_", request.workspace_id(), request.request_id()));
  s.set_workspace_id(request.workspace_id());
  s.set_name(request.name());
  s.set_expression(std::get<Segment>(parsed).ToString());
  *s.mutable_create_time() = FromMs(clock_.NowMs());
  auto made = profiles_.CreateSegment(s, request.request_id());
  if (!made.ok()) return ToGrpc(made.status());
  *response = std::move(*made);
  return grpc::Status::OK;
}

grpc::Status AudienceService::DoListSegments(const v1::ListSegmentsRequest& request, v1::ListSegmentsResponse* response) {
  if (!IsValidId(request.workspace_id())) return InvalidArgument("workspace_id", kIdRule);
  auto list = profiles_.ListSegments(request.workspace_id());
  if (!list.ok()) return ToGrpc(list.status());
  for (auto& s : *list) *response->add_segments() = std::move(s);
  return grpc::Status::OK;
}

grpc::Status AudienceService::DoDeleteSegment(const v1::DeleteSegmentRequest& request, v1::Segment* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(request.segment_id())) errors.Add("segment_id", kIdRule);
  if (!errors.ok()) return errors.ToGrpc();
  auto found = profiles_.GetSegment(request.workspace_id(), request.segment_id());
  if (!found.ok()) return ToGrpc(found.status());
  if (!*found) return grpc::Status(grpc::StatusCode::NOT_FOUND, "segment " + request.segment_id() + " not found");
  if (auto s = profiles_.DeleteSegment(request.workspace_id(), request.segment_id()); !s.ok()) return ToGrpc(s);
  *response = **found;
  return grpc::Status::OK;
}

grpc::Status AudienceService::DoEstimateSegment(const v1::EstimateSegmentRequest& request,
                                                v1::SegmentEstimate* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (request.segment_id().empty() == request.expression().empty()) {
    errors.Add("segment_id", "name a saved segment or give an expression (one of them)");
  } else if (!request.segment_id().empty() && !IsValidId(request.segment_id())) {
    errors.Add("segment_id", kIdRule);
  }
  int64_t sample = 0;
  if (!SampleSize(request.sample_size(), &sample)) errors.Add("sample_size", "100-100,000 (0: 10,000)");
  std::string expression = request.expression();
  if (errors.ok() && !request.segment_id().empty()) {
    auto saved = profiles_.GetSegment(request.workspace_id(), request.segment_id());
    if (!saved.ok()) return ToGrpc(saved.status());
    if (!*saved) return grpc::Status(grpc::StatusCode::NOT_FOUND, "segment " + request.segment_id() + " not found");
    expression = (*saved)->expression();
  }
  auto parsed = Segment::Parse(expression);
  if (auto* e = std::get_if<SegmentError>(&parsed)) errors.Add("expression", e->ToString());
  if (!errors.ok()) return errors.ToGrpc();
  const Segment& segment = std::get<Segment>(parsed);
  auto count = profiles_.Count(request.workspace_id());
  if (!count.ok()) return ToGrpc(count.status());
  auto profiles = profiles_.Sample(request.workspace_id(), sample);
  if (!profiles.ok()) return ToGrpc(profiles.status());
  const int64_t now = clock_.NowMs();
  int64_t matched = 0;
  for (const auto& p : *profiles) matched += segment.Matches(p, now);
  const auto sampled = static_cast<int64_t>(profiles->size());
  // Profiles added between the count and the sample: the sample is the floor.
  SizeEstimate e = EstimateSize(std::max(*count, sampled), sampled, matched);
  response->set_profiles(std::max(*count, sampled));
  response->set_sampled(sampled);
  response->set_matched(matched);
  response->set_exact(e.exact);
  response->set_estimate(e.estimate);
  response->set_low(e.low);
  response->set_high(e.high);
  response->set_expression(segment.ToString());
  return grpc::Status::OK;
}

grpc::Status AudienceService::DoRankSegments(const v1::RankSegmentsRequest& request,
                                             v1::RankSegmentsResponse* response) {
  FieldErrors errors;
  if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(request.campaign_id())) errors.Add("campaign_id", kIdRule);
  if (request.segment_ids_size() > kMaxRanked) errors.Add("segment_ids", "at most 20");
  for (int i = 0; i < request.segment_ids_size() && i < kMaxRanked; ++i) {
    if (!IsValidId(request.segment_ids(i))) errors.Add("segment_ids[" + std::to_string(i) + "]", kIdRule);
  }
  int64_t sample = 0;
  if (!SampleSize(request.sample_size(), &sample)) errors.Add("sample_size", "100-100,000 (0: 10,000)");
  if (!errors.ok()) return errors.ToGrpc();
  if (auto c = campaigns_.Get(request.workspace_id(), request.campaign_id()); !c.ok()) return ToGrpc(c.status());
  std::vector<v1::Segment> segments;
  if (request.segment_ids().empty()) {
    auto all = profiles_.ListSegments(request.workspace_id());
    if (!all.ok()) return ToGrpc(all.status());
    segments = std::move(*all);
    if (segments.size() > static_cast<size_t>(kMaxRanked)) segments.resize(kMaxRanked);
  } else {
    for (int i = 0; i < request.segment_ids_size(); ++i) {
      auto s = profiles_.GetSegment(request.workspace_id(), request.segment_ids(i));
      if (!s.ok()) return ToGrpc(s.status());
      if (!*s) return grpc::Status(grpc::StatusCode::NOT_FOUND, "segment " + request.segment_ids(i) + " not found");
      segments.push_back(std::move(**s));
    }
  }
  auto profiles = profiles_.Sample(request.workspace_id(), sample);
  if (!profiles.ok()) return ToGrpc(profiles.status());
  const int64_t now = clock_.NowMs();
  const std::string& campaign = request.campaign_id();
  for (const auto& s : segments) {
    auto parsed = Segment::Parse(s.expression());
    if (!std::holds_alternative<Segment>(parsed)) continue;  // stored normalized: cannot happen
    const Segment& segment = std::get<Segment>(parsed);
    int64_t members = 0, engaged = 0, converted = 0;
    for (const auto& p : *profiles) {
      if (!segment.Matches(p, now)) continue;
      ++members;
      engaged += std::binary_search(p.campaigns.begin(), p.campaigns.end(), campaign);
      converted += std::binary_search(p.converted.begin(), p.converted.end(), campaign);
    }
    auto* out = response->add_segments();
    out->set_segment_id(s.id());
    out->set_name(s.name());
    out->set_sampled_members(members);
    out->set_engaged(engaged);
    out->set_converted(converted);
    RateInterval engagement = WilsonInterval(engaged, members);
    RateInterval conversion = WilsonInterval(converted, members);
    out->set_engagement_rate(engagement.rate);
    out->set_conversion_rate(conversion.rate);
    out->set_conversion_low(conversion.low);
    out->set_conversion_high(conversion.high);
  }
  auto* list = response->mutable_segments();
  std::stable_sort(list->begin(), list->end(), [](const v1::SegmentPerformance& a, const v1::SegmentPerformance& b) {
    if (a.conversion_rate() != b.conversion_rate()) return a.conversion_rate() > b.conversion_rate();
    return a.engagement_rate() > b.engagement_rate();
  });
  response->set_sampled(static_cast<int64_t>(profiles->size()));
  return grpc::Status::OK;
}

}  // namespace herald::campaign
