#include "simulator/media_shelf.h"

#include <cstdlib>

namespace herald::sim {

namespace {
std::string Key(Net net, const std::string& id) { return std::string(NetName(net)) + "|" + id; }
}  // namespace

SimMedia MediaShelf::Add(SimMedia media) {
  std::lock_guard lock(mu_);
  if (media.id.empty()) media.id = std::to_string(next_++);
  media_[Key(media.net, media.id)] = media;
  return media;
}

std::optional<SimMedia> MediaShelf::Find(Net net, const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = media_.find(Key(net, id));
  if (it == media_.end()) return std::nullopt;
  return it->second;
}

bool MediaShelf::Update(Net net, const std::string& id, const std::function<void(SimMedia&)>& change) {
  std::lock_guard lock(mu_);
  auto it = media_.find(Key(net, id));
  if (it == media_.end()) return false;
  change(it->second);
  return true;
}

absl::StatusOr<std::vector<SimAttachment>> MediaShelf::Attach(Net net, const std::string& account_id,
                                                              const std::vector<std::string>& ids, int64_t now_ms,
                                                              bool exclusive) {
  std::lock_guard lock(mu_);
  std::vector<SimMedia*> found;
  for (const auto& id : ids) {
    auto it = media_.find(Key(net, id));
    if (it == media_.end() || it->second.account_id != account_id || !it->second.complete) {
      return absl::NotFoundError(id);
    }
    if (now_ms < it->second.ready_ms) return absl::FailedPreconditionError(id);
    if (exclusive && it->second.attached) return absl::AlreadyExistsError(id);
    found.push_back(&it->second);
  }
  std::vector<SimAttachment> out;
  for (auto* m : found) {
    m->attached = true;
    out.push_back({m->id, m->type, m->bytes});
  }
  return out;
}

nlohmann::json MediaShelf::Stats() const {
  std::lock_guard lock(mu_);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, m] : media_) {
    auto& n = out[NetName(m.net)];
    if (n.is_null()) n = {{"uploads", 0}, {"attached", 0}};
    n["uploads"] = n["uploads"].get<int64_t>() + 1;
    if (m.attached) n["attached"] = n["attached"].get<int64_t>() + 1;
  }
  return out;
}

std::optional<std::string> HostedMediaBytes(const std::string& extension, size_t size) {
  std::string head;
  if (extension == "jpg" || extension == "jpeg") {
    head = std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", 11);
  } else if (extension == "png") {
    head = std::string("\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR", 16);
  } else if (extension == "gif") {
    head = "GIF89a";
  } else if (extension == "webp") {
    head = std::string("RIFF\x00\x00\x00\x00WEBPVP8 ", 16);
  } else if (extension == "mp4") {
    head = std::string("\x00\x00\x00\x18" "ftypmp42", 12);
  } else if (extension == "txt") {
    head = "not an image: ";
  } else {
    return std::nullopt;
  }
  std::string out = head;
  out.resize(std::max(size, head.size()), extension == "txt" ? 'x' : '\x5A');
  return out;
}

std::string HostedMediaType(const std::string& extension) {
  if (extension == "jpg" || extension == "jpeg") return "image/jpeg";
  if (extension == "png" || extension == "gif" || extension == "webp") return "image/" + extension;
  if (extension == "mp4") return "video/mp4";
  return "text/plain";
}

std::optional<std::string> FetchHostedMedia(const std::string& url, const std::string& base) {
  const std::string prefix = base + "/_sim/media/";
  if (url.rfind(prefix, 0) != 0) return std::nullopt;
  std::string rest = url.substr(prefix.size());
  size_t size = 1024;
  if (auto q = rest.find('?'); q != std::string::npos) {
    std::string query = rest.substr(q + 1);
    rest = rest.substr(0, q);
    if (query.rfind("bytes=", 0) == 0) size = static_cast<size_t>(std::strtoull(query.c_str() + 6, nullptr, 10));
  }
  auto dot = rest.rfind('.');
  if (dot == std::string::npos || size > (64u << 20)) return std::nullopt;
  return HostedMediaBytes(rest.substr(dot + 1), size);
}

}  // namespace herald::sim
