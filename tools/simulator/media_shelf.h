#pragma once
// Media as the networks hold it between upload and post: each upload is
// owned by one account, may still be processing, and is attached to at most
// one post. Also the simulator's own media host (/_sim/media/<name>.<ext>),
// whose files the Graph routes "fetch" the way Facebook and Instagram fetch
// an image_url — without any real outbound request. No HTTP here.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "simulator/sim_core.h"

namespace herald::sim {

struct SimMedia {
  std::string id;
  Net net = Net::kMastodon;
  std::string account_id;
  std::string type;       // sniffed from the bytes once they are all in
  int64_t bytes = 0;      // received so far
  int64_t expected = 0;   // announced size (X's initialize); 0 when not announced
  std::string head;       // the first bytes (for sniffing a chunked upload)
  bool complete = false;  // every byte arrived (finalized, PUT done, uploaded)
  int64_t ready_ms = 0;   // processing ends
  bool attached = false;  // to a post (once only)
};

class MediaShelf {
 public:
  // A new upload; `id` empty: the shelf numbers it.
  SimMedia Add(SimMedia media);
  std::optional<SimMedia> Find(Net net, const std::string& id) const;
  // Changes an upload in place; false when there is none.
  bool Update(Net net, const std::string& id, const std::function<void(SimMedia&)>& change);
  // Attaches uploads to a post: each must be the account's, complete and
  // ready at now_ms, and where the network attaches an upload once only
  // (`exclusive`: Mastodon, Facebook) not attached yet — or nothing is
  // attached and the error names the one that is not (FAILED_PRECONDITION:
  // not ready yet; NOT_FOUND; ALREADY_EXISTS: attached to another post).
  absl::StatusOr<std::vector<SimAttachment>> Attach(Net net, const std::string& account_id,
                                                    const std::vector<std::string>& ids, int64_t now_ms,
                                                    bool exclusive);
  // Uploads per network and how many are attached.
  nlohmann::json Stats() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, SimMedia> media_;  // net|id
  uint64_t next_ = 1'600'000'000'000'000'000ULL;
};

// The bytes /_sim/media/<name>.<ext> serves: a real file header for the
// extension's type (jpg, png, gif, webp, mp4), padded to `size`; "txt" is a
// text file (not media). nullopt for an extension the host does not serve.
std::optional<std::string> HostedMediaBytes(const std::string& extension, size_t size);
// The content type the host labels `extension` with.
std::string HostedMediaType(const std::string& extension);
// What a network fetching `url` would get when the URL is on the
// simulator's media host at `base`: the bytes; nullopt when it is elsewhere
// or not served (the network cannot fetch it).
std::optional<std::string> FetchHostedMedia(const std::string& url, const std::string& base);

}  // namespace herald::sim
