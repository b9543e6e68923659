#include "listener/inbox/inbox_watch.h"

#include <deque>
#include <memory>
#include <mutex>

#include "common/auth/server_auth.h"
#include "common/ids.h"
#include "common/status.h"

namespace herald::listener {

namespace {

constexpr int kBatch = 100;

class WatchReactor final : public grpc::ServerWriteReactor<v1::InboxChange> {
 public:
  WatchReactor(grpc::CallbackServerContext* ctx, const v1::WatchInboxRequest& request, InboxFeed& feed,
               Executor& executor)
      : feed_(feed), executor_(executor), state_(std::make_shared<State>()) {
    state_->self = this;
    state_->feed = &feed;
    std::lock_guard lock(state_->mu);
    if (grpc::Status verdict = auth::CheckCall(ctx); !verdict.ok()) {
      FinishLocked(verdict);
      return;
    }
    FieldErrors errors;
    if (!IsValidId(request.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
    if (!request.resume_token().empty() && !InboxFeed::IsToken(request.resume_token())) {
      errors.Add("resume_token", "not a token this feed gave");
    }
    if (!errors.ok()) {
      FinishLocked(errors.ToGrpc());
      return;
    }
    state_->workspace = request.workspace_id();
    state_->token = request.resume_token();
    // Start on the executor: the first reads wait on Redis.
    auto state = state_;
    Executor* on = &executor_;
    bool queued = executor_.Submit([state, on] { Begin(state, on); });
    if (!queued) FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "too many calls in flight; retry later"));
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(state_->mu);
    state_->writing = false;
    if (!ok) {
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "the watcher went away"));
      return;
    }
    WriteNextLocked();
  }

  void OnCancel() override {
    std::lock_guard lock(state_->mu);
    FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "the watcher went away"));
  }

  void OnDone() override {
    int64_t subscription;
    {
      std::lock_guard lock(state_->mu);
      state_->self = nullptr;
      subscription = state_->subscription;
      state_->subscription = 0;
    }
    if (subscription > 0) feed_.Unsubscribe(state_->workspace, subscription);
    delete this;
  }

 private:
  // Shared with tasks on the executor and the feed's bell, which may outlive
  // the reactor: they act only while `self` is set and nothing finished.
  struct State {
    std::mutex mu;
    WatchReactor* self = nullptr;
    InboxFeed* feed = nullptr;
    std::string workspace;
    std::string token;  // the last change sent (or where to start)
    int64_t subscription = 0;  // to the feed's bell, once subscribed
    std::deque<v1::InboxChange> queue;
    bool writing = false, fetching = false, rang = false, finished = false;
  };

  // Finds where to start and hangs on the feed's bell. The Redis reads run
  // without the lock (a cancel must not wait on them); the reactor may be
  // done meanwhile, so only the state is used, and a subscription made for a
  // watch that ended is let go here.
  static void Begin(const std::shared_ptr<State>& state, Executor* executor) {
    std::string token, workspace;
    {
      std::lock_guard lock(state->mu);
      if (!state->self || state->finished) return;
      token = state->token;
      workspace = state->workspace;
    }
    InboxFeed& feed = *state->feed;
    absl::Status status;
    if (token.empty()) {
      auto latest = feed.Latest(workspace);
      if (latest.ok()) {
        token = *latest;
      } else {
        status = latest.status();
      }
    } else {
      status = feed.CheckResumable(workspace, token);
    }
    int64_t subscription = 0;
    if (status.ok()) {
      std::weak_ptr<State> weak = state;
      auto subscribed = feed.Subscribe(workspace, [weak, executor] { Ring(weak, executor); });
      if (subscribed.ok()) {
        subscription = *subscribed;
      } else {
        status = subscribed.status();
      }
    }
    std::unique_lock lock(state->mu);
    if (!state->self) {  // done already: nobody else will let the bell go
      lock.unlock();
      if (subscription > 0) feed.Unsubscribe(workspace, subscription);
      return;
    }
    state->subscription = subscription;  // let go by OnDone
    if (!status.ok()) {
      state->self->FinishLocked(ToGrpc(status));
      return;
    }
    state->token = token;
    // What was written before the bell was hung is read now.
    state->rang = true;
    FetchLocked(state, executor);
  }

  // The bell: new changes are in the feed.
  static void Ring(const std::weak_ptr<State>& weak, Executor* executor) {
    auto state = weak.lock();
    if (!state) return;
    std::lock_guard lock(state->mu);
    state->rang = true;
    FetchLocked(state, executor);
  }

  // Reads the next batch after the token unless a batch is being written or read.
  static void FetchLocked(const std::shared_ptr<State>& state, Executor* executor) {
    if (state->finished || !state->self || state->fetching || state->writing || !state->queue.empty() || !state->rang) {
      return;
    }
    state->fetching = true;
    state->rang = false;
    bool queued = executor->Submit([state, executor] {
      std::string token;
      {
        std::lock_guard lock(state->mu);
        if (!state->self) return;
        token = state->token;
      }
      // Outside the lock (Redis reads); the state outlives the reactor.
      auto batch = state->feed->After(state->workspace, token, kBatch);
      // A watcher that fell behind the feed's trimming would skip changes
      // without knowing: checked after the read, so what it got follows the
      // token with nothing dropped in between, or the watch ends saying so.
      if (batch.ok() && !batch->empty()) {
        if (auto kept = state->feed->CheckResumable(state->workspace, token); !kept.ok()) batch = kept;
      }
      std::lock_guard lock(state->mu);
      state->fetching = false;
      if (state->finished || !state->self) return;
      if (!batch.ok()) {
        state->self->FinishLocked(ToGrpc(batch.status()));
        return;
      }
      // A full batch may have more behind it: read again once it is written.
      if (static_cast<int>(batch->size()) == kBatch) state->rang = true;
      for (auto& change : *batch) state->queue.push_back(std::move(change));
      state->self->WriteNextLocked();
    });
    if (!queued) {
      // The executor is full: the next ring (or the next write) tries again.
      state->fetching = false;
      state->rang = true;
    }
  }

  void WriteNextLocked() {
    if (state_->finished || state_->writing) return;
    while (!state_->queue.empty()) {
      current_ = std::move(state_->queue.front());
      state_->queue.pop_front();
      state_->token = current_.token();
      if (current_.kind() == v1::InboxChange::KIND_UNSPECIFIED) continue;  // unreadable: skipped
      state_->writing = true;
      StartWrite(&current_);
      return;
    }
    FetchLocked(state_, &executor_);
  }

  void FinishLocked(const grpc::Status& status) {
    if (state_->finished) return;
    state_->finished = true;
    Finish(status);
  }

  InboxFeed& feed_;
  Executor& executor_;
  std::shared_ptr<State> state_;
  v1::InboxChange current_;
};

}  // namespace

grpc::ServerWriteReactor<v1::InboxChange>* StartInboxWatch(grpc::CallbackServerContext* ctx,
                                                            const v1::WatchInboxRequest* request, InboxFeed& feed,
                                                            Executor& executor) {
  return new WatchReactor(ctx, *request, feed, executor);
}

}  // namespace herald::listener
