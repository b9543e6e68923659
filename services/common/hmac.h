#pragma once
// Webhook signatures: HMAC-SHA256 over the raw body, sent as
// "X-Hub-Signature: sha256=<hex>" (the form Mastodon and GitHub use).
#include <cstdint>
#include <string>
#include <string_view>

namespace herald {

std::string HmacSha256Hex(std::string_view key, std::string_view data);
// Plain SHA-256, lowercase hex (e-mail hashes as ad networks match them).
std::string Sha256Hex(std::string_view data);
// "sha256=<hex>" for body under secret.
std::string SignatureHeader(std::string_view secret, std::string_view body);
// Constant-time check of a "sha256=<hex>" header.
bool VerifySignatureHeader(std::string_view secret, std::string_view body, std::string_view header);

// X's webhooks (Account Activity API): "sha256=<base64 HMAC-SHA256>" under
// the app's consumer secret, over the raw body (x-twitter-webhooks-signature)
// or over the crc_token (the response_token answering X's CRC check).
std::string Base64SignatureHeader(std::string_view secret, std::string_view data);
// Constant-time check of a Base64SignatureHeader.
bool VerifyBase64SignatureHeader(std::string_view secret, std::string_view data, std::string_view header);

// Herald's own outbound signature (channel webhooks, event webhooks):
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">". The timestamp in
// the signed bytes lets receivers refuse replays older than a few minutes.
std::string TimestampedSignature(std::string_view secret, int64_t unix_seconds, std::string_view body);
// Checks a TimestampedSignature header, refusing one older than max_age_s.
bool VerifyTimestampedSignature(std::string_view secret, std::string_view body, std::string_view header,
                                int64_t now_s, int64_t max_age_s = 300);

// Webhooks into Herald (the listener): each workspace signs with its own
// secret, derived from the listener's master secret (so one leaked secret
// opens one workspace), over "<t>.<workspace>.<channel>.<body>" — a signature
// made for one URL does not verify at another, and one older (or newer) than
// the window is refused. Sent as "X-Herald-Signature: t=<unix s>,v1=<hex>".
std::string WorkspaceWebhookSecret(std::string_view master, std::string_view workspace_id);
std::string InboundSignature(std::string_view secret, int64_t unix_seconds, std::string_view workspace_id,
                             std::string_view channel_id, std::string_view body);
bool VerifyInboundSignature(std::string_view secret, std::string_view workspace_id, std::string_view channel_id,
                            std::string_view body, std::string_view header, int64_t now_s, int64_t window_s = 300);

}  // namespace herald
