#pragma once
// Text limits as each network enforces them: the counts and maxima come from
// networks.json (the same data the publisher validates with), so a limit
// changes in one place.
#include <string>
#include <string_view>

#include "absl/status/status.h"

#include "simulator/sim_core.h"

namespace herald::sim {

// Length of `text` as `net` counts it (X: weighted, URLs 23; Bluesky:
// graphemes; the rest: code points).
int CountedLength(Net net, const std::string& text);
int MaxLength(Net net);
int CodePoints(const std::string& text);
// The network's API version from networks.json ("" when it has none), and
// the oldest version it still serves.
std::string ApiVersion(Net net);
std::string OldestApiVersion(Net net);
// Media the network takes (the same networks.json rules): how many per post,
// and whether a file starting with `head` of `size` bytes is one it accepts
// (`type` gets what the bytes are).
int MaxMedia(Net net);
int64_t MaxImageBytes(Net net);
absl::Status CheckUpload(Net net, std::string_view head, int64_t size, std::string* type);

}  // namespace herald::sim
