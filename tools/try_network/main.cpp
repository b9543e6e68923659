// herald-try-network: publishes one post to a real account through Herald's
// own connector and prints everything the network answered — a smoke test of
// one connector (its base URL, API version and credentials) without the rest
// of the platform. Credentials come from the environment, never from flags
// (they would show in `ps` and shell history):
//   HERALD_TRY_TOKEN       access token (Bluesky: an app password)
//   HERALD_TRY_IDENTIFIER  Bluesky handle (other networks ignore it)
// Everything else is a flag; see --help. Prints one JSON object per step.
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/config.h"
#include "common/time_util.h"
#include "publisher/connectors/connector.h"
#include "publisher/network_catalog.h"

namespace {

using herald::publisher::PublishAttempt;
using json = nlohmann::ordered_json;  // keys print in the order written

const char* KindName(PublishAttempt::Kind kind) {
  switch (kind) {
    case PublishAttempt::Kind::kPublished: return "published";
    case PublishAttempt::Kind::kRateLimited: return "rate_limited";
    case PublishAttempt::Kind::kTransient: return "transient";
    case PublishAttempt::Kind::kUnknownOutcome: return "unknown_outcome";
    case PublishAttempt::Kind::kAuthRejected: return "auth_rejected";
    case PublishAttempt::Kind::kContentRejected: return "content_rejected";
  }
  return "?";
}

void Print(const json& j) { std::printf("%s\n", j.dump().c_str()); }

}  // namespace

int main(int argc, char** argv) {
  auto s = herald::Settings::FromMain("try-network", argc, argv);
  std::string network_name = s.Choice("network", "mastodon",
                                      {"mastodon", "x", "bluesky", "linkedin", "facebook", "instagram"},
                                      "the network to try");
  std::string base_url = s.Required("base-url", "the network's API root, e.g. https://mastodon.social");
  std::string account_id = s.String("account-id", "", "the account id (default: what the token says it is)");
  std::string text = s.String("text", "", "what to post (default: a dated test line)");
  std::string media = s.String("media-url", "", "an image URL (Instagram needs one)");
  std::string version = s.String("api-version", "", "API version (default: networks.json's)");
  bool dry_run = s.Bool("dry-run", false, "verify the credentials and read back, but post nothing");
  int timeout_ms = static_cast<int>(s.Int("timeout-ms", 15000, 100, 120000, "timeout of each call"));
  s.ExitOnError();
  const char* token = std::getenv("HERALD_TRY_TOKEN");
  if (!token || !*token) {
    std::fprintf(stderr, "try-network: set HERALD_TRY_TOKEN (and HERALD_TRY_IDENTIFIER for Bluesky)\n");
    return 2;
  }
  const char* identifier = std::getenv("HERALD_TRY_IDENTIFIER");

  herald::common::v1::Network network = herald::publisher::NetworkFromName(network_name);
  herald::publisher::ConnectorOptions options;
  options.timeout = std::chrono::milliseconds(timeout_ms);
  options.api_version = version;
  auto connector = herald::publisher::MakeConnector(network, options);
  herald::publisher::Endpoint ep{base_url, token, account_id, identifier ? identifier : ""};

  auto who = connector->VerifyCredentials(ep);
  if (!who.ok()) {
    Print({{"step", "verify_credentials"}, {"ok", false}, {"error", who.status().ToString()}});
    return 1;
  }
  Print({{"step", "verify_credentials"}, {"ok", true}, {"account_id", who->remote_id}, {"handle", who->handle}});
  if (ep.account_id.empty()) ep.account_id = who->remote_id;

  int64_t now = herald::SystemClock::Instance().NowMs();
  if (!dry_run) {
    herald::publisher::OutgoingPost post;
    post.text = text.empty() ? "Herald connector check " + herald::FormatRfc3339(now) : text;
    if (!media.empty()) post.media_urls.push_back(media);
    post.idempotency_key = "try-" + std::to_string(now);
    post.occurrence_ms = now;
    auto attempt = connector->Publish(ep, post);
    Print({{"step", "publish"}, {"kind", KindName(attempt.kind)}, {"remote_id", attempt.remote_id},
           {"remote_url", attempt.remote_url}, {"error", attempt.error}, {"retry_after_ms", attempt.retry_after_ms},
           {"limit_remaining", attempt.limit_remaining}, {"limit_reset_ms", attempt.limit_reset_ms}});
    if (attempt.kind != PublishAttempt::Kind::kPublished) return 1;
  }
  auto recent = connector->RecentPosts(ep, 5, now - 3'600'000);
  if (!recent.ok()) {
    Print({{"step", "read_back"}, {"ok", false}, {"error", recent.status().ToString()}});
    return 1;
  }
  json posts = json::array();
  for (const auto& p : *recent) posts.push_back({{"id", p.id}, {"url", p.url}, {"text", p.text}});
  Print({{"step", "read_back"}, {"ok", true}, {"posts", posts}});
  return 0;
}
