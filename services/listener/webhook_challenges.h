#pragma once
// How Meta and X check a webhook URL before they send to it, answered the
// way each expects. No I/O; the routes that serve them come with the Meta
// and X webhook ingestion (not yet: docs/listening.md).
//   Meta: GET ?hub.mode=subscribe&hub.verify_token=T&hub.challenge=C → C,
//         when T is the token configured for the subscription;
//         deliveries carry X-Hub-Signature-256 (common/hmac.h VerifySignatureHeader).
//   X:    GET ?crc_token=C → {"response_token": "sha256=<base64 HMAC(consumer secret, C)>"};
//         deliveries carry x-twitter-webhooks-signature (VerifyBase64SignatureHeader).
#include <optional>
#include <string>
#include <string_view>

namespace herald::listener {

// The body to answer Meta's subscription check with; nullopt (answer 403)
// when the mode or the token is wrong or the challenge is not a short token.
std::optional<std::string> AnswerMetaChallenge(std::string_view mode, std::string_view verify_token,
                                               std::string_view challenge, std::string_view expected_token);

// The JSON body answering X's CRC check; nullopt (answer 400) for a missing or
// over-long token.
std::optional<std::string> AnswerXCrc(std::string_view consumer_secret, std::string_view crc_token);

}  // namespace herald::listener
