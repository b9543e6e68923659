#include "campaign/recommendations/applied_store.h"

#include <algorithm>
#include <cstdlib>

namespace herald::campaign {
namespace {

constexpr int64_t kKeepMs = 180LL * 24 * 3600 * 1000;

std::string Key(const std::string& ws, const std::string& id) { return "rec:{" + ws + "}:a:" + id; }

absl::StatusOr<std::optional<v1::AppliedRecommendation>> Decode(const RedisReply& r) {
  if (r.is_error()) return absl::UnavailableError("redis: " + r.str);
  if (r.is_nil()) return std::optional<v1::AppliedRecommendation>();
  v1::AppliedRecommendation a;
  if (!a.ParseFromString(r.str)) return absl::DataLossError("stored recommendation does not parse");
  return std::optional<v1::AppliedRecommendation>(std::move(a));
}

}  // namespace

absl::StatusOr<std::optional<v1::AppliedRecommendation>> AppliedStore::Get(const std::string& ws,
                                                                           const std::string& id) {
  auto r = redis_.Command({"GET", Key(ws, id)});
  if (!r.ok()) return r.status();
  return Decode(*r);
}

absl::StatusOr<v1::AppliedRecommendation> AppliedStore::Put(const std::string& ws,
                                                            const v1::AppliedRecommendation& applied) {
  const std::string key = Key(ws, applied.recommendation().id());
  auto r = redis_.Pipeline(
      {{"SET", key, applied.SerializeAsString(), "NX", "PX", std::to_string(kKeepMs)}, {"GET", key}});
  if (!r.ok()) return r.status();
  auto kept = Decode((*r)[1]);
  if (!kept.ok()) return kept.status();
  if (!*kept) return absl::UnavailableError("applied recommendation not kept");
  return **kept;
}

absl::Status AppliedStore::NoteBudgetShift(const std::string& ws, const std::string& campaign_id, int64_t at_ms,
                                           int64_t cool_down_ms) {
  auto r = redis_.Command({"SET", "rec:{" + ws + "}:b:" + campaign_id, std::to_string(at_ms), "PX",
                           std::to_string(std::max<int64_t>(1, cool_down_ms))});
  if (!r.ok()) return r.status();
  return r->is_error() ? absl::UnavailableError("redis: " + r->str) : absl::OkStatus();
}

absl::StatusOr<std::optional<int64_t>> AppliedStore::BudgetShiftAt(const std::string& ws,
                                                                   const std::string& campaign_id) {
  auto r = redis_.Command({"GET", "rec:{" + ws + "}:b:" + campaign_id});
  if (!r.ok()) return r.status();
  if (r->is_error()) return absl::UnavailableError("redis: " + r->str);
  if (r->is_nil()) return std::optional<int64_t>();
  return std::optional<int64_t>(std::atoll(r->str.c_str()));
}

}  // namespace herald::campaign
