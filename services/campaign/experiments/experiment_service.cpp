#include "campaign/experiments/experiment_service.h"

#include "campaign/campaign_rules.h"
#include "campaign/experiments/experiment_rules.h"
#include "common/events.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/status.h"
#include "common/time_util.h"
#include "herald/topics.h"

namespace herald::campaign {
namespace {

namespace ev = herald::events::v1;
constexpr const char* kIdRule = "required, 1-64 of [A-Za-z0-9_-]";
constexpr int64_t kHour = 3600 * 1000;

}  // namespace

HERALD_UNARY_RPC_IMPL(ExperimentService, CreateExperiment, CreateExperimentRequest, Experiment)
HERALD_UNARY_RPC_IMPL(ExperimentService, GetExperiment, GetExperimentRequest, Experiment)
HERALD_UNARY_RPC_IMPL(ExperimentService, ListExperiments, ListExperimentsRequest, ListExperimentsResponse)
HERALD_UNARY_RPC_IMPL(ExperimentService, ConcludeExperiment, ConcludeExperimentRequest, Experiment)

grpc::Status ExperimentService::Load(const std::string& ws, const std::string& id, v1::Experiment* e) {
  FieldErrors errors;
  if (!IsValidId(ws)) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(id)) errors.Add("experiment_id", kIdRule);
  if (!errors.ok()) return errors.ToGrpc();
  auto found = experiments_.Get(ws, id);
  if (!found.ok()) return ToGrpc(found.status());
  if (!*found) return grpc::Status(grpc::StatusCode::NOT_FOUND, "experiment " + id + " not found");
  *e = std::move(**found);
  return grpc::Status::OK;
}

absl::StatusOr<Verdict> ExperimentService::Evaluate(v1::Experiment& e) {
  std::map<std::string, VariantCounts> counts;
  if (figures_) {
    std::vector<std::string> names;
    for (const auto& v : e.variants()) names.push_back(v.name());
    const int64_t now = clock_.NowMs();
    auto read = figures_->Read(e.workspace_id(), e.campaign_id(), names, ToMs(e.create_time()) - 24 * kHour, now + kHour);
    if (!read.ok()) return read.status();
    counts = std::move(*read);
  }
  Verdict v = JudgeExperiment(e, counts, {e.information(), e.alpha_spent()}, e.mutable_result());
  if (!figures_) e.mutable_result()->set_reason("no analytics configured (--analytics-addr): nothing is counted");
  return v;
}

grpc::Status ExperimentService::DoCreateExperiment(const v1::CreateExperimentRequest& r, v1::Experiment* response) {
  const int64_t now = clock_.NowMs();
  FieldErrors errors = ValidateCreateExperiment(r, now);
  if (!errors.ok()) return errors.ToGrpc();
  auto campaign = campaigns_.Get(r.workspace_id(), r.campaign_id());
  if (!campaign.ok()) return ToGrpc(campaign.status());
  if (!TakesPosts(campaign->status())) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "campaign " + r.campaign_id() + " is " + StatusName(campaign->status()) + " and takes no posts");
  }
  for (int i = 0; i < r.channel_ids_size(); ++i) {
    const auto& allowed = campaign->channel_ids();
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), r.channel_ids(i)) == allowed.end()) {
      errors.Add("channel_ids[" + std::to_string(i) + "]", "not one of the campaign's channels");
    }
  }
  if (!errors.ok()) return errors.ToGrpc();
  const std::string id = CreatedId("exp_", r.workspace_id(), r.request_id());
  auto existing = experiments_.Get(r.workspace_id(), id);
  if (!existing.ok()) return ToGrpc(existing.status());
  v1::Experiment e = *existing ? **existing : PlanExperiment(r, id, now);
  if (e.status() != "scheduling") {  // a retry of a call that finished
    *response = std::move(e);
    return grpc::Status::OK;
  }
  if (auto s = experiments_.Put(e); !s.ok()) return ToGrpc(s);
  // Each cell's post, idempotent by its request id: a retry after a failure
  // here makes the posts still missing, never a second one.
  for (int i = 0; i < e.cells_size(); ++i) {
    auto* cell = e.mutable_cells(i);
    if (cell->arm() == kHoldout || !cell->post_id().empty()) continue;
    const v1::ExperimentVariant* variant = nullptr;
    for (const auto& v : e.variants()) {
      if (v.name() == cell->arm()) variant = &v;
    }
    SchedulerPosts::NewPost post{CellRequestId(e, i), e.campaign_id(), cell->channel_id(),
                                 variant->text(),     variant->link(),  variant->name(),
                                 ToMs(cell->slot())};
    auto made = posts_.Create(e.workspace_id(), post);
    if (!made.ok()) {
      (void)experiments_.Put(e);  // the cells made so far
      return ToGrpc(made.status());
    }
    cell->set_post_id(*made);
  }
  e.set_status("running");
  if (auto s = experiments_.Put(e); !s.ok()) return ToGrpc(s);
  log::Info("experiment scheduled", {{"experiment_id", e.id()}, {"cells", e.cells_size()}});
  *response = std::move(e);
  return grpc::Status::OK;
}

