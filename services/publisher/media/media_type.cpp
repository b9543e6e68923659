#include "publisher/media/media_type.h"

#include <algorithm>

namespace herald::publisher {

namespace {
bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
}  // namespace

std::string SniffMediaType(std::string_view b) {
  if (StartsWith(b, "\xFF\xD8\xFF")) return "image/jpeg";
  if (StartsWith(b, "\x89PNG\r\n\x1A\n")) return "image/png";
  if (StartsWith(b, "GIF87a") || StartsWith(b, "GIF89a")) return "image/gif";
  if (b.size() >= 12 && StartsWith(b, "RIFF") && b.substr(8, 4) == "WEBP") return "image/webp";
  if (b.size() >= 12 && b.substr(4, 4) == "ftyp") return "video/mp4";
  return "";
}

std::string MediaExtension(const std::string& type) {
  if (type == "image/jpeg") return "jpg";
  if (type == "video/mp4") return "mp4";
  auto slash = type.find('/');
  return slash == std::string::npos ? "bin" : type.substr(slash + 1);
}

absl::Status CheckMediaFile(const std::string& type, int64_t size, const NetworkProfile& network) {
  const auto& types = network.media.image_types;
  if (type.empty() || std::find(types.begin(), types.end(), type) == types.end()) {
    std::string allowed;
    for (const auto& t : types) allowed += (allowed.empty() ? "" : ", ") + t;
    return absl::InvalidArgumentError((type.empty() ? std::string("not an image") : type) + "; " + network.name +
                                      " takes " + (allowed.empty() ? "no uploaded files" : allowed));
  }
  if (size <= 0) return absl::InvalidArgumentError("an empty file");
  if (size > network.media.max_image_bytes) {
    return absl::InvalidArgumentError(std::to_string(size) + " bytes; " + network.name + " takes images up to " +
                                      std::to_string(network.media.max_image_bytes) + " bytes");
  }
  return absl::OkStatus();
}

}  // namespace herald::publisher
