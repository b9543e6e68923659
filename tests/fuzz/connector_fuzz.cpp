// Every connector reading whatever a network (or something pretending to be
// one) answers: status, headers and body come from the input.
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
  OutgoingPost post{"hello", {}, "key-1", "", 1'800'000'000'000};
  for (int n = herald::common::v1::NETWORK_MASTODON; n <= herald::common::v1::NETWORK_WEBHOOK; ++n) {
    auto c = MakeConnector(static_cast<herald::common::v1::Network>(n), ConnectorOptions{});
    if (!c) continue;
    (void)c->VerifyCredentials(endpoint);
    (void)c->Publish(endpoint, post);
    (void)c->RecentPosts(endpoint, 20, 1'700'000'000'000);
  }
  SetHttpTransport(nullptr);
  return 0;
}
