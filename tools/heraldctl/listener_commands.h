#pragma once
// heraldctl commands served by the listener: listening rules and spike alerts.
#include <string>

#include "heraldctl/cli_common.h"

namespace heraldctl {

int CreateRule(const Ctx& c, const std::string& name);
int GetRules(const Ctx& c);
int DeleteRule(const Ctx& c, const std::string& id);
// Mention-volume spikes, newest first.
int GetAlerts(const Ctx& c);

}  // namespace heraldctl
