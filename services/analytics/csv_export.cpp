#include "analytics/csv_export.h"

#include <memory>
#include <mutex>

#include "absl/strings/str_format.h"
#include "analytics/report/report_builder.h"
#include "analytics/report_query.h"
#include "common/auth/server_auth.h"
#include "common/status.h"
#include "common/time_util.h"

namespace herald::analytics {
namespace {

// Rows per chunk (periods × groups), about a megabyte of CSV: under gRPC's
// 4 MB message limit however many groups a report has.
constexpr size_t kChunkRows = 5000;

std::string Utc(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixMillis(ToMs(ts)), absl::UTCTimeZone());
}

std::string Number(const v1::OptionalValue& v) {
  if (!v.has_value()) return "";
  double d = v.value();
  if (d == static_cast<double>(static_cast<int64_t>(d))) return std::to_string(static_cast<int64_t>(d));
  return absl::StrFormat("%.6g", d);
}

class ExportReactor final : public grpc::ServerWriteReactor<v1::CsvChunk> {
 public:
  ExportReactor(grpc::CallbackServerContext* ctx, const v1::GetReportRequest& request, RollupReader& reader,
                Executor& executor)
      : state_(std::make_shared<State>()) {
    state_->self = this;
    state_->reader = &reader;
    state_->executor = &executor;
    std::lock_guard lock(state_->mu);
    if (grpc::Status verdict = auth::CheckCall(ctx); !verdict.ok()) {
      FinishLocked(verdict);
      return;
    }
    state_->request = request;
    ScheduleLocked(state_);
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(state_->mu);
    if (!ok) {
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "the reader went away"));
      return;
    }
    if (state_->next >= state_->plan.periods.size()) {
      FinishLocked(grpc::Status::OK);
      return;
    }
    ScheduleLocked(state_);
  }

  void OnCancel() override {
    std::lock_guard lock(state_->mu);
    FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "the reader went away"));
  }

  void OnDone() override {
    {
      std::lock_guard lock(state_->mu);
      state_->self = nullptr;
    }
    delete this;
  }

 private:
  // Shared with the task on the executor, which may outlive the reactor.
  struct State {
    std::mutex mu;
    ExportReactor* self = nullptr;
    bool finished = false;
    RollupReader* reader = nullptr;
    Executor* executor = nullptr;
    v1::GetReportRequest request;
    bool planned = false;
    ReportPlan plan;
    size_t next = 0;  // the first period not yet written
    v1::CsvChunk chunk;
  };

  void FinishLocked(const grpc::Status& status) {
    if (state_->finished) return;
    state_->finished = true;
    Finish(status);
  }

  static void ScheduleLocked(const std::shared_ptr<State>& state) {
    bool queued = state->executor->Submit([state] { WriteNext(state); });
    if (!queued && state->self) {
      state->self->FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "too many calls in flight; retry later"));
    }
  }

  // Plans (the first time) and reads the next slice, without the lock: a
  // cancel must not wait on Redis.
  static void WriteNext(const std::shared_ptr<State>& state) {
    bool header = false;
    size_t first = 0, last = 0;
    {
      std::lock_guard lock(state->mu);
      if (!state->self || state->finished) return;
      header = !state->planned;
      first = state->next;
    }
    absl::Status status;
    if (header) {
      auto plan = PlanReport(state->request, *state->reader, /*whole=*/false);
      if (plan.ok()) {
        state->plan = *std::move(plan);  // only this task touches the plan until `planned`
      } else {
        status = plan.status();
      }
    }
    std::string rows;
    if (status.ok()) {
      size_t periods = std::max<size_t>(1, kChunkRows / std::max<size_t>(1, state->plan.series.size()));
      last = std::min(first + periods, state->plan.periods.size());
      auto report = RunReport(state->plan, *state->reader, first, last);
      if (report.ok()) {
        rows = CsvRows(*report, state->plan.figures, header);
      } else {
        status = report.status();
      }
    }
    std::lock_guard lock(state->mu);
    if (!state->self || state->finished) return;
    if (!status.ok()) {
      state->self->FinishLocked(ToGrpc(status));
      return;
    }
    state->planned = true;
    state->next = last;
    state->chunk.set_data(std::move(rows));
    state->self->StartWrite(&state->chunk);
  }

  std::shared_ptr<State> state_;
};

}  // namespace

std::string CsvRows(const v1::Report& report, const std::vector<v1::Figure>& figures, bool header) {
  std::string out;
  if (header) {
    out = "period_start_local,period_start_utc,group_id";
    for (auto f : figures) out += "," + FigureName(f);
    out += "\n";
  }
  for (int p = 0; p < report.periods_size(); ++p) {
    for (const auto& g : report.groups()) {
      out += report.periods(p).local_start() + "," + Utc(report.periods(p).start()) + "," + g.group_id();
      for (const auto& f : g.figures()) out += "," + Number(f.values(p));
      out += "\n";
    }
  }
  return out;
}

grpc::ServerWriteReactor<v1::CsvChunk>* StartCsvExport(grpc::CallbackServerContext* ctx,
                                                       const v1::GetReportRequest& request, RollupReader& reader,
                                                       Executor& executor) {
  return new ExportReactor(ctx, request, reader, executor);
}

}  // namespace herald::analytics
