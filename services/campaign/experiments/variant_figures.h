#pragma once
// What analytics counted for each variant of a campaign: the numbers an
// experiment's metric is made of. Read through analytics' report API (the
// campaign service keeps no counts of its own).
#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace herald::campaign {

struct VariantCounts {
  int64_t impressions = 0, engagements = 0, clicks = 0, sales = 0, published = 0;
};

class VariantFigures {
 public:
  virtual ~VariantFigures() = default;
  // Totals over [from_ms, to_ms) for each of the campaign's variants.
  virtual absl::StatusOr<std::map<std::string, VariantCounts>> Read(const std::string& workspace_id,
                                                                    const std::string& campaign_id,
                                                                    const std::vector<std::string>& variants,
                                                                    int64_t from_ms, int64_t to_ms) = 0;
};

std::unique_ptr<VariantFigures> MakeAnalyticsVariantFigures(std::shared_ptr<grpc::Channel> analytics);

}  // namespace herald::campaign
