#pragma once
// heraldctl's experiment commands:
//   create experiment --campaign C --name N --variant A='text' --variant B='text' [--link A=URL ...]
//                     --channel CH [--channel CH2] --slots +1h,+1d,2026-12-08T09:00:00Z
//                     --metric engagement_rate|ctr|conversion_rate --baseline 0.10 --mde 0.02
//                     [--holdout 0.5] [--sequential] [--alpha 0.05] [--power 0.8] [--request-id ID]
//   get experiments --campaign C | get experiment ID     status, per-variant rates, verdict
//   conclude experiment ID                                a final verdict ends it (losers cancelled if allowed)
// Returns -1 when the command is not one of these.
#include <string>

#include "heraldctl/cli_common.h"

namespace heraldctl {

int RunExperimentCommand(const Ctx& c, const std::string& verb, const std::string& noun, const std::string& id);

}  // namespace heraldctl
