#include "publisher/connectors/media_upload.h"

#include <algorithm>
#include <random>

#include "publisher/media/media_type.h"

namespace herald::publisher {

namespace {

PublishAttempt Refused(PublishAttempt::Kind kind, const std::string& error) {
  PublishAttempt out;
  out.kind = kind;
  out.error = error;
  return out;
}

}  // namespace

FetchedMedia FetchMedia(const std::vector<std::string>& urls, herald::common::v1::Network network,
                        const ConnectorOptions& options) {
  FetchedMedia out;
  const NetworkCatalog& catalog = options.networks ? *options.networks : NetworkCatalog::Embedded();
  const NetworkProfile* profile = catalog.Find(network);
  if (!profile) {
    out.failure = Refused(PublishAttempt::Kind::kContentRejected, "no media rules for this network");
    return out;
  }
  for (size_t i = 0; i < urls.size(); ++i) {
    const std::string field = "media_urls[" + std::to_string(i) + "]";
    HttpRequest req;
    req.url = urls[i];
    req.timeout = options.timeout;
    // A larger answer is cut off at the limit: never more is read into memory.
    req.max_response_bytes = static_cast<size_t>(profile->media.max_image_bytes);
    auto res = SendHttp(req);
    if (!res.ok()) {
      auto code = res.status().code();
      if (code == absl::StatusCode::kDataLoss && res.status().message().find("larger") != std::string_view::npos) {
        out.failure = Refused(PublishAttempt::Kind::kContentRejected,
                              field + ": larger than " + std::to_string(profile->media.max_image_bytes) + " bytes; " +
                                  profile->name + " takes no larger image");
      } else if (code == absl::StatusCode::kPermissionDenied || code == absl::StatusCode::kInvalidArgument) {
        out.failure = Refused(PublishAttempt::Kind::kContentRejected, field + ": " + std::string(res.status().message()));
      } else {
        out.failure = Refused(PublishAttempt::Kind::kTransient, field + ": " + std::string(res.status().message()));
      }
      return out;
    }
    if (res->status != 200) {
      bool for_good = res->status >= 400 && res->status < 500 && res->status != 408 && res->status != 429;
      out.failure = Refused(for_good ? PublishAttempt::Kind::kContentRejected : PublishAttempt::Kind::kTransient,
                            field + ": the media URL answered " + std::to_string(res->status));
      return out;
    }
    std::string type = SniffMediaType(res->body);
    if (auto ok = CheckMediaFile(type, static_cast<int64_t>(res->body.size()), *profile); !ok.ok()) {
      out.failure = Refused(PublishAttempt::Kind::kContentRejected, field + ": " + std::string(ok.message()));
      return out;
    }
    out.files.push_back({urls[i], type, std::move(res->body)});
  }
  out.ok = true;
  return out;
}

PublishAttempt UploadStep(PublishAttempt attempt, const std::string& what) {
  if (attempt.kind == PublishAttempt::Kind::kUnknownOutcome) attempt.kind = PublishAttempt::Kind::kTransient;
  if (attempt.kind != PublishAttempt::Kind::kPublished) attempt.error = what + ": " + attempt.error;
  return attempt;
}

PublishAttempt AwaitProcessing(const ConnectorOptions& options, const std::string& what,
                               const std::function<std::optional<PublishAttempt>()>& check,
                               std::chrono::milliseconds interval) {
  const int rounds = std::max<int>(1, static_cast<int>(options.timeout / interval));
  for (int i = 0; i < rounds; ++i) {
    if (auto done = check()) return *done;
    options.clock->SleepFor(interval);
  }
  return Refused(PublishAttempt::Kind::kTransient, what + " was still being processed");
}

Multipart::Multipart() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  static const char kHex[] = "0123456789abcdef";
  boundary_ = "herald-";
  for (int i = 0; i < 24; ++i) boundary_ += kHex[gen() % 16];
}

void Multipart::Field(const std::string& name, const std::string& value) {
  body_ += "--" + boundary_ + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
}

void Multipart::File(const std::string& name, const std::string& filename, const std::string& type,
                     const std::string& bytes) {
  body_ += "--" + boundary_ + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + filename +
           "\"\r\nContent-Type: " + type + "\r\n\r\n";
  body_ += bytes;
  body_ += "\r\n";
}

std::string Multipart::Finish() {
  body_ += "--" + boundary_ + "--\r\n";
  return std::move(body_);
}

}  // namespace herald::publisher
