#include "listener/inbox/inbox_timers.h"

#include "common/log.h"

namespace herald::listener {

absl::StatusOr<int> InboxTimers::RunOnce() {
  auto workspaces = conversations_.WorkspacesWithTimers();
  if (!workspaces.ok()) return workspaces.status();
  int looked = 0;
  for (const auto& ws : *workspaces) {
    auto due = conversations_.Due(ws, clock_.NowMs(), 100);
    if (!due.ok()) return due.status();
    for (const auto& id : *due) {
      ++looked;
      if (auto s = desk_.Tick(ws, id); !s.ok()) {
        log::Warn("inbox timer failed", {{"workspace_id", ws}, {"conversation_id", id}, {"error", s.ToString()}});
      }
    }
  }
  return looked;
}

}  // namespace herald::listener
