#pragma once
// What every uploading connector does before it posts: fetch each attachment
// from the URL the post names (through the egress policy, bounded by the
// network's largest image), check it is a file the network takes, and judge
// upload answers. An upload publishes nothing, so an upload whose outcome is
// unknown is simply retried (an orphaned upload expires unseen).
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/http_client.h"
#include "publisher/connectors/connector.h"
#include "publisher/network_catalog.h"

namespace herald::publisher {

struct MediaFile {
  std::string url;
  std::string type;  // sniffed from the bytes, not taken from the server's header
  std::string bytes;
};

// Every attachment of the post, fetched and checked; on failure the attempt
// to return: kContentRejected when the file itself is wrong or unreachable for
// good (4xx, too large, wrong type, a refused address), kTransient when the
// host is down for now.
struct FetchedMedia {
  std::vector<MediaFile> files;
  bool ok = false;
  PublishAttempt failure;
};
FetchedMedia FetchMedia(const std::vector<std::string>& urls, herald::common::v1::Network network,
                        const ConnectorOptions& options);

// An upload step's attempt as the delivery should see it: kPublished means
// "uploaded, go on"; an unknown outcome becomes transient.
PublishAttempt UploadStep(PublishAttempt attempt, const std::string& what);

// Networks process uploads after accepting them. Calls `check` every
// `interval` on the options' clock for at most one call timeout (the
// delivery's claim must outlive the whole attempt): `check` answers nullopt
// while the network is still processing, else the attempt to return (kPublished
// for ready). Still processing at the end: transient, naming `what`.
PublishAttempt AwaitProcessing(const ConnectorOptions& options, const std::string& what,
                               const std::function<std::optional<PublishAttempt>()>& check,
                               std::chrono::milliseconds interval = std::chrono::milliseconds(250));

// multipart/form-data (RFC 7578): fields and files, one boundary.
class Multipart {
 public:
  Multipart();
  void Field(const std::string& name, const std::string& value);
  void File(const std::string& name, const std::string& filename, const std::string& type, const std::string& bytes);
  std::string ContentType() const { return "multipart/form-data; boundary=" + boundary_; }
  // The finished body (call once, after every part).
  std::string Finish();

 private:
  std::string boundary_;
  std::string body_;
};

}  // namespace herald::publisher