grpc::Status ExperimentService::DoGetExperiment(const v1::GetExperimentRequest& r, v1::Experiment* response) {
  v1::Experiment e;
  if (auto s = Load(r.workspace_id(), r.experiment_id(), &e); !s.ok()) return s;
  // A preview: a sequential plan's look is recorded only by ConcludeExperiment.
  if (e.status() != "concluded") {
    auto v = Evaluate(e);
    if (!v.ok()) return ToGrpc(v.status());
  }
  *response = std::move(e);
  return grpc::Status::OK;
}

grpc::Status ExperimentService::DoListExperiments(const v1::ListExperimentsRequest& r,
                                                  v1::ListExperimentsResponse* response) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", kIdRule);
  if (!IsValidId(r.campaign_id())) errors.Add("campaign_id", kIdRule);
  if (!errors.ok()) return errors.ToGrpc();
  auto list = experiments_.List(r.workspace_id(), r.campaign_id());
  if (!list.ok()) return ToGrpc(list.status());
  for (auto& e : *list) *response->add_experiments() = std::move(e);
  return grpc::Status::OK;
}

absl::StatusOr<std::vector<v1::Experiment>> ExperimentService::RunningJudged(const std::string& ws,
                                                                             const std::string& campaign_id) {
  auto list = experiments_.List(ws, campaign_id);
  if (!list.ok()) return list.status();
  std::vector<v1::Experiment> out;
  for (auto& e : *list) {
    if (e.status() != "running") continue;
    auto v = Evaluate(e);
    if (!v.ok()) return v.status();
    out.push_back(std::move(e));
  }
  return out;
}

grpc::Status ExperimentService::DoConcludeExperiment(const v1::ConcludeExperimentRequest& r,
                                                     v1::Experiment* response) {
  v1::Experiment e;
  if (auto s = Load(r.workspace_id(), r.experiment_id(), &e); !s.ok()) return s;
  if (e.status() == "concluded") {
    *response = std::move(e);
    return grpc::Status::OK;
  }
  if (e.status() != "running") {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "experiment " + e.id() + " is still being scheduled");
  }
  auto v = Evaluate(e);
  if (!v.ok()) return ToGrpc(v.status());
  if (!IsFinal(e.result())) {
    // A sequential plan's look spends its alpha whatever it finds.
    e.set_information(v->after.information);
    e.set_alpha_spent(v->after.alpha_spent);
    if (auto s = experiments_.Put(e); !s.ok()) return ToGrpc(s);
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "no verdict yet: " + e.result().reason());
  }
  e.set_information(v->after.information);
  e.set_alpha_spent(v->after.alpha_spent);
  const int64_t now = clock_.NowMs();
  // The losers' posts still to go out, where the campaign allows it.
  auto campaign = campaigns_.Get(e.workspace_id(), e.campaign_id());
  if (!campaign.ok()) return ToGrpc(campaign.status());
  if (e.result().verdict() == "winner" && campaign->allow_cancel_losers()) {
    for (const auto& cell : e.cells()) {
      if (cell.arm() == e.result().winner() || cell.arm() == kHoldout || cell.post_id().empty()) continue;
      auto cancelled = posts_.CancelIfPending(e.workspace_id(), cell.post_id());
      if (!cancelled.ok()) return ToGrpc(cancelled.status());  // nothing stored: a retry cancels the rest
      if (*cancelled) e.add_cancelled_post_ids(cell.post_id());
    }
  }
  e.set_status("concluded");
  *e.mutable_conclude_time() = FromMs(now);
  ev::CampaignEvent event;
  event.set_campaign_id(e.campaign_id());
  event.set_kind(ev::CAMPAIGN_EVENT_KIND_EXPERIMENT_CONCLUDED);
  event.set_name(campaign->name());
  event.set_status(v1::CampaignStatus_Name(campaign->status()));
  event.set_version(campaign->version());
  *event.mutable_experiment() = ConcludedEvent(e);
  *event.mutable_meta() = NewEventMeta(event, e.workspace_id(), clock_, "experiment:" + e.id());
  const std::string member =
      EncodeOutboxEntry({std::string(topics::k_campaign_lifecycle), e.campaign_id(), event.SerializeAsString()});
  if (auto s = outbox_.NoteWorkspace(e.workspace_id()); !s.ok()) return ToGrpc(s);
  auto stored = experiments_.Conclude(e, member, now);
  if (!stored.ok()) return ToGrpc(stored.status());
  if (ToMs(stored->conclude_time()) == now) outbox_.Deliver(e.workspace_id(), {member});  // this call concluded it
  log::Info("experiment concluded", {{"experiment_id", e.id()}, {"verdict", e.result().verdict()},
                                     {"winner", e.result().winner()}});
  *response = std::move(*stored);
  return grpc::Status::OK;
}

}  // namespace herald::campaign
