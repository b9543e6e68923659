#pragma once
// heraldctl's recommendation commands:
//   get recommendations --campaign C [--lookback-days 28]   proposals, their reasons and expected effect
//   apply recommendation REC_ID --campaign C                 applies one that still holds
// Returns -1 when the command is not one of these.
#include <string>

#include "heraldctl/cli_common.h"

namespace heraldctl {

int RunRecommendationCommand(const Ctx& c, const std::string& verb, const std::string& noun, const std::string& id);

}  // namespace heraldctl
