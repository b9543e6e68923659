#pragma once
// What the inbox does when time passes rather than on an event: a snooze
// ends, an SLA clock reaches its warning or breach. Each conversation keeps
// the instant it next needs a look (conversation_store.h); this sweeps the
// ones that are due. Replicas may sweep at once: each change is versioned
// and each alert recorded as sent, so it happens once.
#include <cstdint>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "listener/inbox/conversation_store.h"
#include "listener/inbox/inbox_desk.h"

namespace herald::listener {

class InboxTimers {
 public:
  InboxTimers(ConversationStore& conversations, InboxDesk& desk, const Clock& clock)
      : conversations_(conversations), desk_(desk), clock_(clock) {}
  // One sweep; how many conversations it looked at.
  absl::StatusOr<int> RunOnce();

 private:
  ConversationStore& conversations_;
  InboxDesk& desk_;
  const Clock& clock_;
};

}  // namespace herald::listener
