#include "campaign/recommendations/recommendation_service.h"

#include "common/ids.h"
#include "common/log.h"
#include "common/status.h"
#include "common/time_util.h"

namespace herald::campaign {
namespace {

constexpr const char* kIdRule = "required, 1-64 of [A-Za-z0-9_-]";
constexpr int64_t kDay = 24 * 3600 * 1000LL;

bool IsRecommendationId(const std::string& id) {
  if (id.size() != 28 || id.rfind("rec_", 0) != 0) return false;
  return id.find_first_not_of("0123456789abcdef", 4) == std::string::npos;
}

// 0 → the default; otherwise 7-90 days.
bool Lookback(int32_t requested, int* days) {
  *days = requested == 0 ? 28 : requested;
  return *days >= 7 && *days <= 90;
}

std::string Bp(int32_t bp) { return std::to_string(bp) + " bp"; }

}  // namespace

HERALD_UNARY_RPC_IMPL(RecommendationService, ListRecommendations, ListRecommendationsRequest,
                      ListRecommendationsResponse)
HERALD_UNARY_RPC_IMPL(RecommendationService, ApplyRecommendation, ApplyRecommendationRequest, AppliedRecommendation)

grpc::Status RecommendationService::Gather(const std::string& ws, const std::string& campaign_id, int lookback,
                                           Ground* g) {
  auto campaign = campaigns_.Get(ws, campaign_id);
  if (!campaign.ok()) return ToGrpc(campaign.status());
  g->campaign = std::move(*campaign);
  const v1::Campaign& c = g->campaign;
  const int64_t now = clock_.NowMs();
  auto& out = g->listed;
  auto add = [&](std::optional<v1::Recommendation> r) {
    if (r) *out.add_recommendations() = std::move(*r);
  };
  if (!figures_) {
    out.add_skipped("budget and queue slots: no analytics configured (--analytics-addr)");
  } else {
    const std::vector<std::string> listed(c.channel_ids().begin(), c.channel_ids().end());
    auto channels = figures_->Channels(ws, c.id(), listed, now - lookback * kDay, now);
    auto last_shift = applied_.BudgetShiftAt(ws, c.id());
    if (!last_shift.ok()) return ToGrpc(last_shift.status());
    if (channels.ok()) {
      g->channels = std::move(*channels);
      if (*last_shift) {
        out.add_skipped("budget: a shift was applied at " + FormatRfc3339(**last_shift) +
                        "; the next is judged on a week of figures after it");
      } else {
        add(ShiftBudget(c, g->channels, lookback));
      }
    } else {
      out.add_skipped("budget: " + std::string(channels.status().message()));
    }
    if (listed.empty()) out.add_skipped("queue slots: the campaign lists no channels");
    for (size_t i = 0; i < listed.size() && i < static_cast<size_t>(kMaxQueuesJudged); ++i) {
      auto queue = queues_.Get(ws, listed[i]);
      if (!queue.ok()) {
        out.add_skipped("queue slots of " + listed[i] + ": " + std::string(queue.status().message()));
        continue;
      }
      if (queue->slots.empty()) continue;
      auto scores = figures_->BestTimes(ws, listed[i], queue->time_zone, lookback);
      if (!scores.ok()) {
        out.add_skipped("queue slots of " + listed[i] + ": " + std::string(scores.status().message()));
        continue;
      }
      QueueView view{listed[i], queue->time_zone, queue->slots, scores->scores, scores->channel_posts};
      add(MoveQueueSlot(c, view));
      g->queues[listed[i]] = std::move(*queue);
    }
  }
  auto experiments = experiments_.RunningJudged(ws, c.id());
  if (!experiments.ok()) {
    out.add_skipped("experiments: " + std::string(experiments.status().message()));
  } else {
    for (const auto& e : *experiments) add(PauseLosingVariants(c, e, now));
  }
  return grpc::Status::OK;
}

grpc::Status RecommendationService::DoListRecommendations(const v1::ListRecommendationsRequest& r,
                                                          v1::ListRecommendationsResponse* response) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(r.campaign_id())) errors.Add("campaign_id", kIdRule);
  int lookback = 0;
  if (!Lookback(r.lookback_days(), &lookback)) errors.Add("lookback_days", "7-90 (0: 28)");
  if (!errors.ok()) return errors.ToGrpc();
  Ground g;
  if (auto s = Gather(r.workspace_id(), r.campaign_id(), lookback, &g); !s.ok()) return s;
  *response = std::move(g.listed);
  return grpc::Status::OK;
}

