#pragma once
// Webhook signatures: HMAC-SHA256 over the raw body, sent as
// "X-Hub-Signature: sha256=<hex>" (the form Mastodon and GitHub use).
#include <string>
#include <string_view>

namespace herald {

std::string HmacSha256Hex(std::string_view key, std::string_view data);
// "sha256=<hex>" for body under secret.
std::string SignatureHeader(std::string_view secret, std::string_view body);
// Constant-time check of a "sha256=<hex>" header.
bool VerifySignatureHeader(std::string_view secret, std::string_view body, std::string_view header);

}  // namespace herald
