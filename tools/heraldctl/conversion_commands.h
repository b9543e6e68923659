#pragma once
// heraldctl's conversion and spend commands:
//   import conversions --file orders.csv [--source shop] [--model last_click|linear] [--window-days 7]
//       CSV with a header naming its columns: event_id, stage (lead|sale),
//       click_id, customer_id, value (12.50), currency, converted_at
//       (RFC 3339); only event_id and stage are required. Sent 500 rows a
//       call; every row is checked first, a bad one named by its line.
//   get conversion EVENT_ID [--source shop]
//   record spend --campaign C --channel CH --day 2026-12-01 --amount 12.50 --currency EUR
//   get pacing --campaign C [--day 2026-12-01]
// Returns -1 when the command is not one of these.
#include <string>

#include "heraldctl/cli_common.h"

namespace heraldctl {

int RunConversionCommand(const Ctx& c, const std::string& verb, const std::string& noun, const std::string& id);

}  // namespace heraldctl
