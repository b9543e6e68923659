// Every connector reading whatever a network (or something pretending to be
// one) answers: status, headers and body come from the input.
#include "common/clock.h"
#include "common/http_client.h"
#include "fuzz_input.h"
#include "publisher/connectors/connector.h"

using namespace herald;
using namespace herald::publisher;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto f = fuzz::Fields(data, size, 4);  // status, header name, header value, body
  HttpResponse answer;
  answer.status = f[0].empty() ? 200 : 100 + static_cast<unsigned char>(f[0][0]) % 500;
  if (!f[1].empty()) answer.headers[f[1]] = f[2];
  answer.body = f[3];
  SetHttpTransport([&](const HttpRequest&) -> absl::StatusOr<HttpResponse> { return answer; });
  Endpoint endpoint{"https://network.example", "token", "12345", "brand.example"};
  // A post with media (Instagram's container and its status polls), and a
  // reply (Bluesky's parent lookup, comments elsewhere).
  OutgoingPost post{"hello", {"https://cdn.example/i.jpg"}, "key-1", "", 1'800'000'000'000};
  OutgoingPost reply{"thanks", {}, "key-2", "at://did:plc:abc/app.bsky.feed.post/3kabc", 1'800'000'000'000};
  ManualClock clock;  // polls wait on it: no real sleeps
  ConnectorOptions options;
  options.clock = &clock;
  for (int n = herald::common::v1::NETWORK_MASTODON; n <= herald::common::v1::NETWORK_WEBHOOK; ++n) {
    auto c = MakeConnector(static_cast<herald::common::v1::Network>(n), options);
    if (!c) continue;
    (void)c->VerifyCredentials(endpoint);
    (void)c->Publish(endpoint, post);
    (void)c->Publish(endpoint, reply);
    (void)c->RecentPosts(endpoint, 20, 1'700'000'000'000);
    (void)c->RecentReplies(endpoint, reply.in_reply_to_id, 20, 1'700'000'000'000);
    (void)c->ReadMetrics(endpoint, "1234567890");
  }
  SetHttpTransport(nullptr);
  return 0;
}
