#include "listener/inbox/inbox_timers.h"

#include "common/log.h"

namespace herald::listener {

namespace {
constexpr int64_t kRetryMs = 30'000;
}  // namespace

absl::StatusOr<int> InboxTimers::RunOnce() {
  auto workspaces = conversations_.WorkspacesWithTimers();
  if (!workspaces.ok()) return workspaces.status();
  int looked = 0;
  for (const auto& ws : *workspaces) {
    auto due = conversations_.Due(ws, clock_.NowMs(), 100);
    if (!due.ok()) {
      log::Warn("inbox timers not read", {{"workspace_id", ws}, {"error", due.status().ToString()}});
      continue;  // the other workspaces still get their turn
    }
    for (const auto& id : *due) {
      ++looked;
      if (auto s = desk_.Tick(ws, id); !s.ok()) {
        log::Warn("inbox timer failed", {{"workspace_id", ws}, {"conversation_id", id}, {"error", s.ToString()}});
        // Looked at again later, so one that keeps failing cannot hold up
        // the workspace's other timers (Due answers the oldest first).
        (void)conversations_.Postpone(ws, id, clock_.NowMs() + kRetryMs);
      }
    }
  }
  return looked;
}

}  // namespace herald::listener
