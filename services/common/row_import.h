#pragma once
// A client-streaming bulk import: one request message per row, each judged
// like a request of its own (its error reported by row number, the others
// imported), bounded in rows and in idle time. Rows are read as raw bytes
// and decoded here: a row that does not decode ends the import with
// INVALID_ARGUMENT naming it (gRPC would report a decode failure exactly like
// the end of the stream, and the import would end OK with rows silently
// dropped). A stream that sends nothing for the idle timeout is closed, so an
// abandoned import holds nothing. One row is handled at a time, on the
// executor, with the caller's identity set (auth::CallerScope).
//
// Summary is the answer message: it has `repeated RowError errors` (row,
// message); `counted` records a row the handler accepted.
#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "common/auth/server_auth.h"
#include "common/executor.h"

namespace herald {

template <class Row, class Summary>
struct RowImport {
  // Handles one row (on the executor); fills `id` with what it made, if anything.
  std::function<grpc::Status(const Row& row, std::string* id)> handle;
  // Records an accepted row in the answer (under the import's lock).
  std::function<void(Summary& summary, const std::string& id)> counted;
  int max_rows = 10000;
  std::chrono::milliseconds idle_timeout{30000};
};

template <class Row, class Summary>
class RowImportReactor : public grpc::ServerReadReactor<grpc::ByteBuffer> {
 public:
  RowImportReactor(grpc::CallbackServerContext* ctx, Executor& executor, grpc::ByteBuffer* response,
                   RowImport<Row, Summary> import)
      : ctx_(ctx), executor_(executor), response_(response), import_(std::move(import)) {
    std::lock_guard lock(mu_);
    ReadNextLocked();
  }

  void OnReadDone(bool ok) override {
    {
      std::lock_guard lock(mu_);
      reading_ = false;
    }
    if (!ok) {
      // The end of the stream (also of one with no rows): the caller's verdict stands.
      grpc::Status verdict = auth::CheckCall(ctx_);
      End(row_number_ == 0 && !verdict.ok() ? verdict : grpc::Status::OK);
      return;
    }
    ++row_number_;
    Row row;
    if (!grpc::SerializationTraits<Row>::Deserialize(&buffer_, &row).ok()) {
      End(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "invalid argument: row " + std::to_string(row_number_) +
                                                               ": not a " + Row::descriptor()->name() +
                                                               "; rows before it were imported"));
      return;
    }
    if (row_number_ > import_.max_rows) {
      // Rows so far were imported (each row is its own request, reported in
      // the answer); the rest of the stream is refused.
      End(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "invalid argument: rows: at most " +
                                                               std::to_string(import_.max_rows) +
                                                               " per call; split the import"));
      return;
    }
    // Every row is judged like a request of its own: one out of bounds is
    // that row's error, like any other invalid row; one naming another
    // workspace ends the import.
    if (grpc::Status verdict = auth::CheckStreamedRequest(ctx_, &row, &caller_); !verdict.ok()) {
      if (verdict.error_code() != grpc::StatusCode::INVALID_ARGUMENT) {
        End(verdict);
        return;
      }
      std::lock_guard lock(mu_);
      RowErrorLocked(verdict.error_message());
      ReadNextLocked();
      return;
    }
    bool queued = executor_.Submit([this, row = std::move(row)] {
      auth::CallerScope scope(&caller_);
      std::string id;
      grpc::Status s = import_.handle(row, &id);
      std::lock_guard lock(mu_);
      if (s.ok()) {
        import_.counted(summary_, id);
      } else {
        RowErrorLocked(s.error_message());
      }
      ReadNextLocked();
    });
    if (!queued) End(grpc::Status(grpc::StatusCode::UNAVAILABLE, "server is shutting down"));
  }

  void OnDone() override {
    bool last;
    {
      std::lock_guard lock(mu_);
      done_ = true;
      last = !alarm_pending_;
      if (alarm_pending_) alarm_->Cancel();  // its callback (not inline) deletes
    }
    if (last) delete this;
  }

 private:
  void RowErrorLocked(const std::string& message) {
    auto* e = summary_.add_errors();
    e->set_row(row_number_);
    e->set_message(message);
  }

  // Holding mu_: StartRead never runs a reaction on the calling thread.
  void ReadNextLocked() {
    if (finished_) return;
    reading_ = true;
    read_started_ = std::chrono::steady_clock::now();
    if (!alarm_pending_) ArmIdleAlarm(import_.idle_timeout);
    StartRead(&buffer_);
  }

  // One alarm at a time; when it fires early (rows kept coming) it is armed
  // again for the rest of the current read's idle time. Replacing (or
  // deleting) an alarm from its own callback is safe: gRPC holds the alarm
  // until its callback returns.
  void ArmIdleAlarm(std::chrono::steady_clock::duration after) {
    alarm_pending_ = true;
    alarm_ = std::make_unique<grpc::Alarm>();
    alarm_->Set(std::chrono::system_clock::now() + after, [this](bool fired) { OnIdleAlarm(fired); });
  }

  void OnIdleAlarm(bool fired) {
    bool remove = false;
    {
      std::lock_guard lock(mu_);
      alarm_pending_ = false;
      if (done_) {
        remove = true;
      } else if (fired && !finished_ && reading_) {
        // Only time spent waiting on the caller counts; a row being handled
        // is the server's own time.
        auto idle = std::chrono::steady_clock::now() - read_started_;
        if (idle >= import_.idle_timeout) {
          FinishLocked(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                    "import idle: no row for " + std::to_string(import_.idle_timeout.count()) + " ms"));
        } else {
          ArmIdleAlarm(import_.idle_timeout - idle);
        }
      } else if (fired && !finished_) {
        ArmIdleAlarm(import_.idle_timeout);
      }
    }
    // The reactor outlives the alarm's callback (OnDone waits for it).
    if (remove) delete this;
  }

  void End(const grpc::Status& status) {
    std::lock_guard lock(mu_);
    FinishLocked(status);
  }

  void FinishLocked(const grpc::Status& status) {
    if (finished_) return;
    finished_ = true;
    std::string bytes = summary_.SerializeAsString();
    grpc::Slice slice(bytes);
    *response_ = grpc::ByteBuffer(&slice, 1);
    Finish(status);
  }

  grpc::CallbackServerContext* ctx_;
  auth::Caller caller_;
  Executor& executor_;
  grpc::ByteBuffer* response_;
  RowImport<Row, Summary> import_;
  grpc::ByteBuffer buffer_;
  Summary summary_;
  int row_number_ = 0;

  std::mutex mu_;
  bool finished_ = false;
  bool done_ = false;
  bool reading_ = false;  // a read is waiting on the caller
  bool alarm_pending_ = false;
  std::unique_ptr<grpc::Alarm> alarm_;
  std::chrono::steady_clock::time_point read_started_;
};

// Serves one import call (the reactor deletes itself when done).
template <class Row, class Summary>
grpc::ServerReadReactor<grpc::ByteBuffer>* StartRowImport(grpc::CallbackServerContext* ctx, Executor& executor,
                                                          grpc::ByteBuffer* response, RowImport<Row, Summary> import) {
  return new RowImportReactor<Row, Summary>(ctx, executor, response, std::move(import));
}

}  // namespace herald
