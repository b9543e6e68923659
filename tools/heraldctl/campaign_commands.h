#pragma once
// heraldctl's campaign commands:
//   create campaign --name N --objective O [--budget 5000 --currency EUR] [--daily-budget 200]
//                   [--zone Z --start 2026-12-01 --end 2026-12-31] [--channels a,b] [--owner O]
//                   [--target-cpa 12.50] [--target-roas 4] [--utm-source S --utm-medium M ...] [--activate]
//   get campaigns [--status active,paused] [--objective O] [--owner O] | get campaign ID
//   update campaign ID [any create flag]        only the flags given change
//   activate|pause|complete|archive campaign ID [--reason R] [--skip-missed]
//   attach post POST_ID --campaign ID
//   create link --campaign ID --url URL [--post P --channel CH --variant V] [--utm-source S ...]
//   get links --campaign ID
// Returns -1 when the command is not one of these.
#include <cstdint>
#include <optional>
#include <string>

#include "heraldctl/cli_common.h"

namespace heraldctl {

int RunCampaignCommand(const Ctx& c, const std::string& verb, const std::string& noun, const std::string& id);

// "12.5" → 12500000 micros, exactly (at most 6 decimals; no exponent).
std::optional<int64_t> ParseMoneyMicros(const std::string& text);

}  // namespace heraldctl
