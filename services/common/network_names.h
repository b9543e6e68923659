#pragma once
// The networks' names as Herald writes them everywhere (flags, files, logs,
// metrics labels, listening queries): "mastodon" ↔ NETWORK_MASTODON, ...
#include <string>

#include "herald/common/v1/common.pb.h"

namespace herald {

// NETWORK_UNSPECIFIED for an unknown name; "" for an unknown network.
herald::common::v1::Network NetworkFromName(const std::string& name);
std::string NetworkName(herald::common::v1::Network network);

}  // namespace herald