grpc::Status RecommendationService::Apply(const Ground& g, const v1::Recommendation& r, std::string* result) {
  const v1::Campaign& c = g.campaign;
  switch (r.kind()) {
    case v1::RECOMMENDATION_KIND_SHIFT_BUDGET: {
      const auto& shift = r.budget_shift();
      v1::UpdateCampaignRequest update;
      update.set_workspace_id(c.workspace_id());
      update.set_campaign_id(c.id());
      update.add_update_mask("budget_split");
      for (auto& share : SplitAfter(c, g.channels, shift)) *update.mutable_campaign()->add_budget_split() = share;
      update.set_expected_version(c.version());  // the campaign the proposal was made on
      v1::Campaign updated;
      if (auto s = campaign_api_.DoUpdateCampaign(update, &updated); !s.ok()) return s;
      if (auto s = applied_.NoteBudgetShift(c.workspace_id(), c.id(), clock_.NowMs(), kBudgetCoolDownMs); !s.ok()) {
        return ToGrpc(s);
      }
      *result = "budget_split " + shift.from_channel_id() + " " + Bp(shift.from_basis_points_before()) + " → " +
                Bp(shift.from_basis_points_before() - shift.basis_points()) + ", " + shift.to_channel_id() + " " +
                Bp(shift.to_basis_points_before()) + " → " +
                Bp(shift.to_basis_points_before() + shift.basis_points()) + " (campaign version " +
                std::to_string(updated.version()) + ")";
      return grpc::Status::OK;
    }
    case v1::RECOMMENDATION_KIND_MOVE_QUEUE_SLOT: {
      const auto& move = r.slot_move();
      auto it = g.queues.find(move.channel_id());
      if (it == g.queues.end()) return grpc::Status(grpc::StatusCode::INTERNAL, "queue not gathered");
      auto slots = SlotsAfter(it->second.slots, move);
      if (!slots) return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "the queue changed: list again");
      QueueState after{it->second.time_zone, std::move(*slots)};
      if (auto s = queues_.Set(c.workspace_id(), move.channel_id(), after); !s.ok()) return ToGrpc(s);
      *result = "queue of " + move.channel_id() + ": " + r.title().substr(r.title().find("slot ") + 5);
      return grpc::Status::OK;
    }
    case v1::RECOMMENDATION_KIND_PAUSE_LOSING_VARIANTS: {
      v1::ConcludeExperimentRequest conclude;
      conclude.set_workspace_id(c.workspace_id());
      conclude.set_experiment_id(r.variant_pause().experiment_id());
      v1::Experiment e;
      if (auto s = experiments_.DoConcludeExperiment(conclude, &e); !s.ok()) return s;
      *result = "experiment " + e.id() + " concluded: " + e.result().verdict() +
                (e.result().winner().empty() ? "" : " " + e.result().winner()) + ", " +
                std::to_string(e.cancelled_post_ids_size()) + " losing posts cancelled";
      return grpc::Status::OK;
    }
    default: return grpc::Status(grpc::StatusCode::INTERNAL, "unknown recommendation kind");
  }
}

grpc::Status RecommendationService::DoApplyRecommendation(const v1::ApplyRecommendationRequest& r,
                                                          v1::AppliedRecommendation* response) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(r.campaign_id())) errors.Add("campaign_id", kIdRule);
  if (!IsRecommendationId(r.recommendation_id())) errors.Add("recommendation_id", "want rec_ and 24 hex digits");
  int lookback = 0;
  if (!Lookback(r.lookback_days(), &lookback)) errors.Add("lookback_days", "7-90 (0: 28)");
  if (!errors.ok()) return errors.ToGrpc();
  const std::string& ws = r.workspace_id();
  auto done = applied_.Get(ws, r.recommendation_id());
  if (!done.ok()) return ToGrpc(done.status());
  if (*done && (*done)->recommendation().campaign_id() == r.campaign_id()) {
    *response = std::move(**done);
    response->set_already_applied(true);
    return grpc::Status::OK;
  }
  Ground g;
  if (auto s = Gather(ws, r.campaign_id(), lookback, &g); !s.ok()) return s;
  const v1::Recommendation* found = nullptr;
  for (const auto& rec : g.listed.recommendations()) {
    if (rec.id() == r.recommendation_id()) found = &rec;
  }
  if (!found) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "recommendation " + r.recommendation_id() +
                            " no longer holds (its figures or the campaign changed): list again");
  }
  v1::AppliedRecommendation applied;
  *applied.mutable_recommendation() = *found;
  std::string result;
  if (auto s = Apply(g, *found, &result); !s.ok()) return s;
  applied.set_result(result);
  *applied.mutable_apply_time() = FromMs(clock_.NowMs());
  auto kept = applied_.Put(ws, applied);
  if (!kept.ok()) return ToGrpc(kept.status());
  log::Info("recommendation applied", {{"campaign_id", r.campaign_id()},
                                       {"recommendation_id", found->id()},
                                       {"kind", v1::RecommendationKind_Name(found->kind())},
                                       {"result", result}});
  *response = std::move(*kept);
  return grpc::Status::OK;
}

}  // namespace herald::campaign
