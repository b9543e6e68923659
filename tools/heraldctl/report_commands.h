#pragma once
// heraldctl report: analytics' reports in the terminal.
//   report [--from -7d] [--to now] [--zone Z] [--by hour|day|week|total]
//          [--group channel|campaign|variant|post|rule|tag] [--ids a,b] [--figures f1,f2]
//   report top [--figure engagements] [--limit 10] [--channel CH] [--from] [--to]
//   report besttimes --channel CH [--zone Z]     a week heatmap of the channel's best hours
//   report export [same flags as report]         CSV on standard output (streamed)
#include <string>

#include "heraldctl/cli_common.h"

namespace heraldctl {

int Report(const Ctx& c, const std::string& what);

}  // namespace heraldctl
