// Inbound webhooks: every body parser (Mastodon's, Meta's, X's), what a
// parsed item becomes, and the signature checks.
#include "common/hmac.h"
#include "fuzz_input.h"
#include "listener/mention_parser.h"
#include "listener/network_webhooks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto f = herald::fuzz::Fields(data, size, 4);  // body, signature header, workspace, channel
  auto mention = herald::listener::ParseMastodonMention(f[0], "ws", "ch", 1'800'000'000'000);
  if (mention.ok()) (void)herald::listener::ToInboxItem(*mention);
  for (auto parsed : {herald::listener::ParseMetaWebhook(f[0]), herald::listener::ParseXWebhook(f[0])}) {
    if (!parsed.ok()) continue;
    if (parsed->size() > herald::listener::kMaxItemsPerDelivery) __builtin_trap();
    for (const auto& r : *parsed) {
      auto m = herald::listener::MentionFromInbound(r.item, "ws", "ch", r.network, 1'800'000'000'000, "webhook");
      if (m.ok()) (void)herald::listener::ToInboxItem(*m);
    }
  }
  (void)herald::VerifyInboundSignature("whin_secret", f[2], f[3], f[0], f[1], 1'800'000'000);
  (void)herald::VerifySignatureHeader("secret", f[0], f[1]);
  (void)herald::VerifyBase64SignatureHeader("secret", f[0], f[1]);
  return 0;
}
