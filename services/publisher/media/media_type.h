#pragma once
// What a media file is, judged from its bytes (the magic numbers the networks
// check too), and whether a network takes it. A server's Content-Type header
// can lie (an error page served as 200 text/html); the bytes cannot. No I/O.
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "publisher/network_catalog.h"

namespace herald::publisher {

// "image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4"; "" when
// the bytes are none of these.
std::string SniffMediaType(std::string_view bytes);

// The file extension networks expect in an upload's filename ("png").
std::string MediaExtension(const std::string& type);

// OK when `network` takes a file of this type and size; otherwise
// INVALID_ARGUMENT saying what is wrong in the network's terms.
absl::Status CheckMediaFile(const std::string& type, int64_t size, const NetworkProfile& network);

}  // namespace herald::publisher
