// Inbound webhooks: the body parser and the signature checks.
#include "common/hmac.h"
#include "fuzz_input.h"
#include "listener/mention_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto f = herald::fuzz::Fields(data, size, 4);  // body, signature header, workspace, channel
  auto mention = herald::listener::ParseMastodonMention(f[0], "ws", "ch", 1'800'000'000'000);
  if (mention.ok()) (void)herald::listener::ToInboxItem(*mention);
  (void)herald::VerifyInboundSignature("whin_secret", f[2], f[3], f[0], f[1], 1'800'000'000);
  (void)herald::VerifySignatureHeader("secret", f[0], f[1]);
  return 0;
}
