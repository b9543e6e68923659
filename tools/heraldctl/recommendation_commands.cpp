#include "heraldctl/recommendation_commands.h"

#include <cstdlib>
#include <iostream>

#include "herald/campaign/v1/recommendations.grpc.pb.h"

namespace heraldctl {
namespace {

namespace cmp = herald::campaign::v1;

std::unique_ptr<cmp::RecommendationService::Stub> Stub(const Ctx& c) {
  return cmp::RecommendationService::NewStub(Dial(c.args, "campaign-addr", "HERALD_CAMPAIGN_ADDR", "localhost:7104"));
}

void Print(const cmp::Recommendation& r) {
  std::cout << r.id() << "  " << Lower(cmp::RecommendationKind_Name(r.kind()), "RECOMMENDATION_KIND_") << "\n  "
            << r.title() << "\n";
  for (const auto& why : r.reasons()) std::cout << "    - " << why << "\n";
  std::cout << "  expected: " << r.expected_effect() << "\n";
}

int List(const Ctx& c) {
  cmp::ListRecommendationsRequest req;
  req.set_workspace_id(c.workspace);
  req.set_campaign_id(c.args.Get("campaign", "", ""));
  req.set_lookback_days(std::atoi(c.args.Get("lookback-days", "", "0").c_str()));
  if (req.campaign_id().empty()) return BadUsage("get recommendations: --campaign required");
  cmp::ListRecommendationsResponse out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Stub(c)->ListRecommendations(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  if (out.recommendations().empty()) std::cout << "No recommendations: nothing in the figures calls for a change.\n";
  for (const auto& r : out.recommendations()) {
    Print(r);
    std::cout << "\n";
  }
  for (const auto& s : out.skipped()) std::cout << "not judged: " << s << "\n";
  return 0;
}

int Apply(const Ctx& c, const std::string& id) {
  cmp::ApplyRecommendationRequest req;
  req.set_workspace_id(c.workspace);
  req.set_campaign_id(c.args.Get("campaign", "", ""));
  req.set_recommendation_id(id);
  req.set_lookback_days(std::atoi(c.args.Get("lookback-days", "", "0").c_str()));
  if (req.campaign_id().empty()) return BadUsage("apply recommendation: --campaign required");
  cmp::AppliedRecommendation out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Stub(c)->ApplyRecommendation(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  std::cout << "recommendation/" << out.recommendation().id() << (out.already_applied() ? " was already applied" : " applied")
            << ": " << out.result() << "\n";
  return 0;
}

}  // namespace

int RunRecommendationCommand(const Ctx& c, const std::string& verb, const std::string& noun, const std::string& id) {
  if (verb == "get" && (noun == "recommendations" || noun == "recommendation")) return List(c);
  if (verb == "apply" && noun == "recommendation") {
    return id.empty() ? BadUsage("apply recommendation: REC_ID required") : Apply(c, id);
  }
  return -1;
}

}  // namespace heraldctl
