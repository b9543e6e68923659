#pragma once
// heraldctl commands of the team inbox (the listener's InboxService):
// conversations and their verbs, the live watch, agents, saved replies, the
// SLA policy and automated answers.
#include <string>

#include "heraldctl/cli_common.h"

namespace heraldctl {

// Runs `verb noun [id]` when it is an inbox command: its exit code, or -1
// when the command is not one of these.
int RunInboxCommand(const Ctx& c, const std::string& verb, const std::string& noun, const std::string& id);

}  // namespace heraldctl
